-- Instance administration (docs/admin.md): who is an administrator, who is deactivated, how
-- sign-up works, and the invites it may need.
ALTER TABLE users ADD COLUMN role TEXT NOT NULL DEFAULT 'member' CHECK (role IN ('admin', 'member', 'bot'));
-- Set when an administrator deactivates the account: its sessions stop working, it cannot log in.
ALTER TABLE users ADD COLUMN deactivated_at INTEGER;
CREATE INDEX users_admins ON users(role) WHERE role = 'admin';

-- Settings an administrator changes at run time (`signup_mode`); an env var is only the default.
CREATE TABLE settings (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

-- A deployment that already has accounts is not fresh: its next sign-up must not become the
-- administrator (docs/admin.md). Its operator names administrators with ADMIN_USERNAMES.
INSERT INTO settings (key, value) SELECT 'first_account', 'before-0011' WHERE EXISTS (SELECT 1 FROM users);

-- Invite codes for sign-up in `invite` mode: usable until `expires_at`, at most `max_uses` times.
CREATE TABLE invites (
  code       TEXT PRIMARY KEY,
  created_by TEXT NOT NULL REFERENCES users(id),
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  max_uses   INTEGER NOT NULL,
  uses       INTEGER NOT NULL DEFAULT 0,
  revoked_at INTEGER
);
