import type { RefusalCode } from "../contract/errors";
import { CLIENT_ID_PATTERN } from "../contract/wire";
import { checkBody } from "./draft";
import { normalizeEmoji } from "./emoji";

/**
 * A change to a stored message, from any protocol (docs/protocol.md "Changes"): an edit of
 * its body, its deletion, or a reaction toggled on or off. `validateChange` checks what can be
 * checked without the message; the room checks the rest (it exists, who wrote it, its kind).
 */

/** What a client asks to change, as it arrived. */
export type ChangeInput =
  | { op: "edit"; seq: unknown; body: unknown; clientId?: unknown }
  | { op: "delete"; seq: unknown; clientId?: unknown }
  | { op: "react"; seq: unknown; emoji: unknown; on: unknown; clientId?: unknown };

/** A change that passed `validateChange`: the body trimmed, the emoji normalized. */
export type Change =
  | { op: "edit"; seq: number; body: string; clientId?: string }
  | { op: "delete"; seq: number; clientId?: string }
  | { op: "react"; seq: number; emoji: string; on: boolean; clientId?: string };

export type ValidChange =
  | { ok: true; change: Change }
  | { ok: false; code: Extract<RefusalCode, "invalid_message" | "invalid_emoji" | "message_not_found">; message: string; clientId?: string };

/** Checks a change as a client sent it; the same rules for every protocol. */
export function validateChange(input: ChangeInput): ValidChange {
  let clientId: string | undefined;
  if (input.clientId !== undefined) {
    if (typeof input.clientId !== "string" || !CLIENT_ID_PATTERN.test(input.clientId)) {
      return { ok: false, code: "invalid_message", message: "clientId must be 1-64 characters of A-Z a-z 0-9 _ - . :" };
    }
    clientId = input.clientId;
  }
  const echo = clientId === undefined ? {} : { clientId };
  const fail = (code: "invalid_message" | "invalid_emoji" | "message_not_found", message: string): ValidChange => ({ ok: false, code, message, ...echo });
  const { seq } = input;
  if (typeof seq !== "number" || !Number.isSafeInteger(seq)) return fail("invalid_message", "seq must be a whole number");
  // A seq no message can have names no message: the same answer as a seq not stored (yet).
  if (seq < 1) return fail("message_not_found", `no message ${seq} in this room`);
  switch (input.op) {
    case "edit": {
      // Whether the body may be empty depends on the message (a caption may be): the room decides.
      const body = checkBody(input.body, false);
      if (!body.ok) return fail("invalid_message", body.message);
      return { ok: true, change: { op: "edit", seq, body: body.text, ...echo } };
    }
    case "delete":
      return { ok: true, change: { op: "delete", seq, ...echo } };
    case "react": {
      if (typeof input.on !== "boolean") return fail("invalid_message", "`on` must be a boolean");
      const emoji = normalizeEmoji(input.emoji);
      if (emoji === null) return fail("invalid_emoji", "a reaction must be one emoji");
      return { ok: true, change: { op: "react", seq, emoji, on: input.on, ...echo } };
    }
  }
}
