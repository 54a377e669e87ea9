/**
 * The REST API's shapes, shared by the worker and the client (the client imports them as
 * types only). worker/schemas.ts declares the same shapes in zod for validation and the
 * OpenAPI document, and checks at compile time that the two agree.
 */
import type { ChatMessage } from "./wire";

export type Visibility = "public" | "private" | "dm";
/** A member's role in a room (docs/admin.md "Rooms and moderation"); a DM's two members are both `member`. */
export type Role = "owner" | "moderator" | "member";
/** A member's push setting for a room (docs/push.md). */
export type NotifyMode = "all" | "mentions" | "muted";

/** What everyone sees of a person besides the username (issue #18 "People"). */
export interface Profile {
  /** 1-64 characters, shown with the username; absent when not set. */
  displayName?: string;
  /** Their picture (256 px), a URL that changes when the picture does; absent: an initial is drawn. */
  avatarUrl?: string;
}

export interface User extends Profile {
  id: string;
  username: string;
  createdAt?: string;
  /** My own account only (GET/PATCH /api/me): whether I send read receipts (and so see others'). */
  readReceipts?: boolean;
  /** My own account, and administrators' list of users: an administrator, a member, or a bot. */
  role?: "admin" | "member" | "bot";
}

/** A room as one member sees it: their role, their unread count, and for a DM the other user. */
export interface Room {
  id: string;
  name: string;
  topic: string;
  visibility: Visibility;
  createdAt: string;
  lastSeq: number;
  lastMessageAt: string | null;
  unread: number;
  role: Role;
  /** This member's push setting for the room. */
  notify: NotifyMode;
  /** Present when the room is archived: read-only, left out of Browse (docs/admin.md). */
  archived?: true;
  dmWith?: DmPartner;
}

/** The other person in a DM. */
export interface DmPartner extends Profile {
  id: string;
  username: string;
}

export interface Member extends Profile {
  id: string;
  username: string;
  role: Role;
  /**
   * How far this member has read, in a DM or a room of at most 20 members, when both they and
   * I send read receipts (docs/protocol.md "Read receipts"); absent otherwise.
   */
  lastReadSeq?: number;
}

export interface RoomDetails extends Room {
  members: Member[];
}

/** A public room in Browse. */
export interface PublicRoom {
  id: string;
  name: string;
  topic: string;
  visibility: "public";
  createdAt: string;
  memberCount: number;
  joined: boolean;
}

/** Someone banned from a room (GET /api/rooms/{id}/bans): not a member, and cannot join or be added. */
export interface Ban {
  userId: string;
  username: string;
  /** Who banned them (a user id). */
  bannedBy: string;
  createdAt: string;
}

/** A message as REST returns it: the same shape as the socket's (contract/wire.ts). */
export type Message = ChatMessage;

/**
 * Part of a message's text as it is now, with the matched terms marked: `marks` are
 * [start, end) offsets in UTF-16 code units into `text`. Never HTML. A long body is cut to a
 * window around the first mark, with "…" where it was cut (the offsets count it).
 */
export interface Snippet {
  text: string;
  marks: Array<[number, number]>;
}

/** One message found by GET /api/search, or listed by GET /api/mentions. */
export interface SearchHit {
  roomId: string;
  /** As my room list names it (a DM: the other person's username). */
  roomName: string;
  visibility: Visibility;
  seq: number;
  userId: string;
  username: string;
  /** When it was sent, ms since the epoch (like a message's `ts`). */
  ts: number;
  kind: ChatMessage["kind"];
  snippet: Snippet;
}

/** A page of hits, newest first; `nextCursor` asks for the next (older) page, null at the end. */
export interface SearchPage {
  hits: SearchHit[];
  nextCursor: string | null;
}

/** Every REST error's body. */
export interface ErrorBody {
  error: { code: string; message: string };
}
