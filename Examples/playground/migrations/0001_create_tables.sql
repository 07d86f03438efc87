-- Migration number: 0001 	 2026-01-01T00:00:00.000Z
CREATE TABLE deliveries (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    queue TEXT,
    msg TEXT,
    attempts INTEGER,
    batch_size INTEGER,
    at_ms INTEGER
);

CREATE TABLE cron_runs (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    cron TEXT,
    scheduled_ms INTEGER
);
