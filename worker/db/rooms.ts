import { RECEIPTS_MAX_MEMBERS } from "../contract/wire";
import type { Member, PublicRoom, Room, Role, Visibility } from "../contract/rest";
import { BANNED, NOT_A_MEMBER, NO_SUCH_ROOM, ROOM_ARCHIVED } from "../contract/errors";
import { ApiError } from "../lib/errors";
import { newId } from "../lib/ids";
import { storedProfile, type Stored, type StoredPerson } from "./users";
import { nameKey } from "../lib/text";

/** D1 queries for rooms and memberships. Every value is a bound parameter. */

/** A room as D1 keeps it: a DM partner's avatar as its version (worker/people/profile.ts signs its URL). */
export type StoredRoom = Omit<Room, "dmWith"> & { dmWith?: StoredPerson };

interface RoomRow {
  id: string;
  name: string;
  topic: string;
  visibility: Visibility;
  created_at: number;
  last_seq: number;
  last_message_at: number | null;
  role: Role;
  notify: "all" | "mentions" | "muted";
  archived_at: number | null;
  unread: number;
  dm_user_id: string | null;
  dm_username: string | null;
  dm_display_name: string | null;
  dm_avatar_version: string | null;
}


/** Unread counts stop at this number (the client shows "999+"). */
export const UNREAD_CAP = 999; // also written into ROOM_FOR_MEMBER

// The room as one member sees it: their role, their unread count, and for a DM the other user.
const ROOM_FOR_MEMBER = `
  SELECT r.id, r.name, r.topic, r.visibility, r.created_at, r.last_seq, r.last_message_at, m.role, m.notify, r.archived_at,
         (SELECT count(*) FROM (SELECT 1 FROM messages x
            WHERE x.room_id = r.id AND x.seq > m.last_read_seq AND x.user_id != m.user_id LIMIT 999)) AS unread,
         o.id AS dm_user_id, o.username AS dm_username, o.display_name AS dm_display_name, o.avatar_version AS dm_avatar_version
  FROM memberships m
  JOIN rooms r ON r.id = m.room_id
  LEFT JOIN users o ON r.visibility = 'dm'
    AND o.id = (SELECT user_id FROM memberships WHERE room_id = r.id AND user_id != m.user_id LIMIT 1)
  WHERE m.user_id = ?`;

function toRoom(r: RoomRow): StoredRoom {
  const room: StoredRoom = {
    id: r.id,
    name: r.visibility === "dm" ? (r.dm_username ?? "direct message") : r.name,
    topic: r.topic,
    visibility: r.visibility,
    createdAt: new Date(r.created_at).toISOString(),
    lastSeq: r.last_seq,
    lastMessageAt: r.last_message_at === null ? null : new Date(r.last_message_at).toISOString(),
    unread: r.unread,
    role: r.role,
    notify: r.notify,
  };
  if (r.archived_at !== null) room.archived = true;
  if (r.visibility === "dm" && r.dm_user_id && r.dm_username) {
    room.dmWith = { id: r.dm_user_id, username: r.dm_username, ...storedProfile({ display_name: r.dm_display_name, avatar_version: r.dm_avatar_version }) };
  }
  return room;
}

export async function listRoomsOf(db: D1Database, userId: string): Promise<StoredRoom[]> {
  const { results } = await db
    .prepare(`${ROOM_FOR_MEMBER} ORDER BY coalesce(r.last_message_at, r.created_at) DESC LIMIT 500`)
    .bind(userId)
    .all<RoomRow>();
  return results.map(toRoom);
}

/** The room as `userId` sees it, or null when they are not a member. */
export async function roomForMember(db: D1Database, roomId: string, userId: string): Promise<StoredRoom | null> {
  const row = await db.prepare(`${ROOM_FOR_MEMBER} AND r.id = ?`).bind(userId, roomId).first<RoomRow>();
  return row ? toRoom(row) : null;
}

/** A room's name and visibility (how a push notification titles it), or null when it is gone. */
export async function roomTitle(db: D1Database, roomId: string): Promise<{ name: string; visibility: Visibility } | null> {
  return db.prepare("SELECT name, visibility FROM rooms WHERE id = ?").bind(roomId).first<{ name: string; visibility: Visibility }>();
}

export async function roomExists(db: D1Database, roomId: string): Promise<{ visibility: Visibility } | null> {
  return db.prepare("SELECT visibility FROM rooms WHERE id = ?").bind(roomId).first<{ visibility: Visibility }>();
}

/**
 * Resolves to the room as the member sees it. Throws 404 for a room that does not exist
 * and 403 for one the user is not in (a private room's existence is not secret: its id is
 * unguessable, and a clear 403 helps clients more than a 404).
 */
export const notAMember = () => new ApiError(403, "not_a_member", NOT_A_MEMBER);
export const noSuchRoom = () => new ApiError(404, "room_not_found", NO_SUCH_ROOM);
export const bannedHere = () => new ApiError(403, "banned", BANNED);
export const roomArchived = () => new ApiError(403, "room_archived", ROOM_ARCHIVED);

