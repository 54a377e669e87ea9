/**
 * The per-user channel's frames (`GET /api/me/ws`; docs/protocol.md "The per-user channel"),
 * shared by the worker and the client like wire.ts. One socket per client tab carries what
 * happens in every room and DM the user belongs to: counts, calls that ring, membership and
 * the presence of the people they talk to. This module imports nothing but types of rest.ts and wire.ts.
 */
import type { Room } from "./rest";
import type { RemovalReason } from "./wire";

/** A room's counts for one user: exact, recomputed by the room from its log and the user's read marker. */
export interface RoomCounts {
  roomId: string;
  /** The room's newest seq. */
  lastSeq: number;
  /** The newest seq this user has read (on any device). */
  lastReadSeq: number;
  /** Messages after lastReadSeq that are not the user's own and not deleted (at most MAX_COUNTED). */
  unread: number;
  /** Of those, the ones that mention the user (`@username`). */
  mentions: number;
  /** People in the room's call now (0: no call). */
  inCall: number;
}

/** Counts stop at this number (a badge shows "999+"): counting is bounded work for the room. */
export const MAX_COUNTED = 999;

export type PresenceStatus = "online" | "away" | "offline";

export type UserClientFrame =
  /** The tab went to the background (or came back): a user with no visible tab is "away". */
  | { type: "visibility"; hidden: unknown }
  /** Stop ringing for this call on every device of mine (I declined it here). */
  | { type: "decline"; roomId: unknown }
  | { type: "ping" };

export type UserServerFrame =
  | { type: "hello"; user: { id: string; username: string }; rooms: RoomCounts[]; presence: Record<string, PresenceStatus> }
  /** A room's counts changed: a message, a deletion, a read on another device, a call. */
  | { type: "counts"; counts: RoomCounts }
  /** A call started in a DM or a room of up to RING_MAX_MEMBERS that I have not muted: ring. */
  | { type: "ring"; roomId: string; roomName: string; from: { userId: string; username: string } }
  /** Stop ringing: answered (on any device of mine), declined (on any of mine), or the call ended. */
  | { type: "ring-stop"; roomId: string; reason: "answered" | "declined" | "ended" }
  /** I became a member of a room (joined, was added, a DM was opened with me). */
  | { type: "room-added"; room: Room }
  /** I am no longer a member of a room: I left, was removed or banned, or the room was deleted. */
  | { type: "room-removed"; roomId: string; reason: RemovalReason }
  /** The status of people I share a DM with changed. */
  | { type: "presence"; presence: Record<string, PresenceStatus> }
  | { type: "pong" }
  | { type: "error"; code: "bad_frame" | "unknown_type"; message: string };

/** Calls ring in DMs and in rooms of at most this many members; bigger rooms show a badge. */
export const RING_MAX_MEMBERS = 20;
