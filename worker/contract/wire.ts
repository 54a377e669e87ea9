/**
 * The room's WebSocket frames and the message shape, shared by the worker and the client
 * (docs/protocol.md is the prose version of this file). Server frames are typed so that `send`
 * cannot emit a frame the protocol does not define. This module imports nothing: the client
 * bundles its constants, and clients ignore frame types and fields they do not know.
 */

/** The socket's subprotocol, and the prefix of the one that carries the session token (protocol §1). */
export const SUBPROTOCOL = "hearth.v1";
/** Version 2 of a room socket's subprotocol: compact `message` and `update` frames (protocol §2 "Version 2"). */
export const SUBPROTOCOL_V2 = "hearth.v2";
export const BEARER_PREFIX = "bearer.";

export const MAX_BODY_CHARS = 4000;
export const MAX_FRAME_BYTES = 32 * 1024;
export const CLIENT_ID_PATTERN = /^[A-Za-z0-9_.:-]{1,64}$/;

/** Distinct emoji one message can carry (the next one is refused: `too_many_reactions`). */
export const MAX_REACTIONS_PER_MESSAGE = 20;
/** Read receipts are shown in DMs and in rooms of at most this many members. */
export const RECEIPTS_MAX_MEMBERS = 20;
/** Characters (code points) of the original a reply quotes. */
export const REPLY_EXCERPT_CHARS = 100;
/**
 * A room is big past this many open sockets, or when it has shards (docs/protocol.md "Big
 * rooms"): presence goes out as a count (`presence_count`) and typing is not broadcast.
 */
export const BIG_ROOM_SOCKETS = 100;

export type MessageKind = "text" | "image" | "file" | "audio";
export const MESSAGE_KINDS: readonly MessageKind[] = ["text", "image", "file", "audio"];

/** What a media message carries about its file (the bytes are in R2). */
export interface Attachment {
  /** The upload's id; a signed URL for it comes from GET /api/rooms/{roomId}/attachments/{id}. */
  id: string;
  name: string;
  size: number;
  /** The type sniffed from the bytes. */
  type: string;
  width?: number;
  height?: number;
  /** Seconds, for audio. */
  duration?: number;
}

/** One emoji on a message: who reacted with it (first-come order). */
export interface Reaction {
  emoji: string;
  count: number;
  userIds: string[];
}

/** The message a reply answers, as it is now (it follows the original's edits and deletion). */
export interface ReplyRef {
  seq: number;
  userId: string;
  username: string;
  /** The original's first REPLY_EXCERPT_CHARS characters; empty once it is deleted. */
  excerpt: string;
  deleted: boolean;
}

/**
 * A message in its current state. Fields that do not apply are absent (not null, not empty):
 * a message never edited has no `editedAt`, one without reactions no `reactions`. A deleted
 * message is a tombstone: `deleted: true`, `body: ""`, and no attachment, reactions or replyTo.
 */
export interface ChatMessage {
  roomId: string;
  seq: number;
  ts: number;
  userId: string;
  username: string;
  kind: MessageKind;
  /** The text, or a media message's caption (may then be empty). */
  body: string;
  clientId: string;
  attachment?: Attachment;
  /** When the body was last edited (ms since the epoch, like `ts`). */
  editedAt?: number;
  deleted?: true;
  /** In the order each emoji was first used. */
  reactions?: Reaction[];
  replyTo?: ReplyRef;
  /** The body's `@room` mentions every member: its author may (the room's owner; contract/mentions.ts). */
  mentionsRoom?: true;
  /** Written by a bot, or an incoming webhook (docs/bots.md): no webhook is called for it. */
  bot?: true;
}

/**
 * A message as subprotocol 2 sends it in `message` and `update` frames (docs/protocol.md
 * "Version 2"): no `roomId` (the socket's room), no `kind` when it is "text", and `clientId`
 * only to its author's own sockets. A version 1 message is one too.
 */
export type CompactMessage = Omit<ChatMessage, "roomId" | "kind" | "clientId"> & Partial<Pick<ChatMessage, "roomId" | "kind" | "clientId">>;

/** What a client asks to attach: its own upload, plus what only the client can measure. */
export interface AttachmentRef {
  uploadId: string;
  width?: number;
  height?: number;
  duration?: number;
}

