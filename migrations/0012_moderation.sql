-- Room moderation (issue #19 item 3; docs/admin.md "Rooms and moderation"): moderators, bans,
-- archived rooms, and public room names unique whatever their case.

-- A member may be a moderator. SQLite cannot change a CHECK constraint, so the table is
-- rebuilt with the same columns (0001's and 0003's `notify`), rows and index.
CREATE TABLE memberships_new (
  room_id       TEXT NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
  user_id       TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  role          TEXT NOT NULL DEFAULT 'member' CHECK (role IN ('owner', 'moderator', 'member')),
  joined_at     INTEGER NOT NULL,
  last_read_seq INTEGER NOT NULL DEFAULT 0,
  notify        TEXT NOT NULL DEFAULT 'all' CHECK (notify IN ('all', 'mentions', 'muted')),
  PRIMARY KEY (room_id, user_id)
);
INSERT INTO memberships_new (room_id, user_id, role, joined_at, last_read_seq, notify)
  SELECT room_id, user_id, role, joined_at, last_read_seq, notify FROM memberships;
DROP TABLE memberships;
ALTER TABLE memberships_new RENAME TO memberships;
CREATE INDEX memberships_user ON memberships(user_id);

-- Who is banned from a room: not a member, and cannot join or be added until unbanned.
CREATE TABLE bans (
  room_id    TEXT NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
  user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  banned_by  TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (room_id, user_id)
) WITHOUT ROWID;

-- An archived room is read-only and left out of Browse; NULL: not archived.
ALTER TABLE rooms ADD COLUMN archived_at INTEGER;

-- The name as uniqueness compares it: NFKC, lower-cased by JavaScript's full Unicode rules
-- (worker/lib/text.ts nameKey; SQLite's lower() folds ASCII only). NULL for DMs, which have no name.
ALTER TABLE rooms ADD COLUMN name_key TEXT;

-- Public rooms that share a name (case aside) in an older deployment: the oldest keeps it, each
-- later one gets its id appended, e.g. `general (r_k3j9…)`, which its owner can rename. Names
-- and keys from before this migration are compared by SQLite's lower(), so only ASCII letters'
-- case is folded for them until they are renamed.
UPDATE rooms SET name = name || ' (' || id || ')'
WHERE visibility = 'public' AND EXISTS (
  SELECT 1 FROM rooms o
  WHERE o.visibility = 'public' AND o.id != rooms.id AND lower(o.name) = lower(rooms.name)
    AND (o.created_at < rooms.created_at OR (o.created_at = rooms.created_at AND o.id < rooms.id))
);
UPDATE rooms SET name_key = lower(name) WHERE visibility != 'dm';
CREATE UNIQUE INDEX rooms_public_name ON rooms(name_key) WHERE visibility = 'public';