export async function requireMember(db: D1Database, roomId: string, userId: string): Promise<StoredRoom> {
  const room = await roomForMember(db, roomId, userId);
  if (room) return room;
  const m = await lookupMembership(db, roomId, userId);
  throw typeof m === "string" ? refusedMembership(m) : notAMember();
}

/** Where a user stands in a room: their role (null: not a member), whether they are banned, and the room's visibility and archive. */
export interface RoomPlace {
  role: Role | null;
  banned: boolean;
  visibility: Visibility;
  archived: boolean;
}

/** One indexed read: the user's place in the room, or null when there is no such room. */
export async function roomPlace(db: D1Database, roomId: string, userId: string): Promise<RoomPlace | null> {
  const row = await db
    .prepare(
      `SELECT m.role, r.visibility, r.archived_at,
              CASE WHEN m.role IS NULL THEN EXISTS (SELECT 1 FROM bans b WHERE b.room_id = r.id AND b.user_id = ?1) ELSE 0 END AS banned
       FROM rooms r LEFT JOIN memberships m ON m.room_id = r.id AND m.user_id = ?1 WHERE r.id = ?2`,
    )
    .bind(userId, roomId)
    .first<{ role: Role | null; visibility: Visibility; archived_at: number | null; banned: number }>();
  if (!row) return null;
  return { role: row.role, banned: row.banned === 1, visibility: row.visibility, archived: row.archived_at !== null };
}

export type Membership = { role: Role; visibility: Visibility; archived: boolean } | "room_not_found" | "not_a_member" | "banned";

/** The cheap membership lookup: one indexed read, no unread count; never throws a refusal. */
export async function lookupMembership(db: D1Database, roomId: string, userId: string): Promise<Membership> {
  const place = await roomPlace(db, roomId, userId);
  if (!place) return "room_not_found";
  if (!place.role) return place.banned ? "banned" : "not_a_member";
  return { role: place.role, visibility: place.visibility, archived: place.archived };
}

/** The REST error for a membership refused: 404 `room_not_found`, 403 `banned` or 403 `not_a_member`. */
export function refusedMembership(m: Exclude<Membership, object>): ApiError {
  if (m === "room_not_found") return noSuchRoom();
  return m === "banned" ? bannedHere() : notAMember();
}

/**
 * `lookupMembership` for REST routes that only need to know the caller may act in the room.
 * Same 404 / 403 as `requireMember`.
 */
export async function requireMembership(db: D1Database, roomId: string, userId: string): Promise<{ role: Role; visibility: Visibility; archived: boolean }> {
  const m = await lookupMembership(db, roomId, userId);
  if (typeof m === "string") throw refusedMembership(m);
  return m;
}

/** When the user's membership of the room began (`joined_at`), or null if they are not a member. */
export async function memberSince(db: D1Database, roomId: string, userId: string): Promise<number | null> {
  const row = await db
    .prepare("SELECT joined_at FROM memberships WHERE room_id = ? AND user_id = ?")
    .bind(roomId, userId)
    .first<{ joined_at: number }>();
  return row?.joined_at ?? null;
}

export async function isMember(db: D1Database, roomId: string, userId: string): Promise<boolean> {
  return (await memberSince(db, roomId, userId)) !== null;
}

export async function createRoom(
  db: D1Database,
  owner: string,
  input: { name: string; topic: string; visibility: "public" | "private" },
): Promise<string> {
  const id = newId("r");
  const now = Date.now();
  await uniqueName(
    db.batch([
      db
        .prepare("INSERT INTO rooms (id, name, name_key, topic, visibility, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)")
        .bind(id, input.name, nameKey(input.name), input.topic, input.visibility, owner, now),
      db.prepare("INSERT INTO memberships (room_id, user_id, role, joined_at) VALUES (?, ?, 'owner', ?)").bind(id, owner, now),
    ]),
  );
  return id;
}

/**
 * Awaits a write that may give a room a public name (create, rename, making a room public):
 * a clash with another public room's name, case aside (the unique index `rooms_public_name`,
 * migrations/0012), is 409 `room_name_taken`.
 */
export async function uniqueName<T>(write: Promise<T>): Promise<T> {
  try {
    return await write;
  } catch (err) {
    if (/UNIQUE constraint failed: rooms\.name_key/.test(String(err))) {
      throw new ApiError(409, "room_name_taken", "a public room already has this name (names are compared ignoring case)");
    }
    throw err;
  }
}

/** Adds a member; returns false when they already were one. */
export async function addMember(db: D1Database, roomId: string, userId: string, role: Role = "member"): Promise<boolean> {
  const res = await db
    .prepare("INSERT INTO memberships (room_id, user_id, role, joined_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING")
    .bind(roomId, userId, role, Date.now())
    .run();
  return res.meta.changes === 1;
}

