/**
 * Slows down password guessing: after MAX_FAILURES wrong passwords for one username within
 * WINDOW_MS, log-ins for it are refused (429) until the window ends. A success clears it.
 * Keyed by username, not address, so a botnet gains nothing by spreading out; the cost is
 * that someone guessing can lock an account out for at most 15 minutes at a time.
 */
export const MAX_FAILURES = 10;
export const WINDOW_MS = 15 * 60 * 1000;

/** Milliseconds until `username` may try again, or 0. */
export async function lockedFor(db: D1Database, username: string, now = Date.now()): Promise<number> {
  const row = await db
    .prepare("SELECT failures, window_start FROM login_attempts WHERE username = ?")
    .bind(username)
    .first<{ failures: number; window_start: number }>();
  if (!row || row.failures < MAX_FAILURES) return 0;
  return Math.max(0, row.window_start + WINDOW_MS - now);
}

export async function recordFailure(db: D1Database, username: string, now = Date.now()): Promise<void> {
  await db
    .prepare(
      `INSERT INTO login_attempts (username, failures, window_start) VALUES (?, 1, ?)
       ON CONFLICT (username) DO UPDATE SET
         failures = CASE WHEN window_start + ? <= excluded.window_start THEN 1 ELSE failures + 1 END,
         window_start = CASE WHEN window_start + ? <= excluded.window_start THEN excluded.window_start ELSE window_start END`,
    )
    .bind(username, now, WINDOW_MS, WINDOW_MS)
    .run();
}

export async function clearFailures(db: D1Database, username: string): Promise<void> {
  await db.prepare("DELETE FROM login_attempts WHERE username = ?").bind(username).run();
}
