-- Web push: each user's subscribed devices, and a notification setting per room membership.
CREATE TABLE push_subscriptions (
  id         TEXT PRIMARY KEY,
  user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  endpoint   TEXT NOT NULL UNIQUE,
  p256dh     TEXT NOT NULL,
  auth       TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  -- Dispatches in a row that failed after their retries; the subscription goes at 5.
  failures   INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX push_subscriptions_user ON push_subscriptions(user_id);

ALTER TABLE memberships ADD COLUMN notify TEXT NOT NULL DEFAULT 'all' CHECK (notify IN ('all', 'mentions', 'muted'));
