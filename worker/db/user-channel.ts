import type { NotifyMode } from "../contract/rest";

/** D1 queries for the per-user channel (worker/users/). Every value is a bound parameter. */

/** Every room the user is a member of, with their read marker. */
export async function channelRooms(db: D1Database, userId: string): Promise<{ id: string; lastReadSeq: number; dm: boolean }[]> {
  const { results } = await db
    .prepare("SELECT r.id, m.last_read_seq, r.visibility FROM memberships m JOIN rooms r ON r.id = m.room_id WHERE m.user_id = ?")
    .bind(userId)
    .all<{ id: string; last_read_seq: number; visibility: string }>();
  return results.map((r) => ({ id: r.id, lastReadSeq: r.last_read_seq, dm: r.visibility === "dm" }));
}

/** The user's push setting for the room (a muted room does not ring either). */
export async function notifyMode(db: D1Database, roomId: string, userId: string): Promise<NotifyMode | null> {
  const row = await db.prepare("SELECT notify FROM memberships WHERE room_id = ? AND user_id = ?").bind(roomId, userId).first<{ notify: NotifyMode }>();
  return row?.notify ?? null;
}

/** A room's name, whether it is a DM, and how many members it has (for a ring). */
export async function ringInfo(db: D1Database, roomId: string): Promise<{ name: string; dm: boolean; members: number } | null> {
  const row = await db
    .prepare("SELECT r.name, r.visibility, (SELECT count(*) FROM memberships m WHERE m.room_id = r.id) AS members FROM rooms r WHERE r.id = ?")
    .bind(roomId)
    .first<{ name: string; visibility: string; members: number }>();
  return row ? { name: row.name, dm: row.visibility === "dm", members: row.members } : null;
}
