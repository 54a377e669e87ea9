import { countAttempt, deleteAttempts } from "../db/login-attempts";

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
  const row = await countAttempt(db, username, now, WINDOW_MS);
  if (!row || row.failures <= MAX_FAILURES) return 0;
  return Math.max(1, row.window_start + WINDOW_MS - now);
}

export async function clearFailures(db: D1Database, username: string): Promise<void> {
  await deleteAttempts(db, username);
}
