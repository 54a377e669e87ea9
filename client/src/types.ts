/** Shapes of the REST API and the room WebSocket protocol (docs/protocol.md). */

export interface User {
  id: string;
  username: string;
  createdAt?: string;
}

export type Visibility = "public" | "private" | "dm";

export interface Room {
  id: string;
  name: string;
  topic: string;
  visibility: Visibility;
  createdAt: string;
  lastSeq: number;
  lastMessageAt: string | null;
  unread: number;
  role: "owner" | "member";
  dmWith?: { id: string; username: string };
}

export interface Member {
  id: string;
  username: string;
  role: "owner" | "member";
}

export interface RoomDetails extends Room {
  members: Member[];
}

export interface PublicRoom {
  id: string;
  name: string;
  topic: string;
  visibility: Visibility;
  createdAt: string;
  memberCount: number;
  joined: boolean;
}

/** A stored message, as the socket and `GET /messages` give it. */
export interface Message {
  roomId: string;
  seq: number;
  /** Milliseconds since the epoch. */
  ts: number;
  userId: string;
  username: string;
  body: string;
  clientId: string;
}

export interface OnlineUser {
  userId: string;
  username: string;
}

export type ClientFrame =
  | { type: "send"; clientId: string; body: string }
  | { type: "typing"; typing: boolean }
  | { type: "ping" };

export type ServerFrame =
  | {
      type: "hello";
      roomId: string;
      user: { id: string; username: string };
      lastSeq: number;
      online: OnlineUser[];
      limits?: Record<string, number>;
    }
  | { type: "message"; message: Message }
  | { type: "synced"; lastSeq: number }
  | { type: "ack"; clientId: string; seq: number; ts: number; duplicate: boolean }
  | { type: "typing"; userId: string; username: string; typing: boolean }
  | { type: "presence"; online: OnlineUser[] }
  | { type: "pong" }
  | {
      type: "error";
      code: string;
      message: string;
      clientId?: string;
      retryAfterMs?: number;
    };
