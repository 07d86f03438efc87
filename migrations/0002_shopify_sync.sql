-- Migration number: 0002 	 2026-12-06T00:00:00.000Z
-- The Shopify half of the sample app (Docs/sample-app.md): what makes its writes idempotent and
-- its runs visible.

-- A losing version is logged once, however often its event is delivered.
CREATE UNIQUE INDEX conflict_log_once ON conflict_log(entity, shopify_id, rejected_updated_at);

-- Why a webhook failed (NULL once it is processed).
ALTER TABLE webhook_log ADD COLUMN error TEXT;

-- A run of the product push or the order pull: how it was started, how it ended.
ALTER TABLE sync_runs ADD COLUMN triggered_by TEXT;
ALTER TABLE sync_runs ADD COLUMN status TEXT NOT NULL DEFAULT 'running'
    CHECK (status IN ('running', 'succeeded', 'failed'));
ALTER TABLE sync_runs ADD COLUMN skipped INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sync_runs ADD COLUMN error TEXT;
-- For the order pull: the updated_at_min it asked for.
ALTER TABLE sync_runs ADD COLUMN since TEXT;
CREATE INDEX sync_runs_latest ON sync_runs(entity, id);
