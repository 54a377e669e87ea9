-- Read receipts (docs/protocol.md "Read receipts"): a user may stop sending them, and then sees
-- no one else's either. On by default.
ALTER TABLE users ADD COLUMN read_receipts INTEGER NOT NULL DEFAULT 1;
