import { isWellFormed, malformedText } from "../lib/text";
import { CLIENT_ID_PATTERN, MAX_BODY_CHARS, MESSAGE_KINDS, type AttachmentRef, type MessageKind } from "../contract/wire";
import type { SessionUser } from "../lib/session-user";

/** Who writes a message or a change: a session's user (its role with it: a bot's messages say `bot`). */
export interface Author {
  id: string;
  username: string;
  role?: SessionUser["role"];
}

/** What a client asks to store, from any protocol; validated by `validateDraft` below. */
export interface MessageInput {
  clientId: unknown;
  body?: unknown;
  kind?: unknown;
  attachment?: unknown;
  /** The seq of the message this one answers (same room). */
  replyTo?: unknown;
}

export interface Draft {
  clientId: string;
  kind: MessageKind;
  body: string;
  attachment?: AttachmentRef;
  replyTo?: number;
}

export type ValidDraft = { ok: true; draft: Draft } | { ok: false; message: string; clientId?: string };

const isInt = (v: unknown, min: number, max: number): v is number => Number.isInteger(v) && (v as number) >= min && (v as number) <= max;

/**
 * Checks a message as a client sent it (the same rules for every protocol): clientId, kind,
 * body (trimmed; required for text, an optional caption for media) and the attachment reference.
 */
export function validateDraft(input: MessageInput): ValidDraft {
  const { clientId } = input;
  const echo = typeof clientId === "string" && CLIENT_ID_PATTERN.test(clientId) ? clientId : undefined;
  if (echo === undefined) return { ok: false, message: "clientId must be 1-64 characters of A-Z a-z 0-9 _ - . :" };
  const fail = (message: string): ValidDraft => ({ ok: false, message, clientId: echo });

  const kind = input.kind ?? "text";
  if (typeof kind !== "string" || !MESSAGE_KINDS.includes(kind as MessageKind)) return fail("kind must be text, image, file or audio");
  const body = checkBody(input.body ?? (kind === "text" ? undefined : ""), kind === "text");
  if (!body.ok) return fail(body.message);
  const trimmed = body.text;
  const replyTo = input.replyTo;
  if (replyTo !== undefined && replyTo !== null && !isInt(replyTo, 1, Number.MAX_SAFE_INTEGER)) return fail("replyTo must be the seq of a message in this room");
  const reply = typeof replyTo === "number" ? { replyTo } : {};

  if (kind === "text") {
    if (input.attachment !== undefined) return fail("a text message has no attachment; use kind image, file or audio");
    return { ok: true, draft: { clientId: echo, kind, body: trimmed, ...reply } };
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
  return { ok: true, draft: { clientId: echo, kind: kind as MessageKind, body: trimmed, attachment: ref, ...reply } };
}

/**
 * A message body (or caption) as sent, trimmed: a string, well-formed, at most MAX_BODY_CHARS
 * characters, and not empty when `required`. The rule for new messages and for edits.
 */
export function checkBody(body: unknown, required: boolean): { ok: true; text: string } | { ok: false; message: string } {
  if (typeof body !== "string") return { ok: false, message: "body must be a string" };
  if (!isWellFormed(body)) return { ok: false, message: malformedText("body") };
  const text = body.trim();
  if (required && text.length === 0) return { ok: false, message: "body must not be empty" };
  // Count code points, not UTF-16 units, so an emoji counts as one character.
  let chars = 0;
  for (const _ of text) if (++chars > MAX_BODY_CHARS) break;
  if (chars > MAX_BODY_CHARS) return { ok: false, message: `body must be at most ${MAX_BODY_CHARS} characters` };
  return { ok: true, text };
}
