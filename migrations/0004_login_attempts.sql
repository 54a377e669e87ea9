-- Failed log-ins per username in the current window, to slow down password guessing.
CREATE TABLE login_attempts (
  username     TEXT PRIMARY KEY COLLATE NOCASE,
  failures     INTEGER NOT NULL,
  window_start INTEGER NOT NULL
);
