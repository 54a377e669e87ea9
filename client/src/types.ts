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

// The wire shapes of messages and server frames are the worker's own (one definition for both
// sides of the protocol); only types cross over, nothing of the worker is bundled.
export type {
  Attachment,
  AttachmentRef,
  CallParticipant,
  ChatMessage as Message,
  MessageKind,
  OnlineUser,
  ServerFrame,
} from "../../worker/room/frames";
import type { AttachmentRef, MessageKind } from "../../worker/room/frames";

export type MediaKind = Exclude<MessageKind, "text">;

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
