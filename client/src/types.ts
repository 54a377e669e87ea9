/** Shapes of the REST API and the room WebSocket protocol (docs/protocol.md). */

// The REST shapes and the wire shapes of messages and server frames are the worker's own (one
// definition for both sides); only types cross over, nothing of the worker is bundled.
export type { Member, NotifyMode, Profile, PublicRoom, Room, RoomDetails, SearchHit, SearchPage, Snippet, User, Visibility } from "../../worker/contract/rest";
export type {
  Attachment,
  AttachmentRef,
  CallParticipant,
  ChatMessage as Message,
  MessageKind,
  OnlineUser,
  Reaction,
  ReplyRef,
  ServerFrame,
  ServerFrameV2,
} from "../../worker/contract/wire";
import type { AttachmentRef, MessageKind } from "../../worker/contract/wire";

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
  | { type: "send"; clientId: string; body: string; kind?: MediaKind; attachment?: AttachmentRef; replyTo?: number }
  | { type: "edit"; clientId: string; seq: number; body: string }
  | { type: "delete"; clientId: string; seq: number }
  | { type: "react"; clientId: string; seq: number; emoji: string; on: boolean }
  | { type: "typing"; typing: boolean }
  | { type: "visibility"; hidden: boolean }
  | { type: "ping" };
