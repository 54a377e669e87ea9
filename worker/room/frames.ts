/**
 * The room's WebSocket frames (docs/protocol.md is the prose version of this file).
 * Client frames are parsed here; server frames are typed so that `send` cannot emit
 * a frame the protocol does not define.
 */

/** The socket's subprotocol, and the prefix of the one that carries the session token (protocol §1). */
export const SUBPROTOCOL = "hearth.v1";
export const BEARER_PREFIX = "bearer.";

export const MAX_BODY_CHARS = 4000;
export const MAX_FRAME_BYTES = 32 * 1024;
export const CLIENT_ID_PATTERN = /^[A-Za-z0-9_.:-]{1,64}$/;

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
}

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
}

/** Someone in the room's call (see docs/calls.md). */
export interface CallParticipant {
  peerId: string;
  userId: string;
  username: string;
  joinedAt: string;
}

export type ClientFrame =
  | { type: "send"; clientId: unknown; body: unknown; kind?: unknown; attachment?: unknown }
  | { type: "typing"; typing: unknown }
  | { type: "visibility"; hidden: unknown }
  | { type: "ping" };

export type ErrorCode = "bad_frame" | "unknown_type" | "invalid_message" | "rate_limited" | "internal";

export type ServerFrame =
  | {
      type: "hello";
      roomId: string;
      user: { id: string; username: string };
      lastSeq: number;
      online: OnlineUser[];
      /** Who is in the room's call now (empty: no call). */
      call: CallParticipant[];
      limits: { maxBodyChars: number; maxFrameBytes: number; rateBurst: number; ratePerSecond: number };
    }
  | { type: "message"; message: ChatMessage }
  | { type: "synced"; lastSeq: number }
  /** To the socket that sent the message, which gets no `message` frame of its own: `message` is it. */
  | { type: "ack"; clientId: string; seq: number; ts: number; duplicate: boolean; message: ChatMessage }
  | { type: "typing"; userId: string; username: string; typing: boolean }
  | { type: "presence"; online: OnlineUser[] }
  | { type: "call"; participants: CallParticipant[]; ringing: boolean }
  | { type: "pong" }
  | { type: "error"; code: ErrorCode; message: string; clientId?: string; retryAfterMs?: number };

export const PING_FRAME = '{"type":"ping"}';
export const PONG_FRAME = '{"type":"pong"}';

const CLIENT_TYPES = new Set<string>(["send", "typing", "visibility", "ping"]);

export type ParsedFrame = { ok: true; frame: ClientFrame } | { ok: false; code: "bad_frame" | "unknown_type"; message: string };

/** Parses one text frame. Never throws. */
export function parseClientFrame(text: string): ParsedFrame {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, code: "bad_frame", message: "frame is not valid JSON" };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return { ok: false, code: "bad_frame", message: "frame must be a JSON object" };
  }
  const type = (value as { type?: unknown }).type;
  if (typeof type !== "string") return { ok: false, code: "bad_frame", message: "frame needs a string `type`" };
  if (!CLIENT_TYPES.has(type)) return { ok: false, code: "unknown_type", message: `unknown frame type \`${type.slice(0, 40)}\`` };
  return { ok: true, frame: value as ClientFrame };
}

export interface Draft {
  clientId: string;
  kind: MessageKind;
  body: string;
  attachment?: AttachmentRef;
}

export type ValidDraft = { ok: true; draft: Draft } | { ok: false; message: string; clientId?: string };

const isInt = (v: unknown, min: number, max: number): v is number => Number.isInteger(v) && (v as number) >= min && (v as number) <= max;

/**
 * Checks a message as a client sent it (the same rules for every protocol): clientId, kind,
 * body (trimmed; required for text, an optional caption for media) and the attachment reference.
 */
export function validateDraft(input: { clientId: unknown; body?: unknown; kind?: unknown; attachment?: unknown }): ValidDraft {
  const { clientId } = input;
  const echo = typeof clientId === "string" && CLIENT_ID_PATTERN.test(clientId) ? clientId : undefined;
  if (echo === undefined) return { ok: false, message: "clientId must be 1-64 characters of A-Z a-z 0-9 _ - . :" };
  const fail = (message: string): ValidDraft => ({ ok: false, message, clientId: echo });

  const kind = input.kind ?? "text";
  if (typeof kind !== "string" || !MESSAGE_KINDS.includes(kind as MessageKind)) return fail("kind must be text, image, file or audio");
  const body = input.body ?? (kind === "text" ? undefined : "");
  if (typeof body !== "string") return fail("body must be a string");
  const trimmed = body.trim();
  if (kind === "text" && trimmed.length === 0) return fail("body must not be empty");
  // Count code points, not UTF-16 units, so an emoji counts as one character.
  let chars = 0;
  for (const _ of trimmed) if (++chars > MAX_BODY_CHARS) break;
  if (chars > MAX_BODY_CHARS) return fail(`body must be at most ${MAX_BODY_CHARS} characters`);

  if (kind === "text") {
    if (input.attachment !== undefined) return fail("a text message has no attachment; use kind image, file or audio");
    return { ok: true, draft: { clientId: echo, kind, body: trimmed } };
  }
  const a = input.attachment as Record<string, unknown> | undefined;
  if (typeof a !== "object" || a === null || typeof a.uploadId !== "string" || a.uploadId.length === 0 || a.uploadId.length > 64) {
    return fail(`a ${kind} message needs attachment.uploadId`);
  }
  const ref: AttachmentRef = { uploadId: a.uploadId };
  if (kind === "image") {
    if (a.width !== undefined || a.height !== undefined) {
      if (!isInt(a.width, 1, 20000) || !isInt(a.height, 1, 20000)) return fail("attachment width and height must be whole numbers from 1 to 20000");
      ref.width = a.width;
      ref.height = a.height;
    }
  }
  if (kind === "audio" && a.duration !== undefined) {
    if (typeof a.duration !== "number" || !Number.isFinite(a.duration) || a.duration < 0 || a.duration > 86400) {
      return fail("attachment duration must be a number of seconds from 0 to 86400");
    }
    ref.duration = Math.round(a.duration * 1000) / 1000;
  }
  return { ok: true, draft: { clientId: echo, kind: kind as MessageKind, body: trimmed, attachment: ref } };
}
