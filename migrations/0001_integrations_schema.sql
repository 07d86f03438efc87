-- Migration number: 0001 	 2026-01-01T00:00:00.000Z
-- Tables of the sample integration app (Docs/sample-app.md).

CREATE TABLE orders (
    shopify_id INTEGER PRIMARY KEY,
    email TEXT,
    total_price TEXT,
    currency TEXT,
    financial_status TEXT,
    updated_at TEXT
);

CREATE TABLE order_items (
    order_shopify_id INTEGER NOT NULL REFERENCES orders(shopify_id) ON DELETE CASCADE,
    shopify_id INTEGER NOT NULL,
    sku TEXT,
    quantity INTEGER,
    price TEXT,
    PRIMARY KEY (order_shopify_id, shopify_id)
);

CREATE TABLE customers (
    shopify_id INTEGER,
    email TEXT,
    first_name TEXT,
    last_name TEXT,
    updated_at TEXT
);
CREATE UNIQUE INDEX customers_email ON customers(lower(email));

CREATE TABLE products (
    shopify_id INTEGER PRIMARY KEY,
    title TEXT,
    handle TEXT,
    status TEXT,
    updated_at TEXT,
    dirty INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE conflict_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    entity TEXT NOT NULL,
    shopify_id INTEGER NOT NULL,
    kept_updated_at TEXT,
    rejected_updated_at TEXT,
    logged_at TEXT DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE inventory_levels (
    inventory_item_id INTEGER NOT NULL,
    location_id INTEGER NOT NULL,
    available INTEGER,
    updated_at TEXT,
    PRIMARY KEY (inventory_item_id, location_id)
);

CREATE TABLE webhook_log (
    webhook_id TEXT PRIMARY KEY,
    topic TEXT,
    status TEXT CHECK (status IN ('processed', 'failed')),
    received_at TEXT DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE sync_runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    entity TEXT NOT NULL,
    started_at TEXT,
    finished_at TEXT,
    succeeded INTEGER NOT NULL DEFAULT 0,
    failed INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE users (
    id TEXT PRIMARY KEY,
    email TEXT,
    first_name TEXT,
    last_name TEXT,
    deleted INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE email_log (
    id TEXT PRIMARY KEY,
    recipient TEXT,
    template TEXT,
    status TEXT CHECK (status IN ('sent', 'failed', 'dead')),
    attempts INTEGER NOT NULL DEFAULT 0
);
