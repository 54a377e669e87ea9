-- Bots and webhooks (docs/bots.md). A bot is an account with role 'bot' (migrations/0011) and a
-- row here; it signs in with a token, never a password.
CREATE TABLE bots (
  user_id       TEXT PRIMARY KEY REFERENCES users(id),
  -- SHA-256 (hex) of the bot's token, which is shown once; NULL once the bot is revoked.
  token_hash    TEXT,
  created_by    TEXT NOT NULL REFERENCES users(id),
  created_at    INTEGER NOT NULL,
  revoked_at    INTEGER,
  -- The outgoing webhook: where mentions of the bot and DMs to it are POSTed, and the random
  -- nonce its signing secret is derived from (with JWT_SECRET; the secret itself is not stored).
  webhook_url   TEXT,
  webhook_nonce TEXT
);

-- Incoming webhooks: a secret URL that posts into a room as a named integration. Only a
-- SHA-256 (hex) of the URL's secret is kept; deleting the row revokes the URL.
CREATE TABLE room_webhooks (
  id          TEXT PRIMARY KEY,
  room_id     TEXT NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
  name        TEXT NOT NULL,
  secret_hash TEXT NOT NULL,
  created_by  TEXT NOT NULL REFERENCES users(id),
  created_at  INTEGER NOT NULL
);
CREATE INDEX room_webhooks_room ON room_webhooks(room_id, created_at);

-- A SignalR connection negotiated by a bot remembers which token it was (its hash), so that the
-- hub can tell when that token was rotated (worker/protocols/signalr/connection-tokens.ts).
ALTER TABLE signalr_connections ADD COLUMN credential TEXT;
