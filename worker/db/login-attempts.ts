/**
 * D1 statements behind the log-in guard (auth/login-guard.ts holds the policy): one row per
 * username with the failures in the current window. Every value is a bound parameter.
 */

/**
 * Counts one attempt in one statement (so attempts sent at once cannot all pass a check made
 * before any was counted), starting a new window when `windowMs` has passed since the last
 * one began. Returns the count and the window's start after this attempt.
 */
export async function countAttempt(
  db: D1Database,
  username: string,
  now: number,
  windowMs: number,
): Promise<{ failures: number; window_start: number } | null> {
  return db
    .prepare(
      `INSERT INTO login_attempts (username, failures, window_start) VALUES (?1, 1, ?2)
       ON CONFLICT (username) DO UPDATE SET
         failures = CASE WHEN window_start + ?3 <= excluded.window_start THEN 1 ELSE failures + 1 END,
         window_start = CASE WHEN window_start + ?3 <= excluded.window_start THEN excluded.window_start ELSE window_start END
       RETURNING failures, window_start`,
    )
    .bind(username, now, windowMs)
    .first<{ failures: number; window_start: number }>();
}

export async function deleteAttempts(db: D1Database, username: string): Promise<void> {
  await db.prepare("DELETE FROM login_attempts WHERE username = ?").bind(username).run();
}
