import { isWellFormed, malformedText } from "../lib/text";
import { CLIENT_ID_PATTERN, MAX_BODY_CHARS, MESSAGE_KINDS, type AttachmentRef, type MessageKind } from "../contract/wire";

export interface Author {
  id: string;
  username: string;
}

/** What a client asks to store, from any protocol; validated by `validateDraft` below. */
export interface MessageInput {
  clientId: unknown;
  body?: unknown;
  kind?: unknown;
  attachment?: unknown;
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
  if (!isWellFormed(body)) return fail(malformedText("body"));
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