export interface OnlineUser {
  userId: string;
  username: string;
  /** "away": in the app, but no tab of theirs is visible (absent: online). */
  status?: "away";
}

/** Someone in the room's call (see docs/calls.md). */
export interface CallParticipant {
  peerId: string;
  userId: string;
  username: string;
  joinedAt: string;
}

export type ClientFrame =
  | { type: "send"; clientId: unknown; body: unknown; kind?: unknown; attachment?: unknown; replyTo?: unknown }
  | { type: "edit"; clientId: unknown; seq: unknown; body: unknown }
  | { type: "delete"; clientId: unknown; seq: unknown }
  | { type: "react"; clientId: unknown; seq: unknown; emoji: unknown; on: unknown }
  | { type: "typing"; typing: unknown }
  | { type: "visibility"; hidden: unknown }
  | { type: "ping" };

export type ErrorCode =
  | "bad_frame"
  | "unknown_type"
  | "invalid_message"
  | "rate_limited"
  | "not_author"
  | "message_not_found"
  | "invalid_emoji"
  | "too_many_reactions"
  | "room_archived"
  | "internal";

/** Why a membership ended: the user left, was removed or banned, or the room was deleted. */
export type RemovalReason = "left" | "removed" | "banned" | "deleted";

/**
 * How a room socket closes when its user may no longer be in the room, by why (docs/protocol.md
 * "Close codes"). Reconnecting after any of them cannot help: the upgrade is refused.
 */
export const REMOVAL_CLOSES: Record<RemovalReason, { code: number; reason: string }> = {
  left: { code: 1008, reason: "no longer a member of this room" },
  removed: { code: 4003, reason: "removed from this room" },
  banned: { code: 4004, reason: "banned from this room" },
  deleted: { code: 4005, reason: "this room was deleted" },
};

export type ServerFrame =
  | {
      type: "hello";
      roomId: string;
      user: { id: string; username: string };
      lastSeq: number;
      /** The room's newest change (edit, delete, reaction; docs/protocol.md "Changes"); 0: none yet. */
      lastChangeSeq: number;
      /** Who is online; empty in a big room (docs/protocol.md "Big rooms"), which says `onlineCount` instead. */
      online: OnlineUser[];
      /** A big room's count of users online (present only in a big room, where `online` is empty). */
      onlineCount?: number;
      /** Who is in the room's call now (empty: no call). */
      call: CallParticipant[];
      limits: { maxBodyChars: number; maxFrameBytes: number; rateBurst: number; ratePerSecond: number };
    }
  | { type: "message"; message: ChatMessage }
  | { type: "synced"; lastSeq: number; lastChangeSeq: number }
  /** A message changed (edited, deleted, reacted to, or the message it replies to did): its whole current state. */
  | { type: "update"; changeSeq: number; message: ChatMessage }
  /**
   * To the socket that sent the message or change, which gets no `message`/`update` frame of
   * its own: `message` is it, in its new state. `changeSeq`: the change's number (changes only;
   * absent when a toggle changed nothing).
   */
  | { type: "ack"; clientId: string; seq: number; ts: number; duplicate: boolean; message: ChatMessage; changeSeq?: number }
  | { type: "typing"; userId: string; username: string; typing: boolean }
  /** A member read up to `seq` (a read receipt: small rooms and DMs, members who send them; docs/protocol.md). */
  | { type: "read"; userId: string; username: string; seq: number }
  | { type: "presence"; online: OnlineUser[] }
  /** A big room's presence: how many users are online, instead of the list (docs/protocol.md "Big rooms"). */
  | { type: "presence_count"; online: number }
  | { type: "call"; participants: CallParticipant[]; ringing: boolean }
  | { type: "pong" }
  | { type: "error"; code: ErrorCode; message: string; clientId?: string; retryAfterMs?: number };

/** The server frames of subprotocol 2: those of version 1, with compact messages in `message` and `update`. */
export type ServerFrameV2 =
  | Exclude<ServerFrame, { type: "message" | "update" }>
  | { type: "message"; message: CompactMessage }
  | { type: "update"; changeSeq: number; message: CompactMessage };

export const PING_FRAME = '{"type":"ping"}';
export const PONG_FRAME = '{"type":"pong"}';
