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
  /** My push setting for this room. */
  notify?: "all" | "mentions" | "muted";
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
  /** The text, or a media message's caption (may then be empty). */
  body: string;
  clientId: string;
  /** Absent on servers older than media messages: then "text". */
  kind?: MessageKind;
  attachment?: Attachment;
}

export type MessageKind = "text" | "image" | "file" | "audio";
export type MediaKind = Exclude<MessageKind, "text">;

/** What a media message carries about its file (docs/protocol.md, docs/media.md). */
export interface Attachment {
  /** The upload id; a signed URL comes from GET /api/rooms/{roomId}/attachments/{id}. */
  id: string;
  name: string;
  size: number;
  /** Sniffed from the bytes by the server. */
  type: string;
  width?: number;
  height?: number;
  /** Seconds (audio). */
  duration?: number;
}

/** What a client sends to attach its own finished upload. */
export interface AttachmentRef {
  uploadId: string;
  width?: number;
  height?: number;
  duration?: number;
}

export interface OnlineUser {
  userId: string;
  username: string;
}

/** Someone in a room's call: one entry per open signaling socket (docs/calls.md). */
export interface CallParticipant {
  peerId: string;
  userId: string;
  username: string;
  joinedAt: string;
}

/** `POST /api/rooms/{id}/calls/peer`: a peer id and the PeerJS options to use it with. */
export interface PeerGrant {
  peerId: string;
  key: string;
  path: string;
  iceServers: RTCIceServer[];
  expiresAt: string;
  maxPeers: number;
}

export type ClientFrame =
  | { type: "send"; clientId: string; body: string; kind?: MediaKind; attachment?: AttachmentRef }
  | { type: "typing"; typing: boolean }
  | { type: "visibility"; hidden: boolean }
  | { type: "ping" };

export type ServerFrame =
  | {
      type: "hello";
      roomId: string;
      user: { id: string; username: string };
      lastSeq: number;
      online: OnlineUser[];
      /** Who is in the room's call now (empty: no call). Absent on servers without calls. */
      call?: CallParticipant[];
      limits?: Record<string, number>;
    }
  | { type: "message"; message: Message }
  | { type: "synced"; lastSeq: number }
  | { type: "ack"; clientId: string; seq: number; ts: number; duplicate: boolean }
  | { type: "typing"; userId: string; username: string; typing: boolean }
  | { type: "presence"; online: OnlineUser[] }
  | { type: "call"; participants: CallParticipant[]; ringing: boolean }
  | { type: "pong" }
  | {
      type: "error";
      code: string;
      message: string;
      clientId?: string;
      retryAfterMs?: number;
    };
