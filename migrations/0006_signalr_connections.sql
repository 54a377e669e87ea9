-- SignalR connections negotiated but not yet connected: a connection token opens one socket
-- (worker/protocols/signalr/connection-tokens.ts). Rows are deleted when used or expired.
CREATE TABLE signalr_connections (
  token_hash  TEXT PRIMARY KEY,  -- SHA-256 of the connection token (v1) or connection id (v0)
  user_id     TEXT NOT NULL,
  username    TEXT NOT NULL,
  session_exp INTEGER,           -- when the session that negotiated ends (seconds)
  expires_at  INTEGER NOT NULL   -- seconds since the epoch
);
CREATE INDEX signalr_connections_expiry ON signalr_connections (expires_at);
