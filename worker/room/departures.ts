import { memberSince } from "../db/rooms";
import { DEPARTURE_MS } from "../gateway/membership";

/**
 * Who left the room lately, and whether someone the worker let through is still a member.
 * The worker may answer "member" from a one-minute cache (gateway/membership.ts), so the
 * room remembers departures for longer (DEPARTURE_MS) and asks D1 itself about those users;
 * anyone else costs one read of the (tiny) `departures` table, which this class owns.
 */
export class Departures {
  constructor(
    private readonly sql: SqlStorage,
    private readonly db: D1Database,
  ) {
    sql.exec("CREATE TABLE IF NOT EXISTS departures (user_id TEXT PRIMARY KEY, at INTEGER NOT NULL)");
  }

  /** `userId` left or was removed now (forgetting departures older than DEPARTURE_MS). */
  record(userId: string): void {
    const now = Date.now();
    this.sql.exec("DELETE FROM departures WHERE at <= ?", now - DEPARTURE_MS);
    this.sql.exec("INSERT INTO departures (user_id, at) VALUES (?, ?) ON CONFLICT (user_id) DO UPDATE SET at = excluded.at", userId, now);
  }

  /**
   * Whether a user the worker let through is still a member. The leave route records the
   * departure here before it deletes the membership in D1, so a membership that began before
   * the departure is one whose leave has not reached D1 (or failed there): refused. Only a
   * membership that began since (joined again) settles the departure.
   */
  async stillMember(roomId: string, userId: string): Promise<boolean> {
    for (;;) {
      const left = this.departedAt(userId);
      if (left === null) return true;
      const since = await memberSince(this.db, roomId, userId);
      if (since === null || since < left) return false;
      // Joined again. Unless they left once more during the query, the departure is settled.
      if (this.departedAt(userId) === left) {
        this.sql.exec("DELETE FROM departures WHERE user_id = ? AND at = ?", userId, left);
        return true;
      }
    }
  }

  /** When `userId` left this room, if within DEPARTURE_MS. */
  private departedAt(userId: string): number | null {
    return this.sql.exec<{ at: number }>("SELECT at FROM departures WHERE user_id = ? AND at > ?", userId, Date.now() - DEPARTURE_MS).toArray()[0]?.at ?? null;
  }
}
