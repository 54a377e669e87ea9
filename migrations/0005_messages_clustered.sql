-- D1's copy of the messages (written by each room's flush alarm, read for unread counts):
-- one B-tree instead of three. The table is now clustered by its primary key
-- (WITHOUT ROWID: no separate rowid table plus an index on (room_id, seq)), and the index on
-- (user_id, created_at), which no query used, is gone. Each copied row is one B-tree insert
-- (BENCHMARKS.md, "Where the time goes").
CREATE TABLE messages_clustered (
  room_id    TEXT NOT NULL,
  seq        INTEGER NOT NULL,
  user_id    TEXT NOT NULL,
  username   TEXT NOT NULL,
  body       TEXT NOT NULL,
  client_id  TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  kind       TEXT NOT NULL DEFAULT 'text',
  attachment TEXT,
  PRIMARY KEY (room_id, seq)
) WITHOUT ROWID;

INSERT INTO messages_clustered (room_id, seq, user_id, username, body, client_id, created_at, kind, attachment)
  SELECT room_id, seq, user_id, username, body, client_id, created_at, kind, attachment FROM messages;

DROP TABLE messages;
ALTER TABLE messages_clustered RENAME TO messages;
