/**
 * Slows down password guessing: a username gets MAX_FAILURES log-in attempts without a
 * success within WINDOW_MS; past that, log-ins for it are refused (429) until the window
 * ends. A success clears the count. Each attempt is counted before its password is checked,
 * in one statement, so guesses sent all at once cannot all pass a check made before any of
 * them was counted. Keyed by username, not address, so a botnet gains nothing by spreading
 * out; the cost is that someone guessing can lock an account out for at most 15 minutes at
 * a time.
 */
export const MAX_FAILURES = 10;
export const WINDOW_MS = 15 * 60 * 1000;

/**
 * Counts one log-in attempt for `username`. Returns 0 if it may go ahead (check the password;
 * clear the count on success), or the milliseconds until the window ends (refuse it).
 */
export async function reserveAttempt(db: D1Database, username: string, now = Date.now()): Promise<number> {
  const row = await db
    .prepare(
      `INSERT INTO login_attempts (username, failures, window_start) VALUES (?1, 1, ?2)
       ON CONFLICT (username) DO UPDATE SET
         failures = CASE WHEN window_start + ?3 <= excluded.window_start THEN 1 ELSE failures + 1 END,
         window_start = CASE WHEN window_start + ?3 <= excluded.window_start THEN excluded.window_start ELSE window_start END
       RETURNING failures, window_start`,
    )
    .bind(username, now, WINDOW_MS)
    .first<{ failures: number; window_start: number }>();
  if (!row || row.failures <= MAX_FAILURES) return 0;
  return Math.max(1, row.window_start + WINDOW_MS - now);
}

export async function clearFailures(db: D1Database, username: string): Promise<void> {
  await db.prepare("DELETE FROM login_attempts WHERE username = ?").bind(username).run();
}
