/**
 * The REST API's shapes, shared by the worker and the client (the client imports them as
 * types only). worker/schemas.ts declares the same shapes in zod for validation and the
 * OpenAPI document, and checks at compile time that the two agree.
 */
import type { ChatMessage } from "./wire";

export type Visibility = "public" | "private" | "dm";
export type Role = "owner" | "member";
/** A member's push setting for a room (docs/push.md). */
export type NotifyMode = "all" | "mentions" | "muted";

export interface User {
  id: string;
  username: string;
  createdAt?: string;
  /** My own account only (GET/PATCH /api/me): whether I send read receipts (and so see others'). */
  readReceipts?: boolean;
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
  dmWith?: { id: string; username: string };
}

export interface Member {
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

/** A message as REST returns it: the same shape as the socket's (contract/wire.ts). */
export type Message = ChatMessage;

/** Every REST error's body. */
export interface ErrorBody {
  error: { code: string; message: string };
}