export async function removeMember(db: D1Database, roomId: string, userId: string): Promise<boolean> {
  const res = await db.prepare("DELETE FROM memberships WHERE room_id = ? AND user_id = ?").bind(roomId, userId).run();
  return res.meta.changes === 1;
}

export async function findUser(db: D1Database, username: string): Promise<StoredPerson | null> {
  const row = await db
    .prepare("SELECT id, username, display_name, avatar_version FROM users WHERE username = ?")
    .bind(username)
    .first<{ id: string; username: string; display_name: string | null; avatar_version: string | null }>();
  return row && { id: row.id, username: row.username, ...storedProfile(row) };
}

/**
 * A room's members as `viewerId` sees them: with how far each has read (read receipts) in a
 * room of at most RECEIPTS_MAX_MEMBERS, for members who send receipts, when the viewer does too.
 */
export async function listMembers(db: D1Database, roomId: string, viewerId: string): Promise<Stored<Member>[]> {
  const { results } = await db
    .prepare(
      `SELECT u.id, u.username, u.display_name, u.avatar_version, m.role, m.last_read_seq, u.read_receipts
       FROM memberships m JOIN users u ON u.id = m.user_id
       WHERE m.room_id = ? ORDER BY u.username LIMIT 1000`,
    )
    .bind(roomId)
    .all<{ id: string; username: string; display_name: string | null; avatar_version: string | null; role: Role; last_read_seq: number; read_receipts: number }>();
  const viewerSees = results.length <= RECEIPTS_MAX_MEMBERS && results.some((r) => r.id === viewerId && r.read_receipts === 1);
  return results.map((r) => ({
    id: r.id,
    username: r.username,
    ...storedProfile(r),
    role: r.role,
    ...(viewerSees && r.read_receipts === 1 ? { lastReadSeq: r.last_read_seq } : {}),
  }));
}

/** Whether a read by `userId` in `roomId` is a receipt others see: they send receipts, and the room is small enough. */
export async function sendsReceipt(db: D1Database, roomId: string, userId: string): Promise<boolean> {
  const row = await db
    .prepare("SELECT (SELECT read_receipts FROM users WHERE id = ?) AS on_, (SELECT count(*) FROM memberships WHERE room_id = ?) AS members")
    .bind(userId, roomId)
    .first<{ on_: number | null; members: number }>();
  return row !== null && row.on_ === 1 && row.members <= RECEIPTS_MAX_MEMBERS;
}

export async function listPublicRooms(db: D1Database, userId: string): Promise<PublicRoom[]> {
  const { results } = await db
    .prepare(
      `SELECT r.id, r.name, r.topic, r.created_at,
              (SELECT count(*) FROM memberships WHERE room_id = r.id) AS member_count,
              EXISTS (SELECT 1 FROM memberships WHERE room_id = r.id AND user_id = ?) AS joined
       FROM rooms r WHERE r.visibility = 'public' AND r.archived_at IS NULL ORDER BY r.created_at DESC LIMIT 200`,
    )
    .bind(userId)
    .all<{ id: string; name: string; topic: string; created_at: number; member_count: number; joined: number }>();
  return results.map((r) => ({
    id: r.id,
    name: r.name,
    topic: r.topic,
    visibility: "public" as const,
    createdAt: new Date(r.created_at).toISOString(),
    memberCount: r.member_count,
    joined: r.joined === 1,
  }));
}

/** The one DM room of a pair of users, created on first use; both users are (again) members. */
export async function openDm(db: D1Database, a: string, b: string): Promise<string> {
  const key = a < b ? `${a}:${b}` : `${b}:${a}`;
  const now = Date.now();
  await db
    .prepare(
      "INSERT INTO rooms (id, name, topic, visibility, created_by, created_at, dm_key) VALUES (?, '', '', 'dm', ?, ?, ?) ON CONFLICT (dm_key) DO NOTHING",
    )
    .bind(newId("r"), a, now, key)
    .run();
  const room = await db.prepare("SELECT id FROM rooms WHERE dm_key = ?").bind(key).first<{ id: string }>();
  if (!room) throw new Error("DM room vanished after insert");
  await db.batch(
    [a, b].map((u) =>
      db
        .prepare("INSERT INTO memberships (room_id, user_id, role, joined_at) VALUES (?, ?, 'member', ?) ON CONFLICT DO NOTHING")
        .bind(room.id, u, now),
    ),
  );
  return room.id;
}

export async function markRead(db: D1Database, roomId: string, userId: string, seq: number): Promise<void> {
  await db
    .prepare("UPDATE memberships SET last_read_seq = max(last_read_seq, ?) WHERE room_id = ? AND user_id = ?")
    .bind(seq, roomId, userId)
    .run();
}

/** The ids of every room and DM a user is a member of (to close a deactivated account's or a revoked bot's sockets in each). */
export async function roomIdsOf(db: D1Database, userId: string): Promise<string[]> {
  const { results } = await db.prepare("SELECT room_id FROM memberships WHERE user_id = ?").bind(userId).all<{ room_id: string }>();
  return results.map((r) => r.room_id);
}
