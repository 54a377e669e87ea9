import type { Ban, Role, Visibility } from "../contract/rest";
import { nameKey } from "../lib/text";
import { uniqueName } from "./rooms";

/**
 * D1 statements for room moderation (migrations/0012_moderation.sql; docs/admin.md "Rooms and
 * moderation"): a room's settings and archive, members' roles and ownership, bans, and the
 * deletion of a room's rows. Who may do each is decided by the routes (gateway/authority.ts);
 * these only write. Every value is a bound parameter.
 */

/** Renames a room, changes its topic or its visibility (only the fields given); 409 `room_name_taken` on a public name's clash. */
export async function updateRoom(
  db: D1Database,
  roomId: string,
  changes: { name?: string; topic?: string; visibility?: Exclude<Visibility, "dm"> },
): Promise<void> {
  const { name = null, topic = null, visibility = null } = changes;
  await uniqueName(
    db
      .prepare(
        `UPDATE rooms SET name = coalesce(?1, name), name_key = coalesce(?2, name_key), topic = coalesce(?3, topic),
                          visibility = coalesce(?4, visibility)
         WHERE id = ?5 AND visibility != 'dm'`,
      )
      .bind(name, name === null ? null : nameKey(name), topic, visibility, roomId)
      .run(),
  );
}

/** Archives a room (`at`) or unarchives it (null). */
export async function setArchived(db: D1Database, roomId: string, at: number | null): Promise<void> {
  await db.prepare("UPDATE rooms SET archived_at = ? WHERE id = ?").bind(at, roomId).run();
}

/** Makes a member a moderator or a plain member again (never the owner: ownership is transferred). False when they are not a member. */
export async function setMemberRole(db: D1Database, roomId: string, userId: string, role: Exclude<Role, "owner">): Promise<boolean> {
  const res = await db.prepare("UPDATE memberships SET role = ? WHERE room_id = ? AND user_id = ? AND role != 'owner'").bind(role, roomId, userId).run();
  return res.meta.changes === 1;
}

/**
 * Makes member `to` the owner and the owner before (`from`) a moderator, in one transaction;
 * false (and nothing changed) when `to` is not a member or `from` is no longer the owner.
 */
export async function transferOwnership(db: D1Database, roomId: string, from: string, to: string): Promise<boolean> {
  const [promoted] = await db.batch([
    db
      .prepare(
        `UPDATE memberships SET role = 'owner' WHERE room_id = ?1 AND user_id = ?2
           AND EXISTS (SELECT 1 FROM memberships WHERE room_id = ?1 AND user_id = ?3 AND role = 'owner')`,
      )
      .bind(roomId, to, from),
    // Only once `to` is the owner (the statement above ran): a room never has no owner.
    db
      .prepare(
        `UPDATE memberships SET role = 'moderator' WHERE room_id = ?1 AND user_id = ?2 AND role = 'owner'
           AND ?2 != ?3 AND EXISTS (SELECT 1 FROM memberships WHERE room_id = ?1 AND user_id = ?3 AND role = 'owner')`,
      )
      .bind(roomId, from, to),
  ]);
  return promoted!.meta.changes === 1;
}

/** Bans a user from a room (ending their membership, if any) in one transaction; false if they were banned already. */
export async function ban(db: D1Database, roomId: string, userId: string, by: string): Promise<boolean> {
  const [banned] = await db.batch([
    db.prepare("INSERT INTO bans (room_id, user_id, banned_by, created_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING").bind(roomId, userId, by, Date.now()),
    db.prepare("DELETE FROM memberships WHERE room_id = ? AND user_id = ?").bind(roomId, userId),
  ]);
  return banned!.meta.changes === 1;
}

/** Lifts a ban; false when there was none. */
export async function unban(db: D1Database, roomId: string, userId: string): Promise<boolean> {
  return (await db.prepare("DELETE FROM bans WHERE room_id = ? AND user_id = ?").bind(roomId, userId).run()).meta.changes === 1;
}

/** A room's bans, newest first (at most 1000). */
export async function listBans(db: D1Database, roomId: string): Promise<Ban[]> {
  const { results } = await db
    .prepare(
      `SELECT b.user_id, u.username, b.banned_by, b.created_at FROM bans b JOIN users u ON u.id = b.user_id
       WHERE b.room_id = ? ORDER BY b.created_at DESC LIMIT 1000`,
    )
    .bind(roomId)
    .all<{ user_id: string; username: string; banned_by: string; created_at: number }>();
  return results.map((r) => ({ userId: r.user_id, username: r.username, bannedBy: r.banned_by, createdAt: new Date(r.created_at).toISOString() }));
}

/** The role of `userId` in the room (null: not a member). */
export async function memberRole(db: D1Database, roomId: string, userId: string): Promise<Role | null> {
  const row = await db.prepare("SELECT role FROM memberships WHERE room_id = ? AND user_id = ?").bind(roomId, userId).first<{ role: Role }>();
  return row?.role ?? null;
}

/** Every member's id (those told when the room is deleted). */
export async function memberIds(db: D1Database, roomId: string): Promise<string[]> {
  const { results } = await db.prepare("SELECT user_id FROM memberships WHERE room_id = ?").bind(roomId).all<{ user_id: string }>();
  return results.map((r) => r.user_id);
}

/** Messages removed from D1 per statement when a room is deleted (with their search index rows). */
const DELETE_SLICE = 5000;

/**
 * Deletes a room from D1: its copied messages and their search index rows, a slice of seqs at
 * a time (a big room's history is not one huge statement), then the room, whose memberships
 * and bans go with it (ON DELETE CASCADE). The room row goes last, so a deletion that fails
 * halfway can be asked again.
 */
export async function deleteRoomRows(db: D1Database, roomId: string): Promise<void> {
  const top = (await db.prepare("SELECT max(seq) AS s FROM messages WHERE room_id = ?").bind(roomId).first<{ s: number | null }>())?.s ?? 0;
  for (let from = 0; from < top; from += DELETE_SLICE) {
    const to = from + DELETE_SLICE;
    await db.batch([
      db
        .prepare("DELETE FROM message_index WHERE rowid IN (SELECT search_id FROM messages WHERE room_id = ? AND seq > ? AND seq <= ? AND search_id IS NOT NULL)")
        .bind(roomId, from, to),
      db.prepare("DELETE FROM messages WHERE room_id = ? AND seq > ? AND seq <= ?").bind(roomId, from, to),
    ]);
  }
  await db.prepare("DELETE FROM rooms WHERE id = ?").bind(roomId).run();
}
