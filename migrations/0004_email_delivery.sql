-- Migration number: 0004 	 2026-12-06T00:00:00.000Z
-- Queued email (Docs/sample-app.md): the last attempt's error and the provider's id on each log
-- row, and the dead letters kept for GET /api/email/dlq and its replay.
ALTER TABLE email_log ADD COLUMN last_error TEXT;
ALTER TABLE email_log ADD COLUMN provider_id TEXT;
ALTER TABLE email_log ADD COLUMN updated_at TEXT;

CREATE TABLE email_dead_letters (
    id TEXT PRIMARY KEY,
    message TEXT NOT NULL,
    dead_at TEXT NOT NULL,
    replayed_at TEXT
);
