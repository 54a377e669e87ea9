/**
 * The room's WebSocket frames (docs/protocol.md is the prose version of this file).
 * Client frames are parsed here; server frames are typed so that `send` cannot emit
 * a frame the protocol does not define.
 */

export const MAX_BODY_CHARS = 4000;
export const MAX_FRAME_BYTES = 32 * 1024;
export const CLIENT_ID_PATTERN = /^[A-Za-z0-9_.:-]{1,64}$/;

export interface ChatMessage {
  roomId: string;
  seq: number;
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
  | { type: "send"; clientId: unknown; body: unknown }
  | { type: "typing"; typing: unknown }
  | { type: "ping" };

export type ErrorCode = "bad_frame" | "unknown_type" | "invalid_message" | "rate_limited" | "internal";

export type ServerFrame =
  | {
      type: "hello";
      roomId: string;
      user: { id: string; username: string };
      lastSeq: number;
      online: OnlineUser[];
      limits: { maxBodyChars: number; maxFrameBytes: number; rateBurst: number; ratePerSecond: number };
    }
  | { type: "message"; message: ChatMessage }
  | { type: "synced"; lastSeq: number }
  | { type: "ack"; clientId: string; seq: number; ts: number; duplicate: boolean }
  | { type: "typing"; userId: string; username: string; typing: boolean }
  | { type: "presence"; online: OnlineUser[] }
  | { type: "pong" }
  | { type: "error"; code: ErrorCode; message: string; clientId?: string; retryAfterMs?: number };

export const PING_FRAME = '{"type":"ping"}';
export const PONG_FRAME = '{"type":"pong"}';

const CLIENT_TYPES = new Set<string>(["send", "typing", "ping"]);

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

export type ValidMessage = { ok: true; clientId: string; body: string } | { ok: false; message: string; clientId?: string };

/** Checks a message's clientId and body (the same rules for every protocol). The body is trimmed. */
export function validateMessage(clientId: unknown, body: unknown): ValidMessage {
  const echo = typeof clientId === "string" && CLIENT_ID_PATTERN.test(clientId) ? clientId : undefined;
  if (echo === undefined) {
    return { ok: false, message: "clientId must be 1-64 characters of A-Z a-z 0-9 _ - . :" };
  }
  if (typeof body !== "string") return { ok: false, message: "body must be a string", clientId: echo };
  const trimmed = body.trim();
  if (trimmed.length === 0) return { ok: false, message: "body must not be empty", clientId: echo };
  // Count code points, not UTF-16 units, so an emoji counts as one character.
  let chars = 0;
  for (const _ of trimmed) if (++chars > MAX_BODY_CHARS) break;
  if (chars > MAX_BODY_CHARS) return { ok: false, message: `body must be at most ${MAX_BODY_CHARS} characters`, clientId: echo };
  return { ok: true, clientId: echo, body: trimmed };
}
