-- Messages that change (edits and deletions; docs/protocol.md "Changes"): D1's copy follows
-- the room's log, row by row. A deleted message keeps its row with an empty body and no
-- attachment, like the room's own tombstone, so seqs stay without gaps.
ALTER TABLE messages ADD COLUMN edited_at INTEGER;
ALTER TABLE messages ADD COLUMN deleted INTEGER NOT NULL DEFAULT 0;
