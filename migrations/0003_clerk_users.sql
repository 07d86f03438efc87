-- Migration number: 0003 	 2026-12-06T00:00:00.000Z
-- Clerk user sync (Docs/sample-app.md): when the event that last wrote a user happened, in
-- milliseconds since 1970, so that an older event never overwrites a newer one.
ALTER TABLE users ADD COLUMN event_at INTEGER;
