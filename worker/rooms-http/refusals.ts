import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { Refusal, RefusalCode } from "../contract/errors";
import { ApiError } from "../lib/errors";

/**
 * REST's half of the gateway's refusals (contract/errors.ts): the HTTP status each one
 * answers, as `{"error":{"code","message"}}`. A `Record` over every code, so a new refusal
 * does not compile until REST says how to answer it.
 */
const REST_REFUSALS: Record<RefusalCode, { status: ContentfulStatusCode; code?: string }> = {
  // The draft broke a rule: the client must change it, not retry it.
  invalid_message: { status: 400 },
  // Too many messages: retry later; `Retry-After` says when (whole seconds, at least 1).
  rate_limited: { status: 429 },
  // A private room's existence is not secret (its id is unguessable): a clear 403, not a 404.
  not_a_member: { status: 403 },
  room_not_found: { status: 404 },
  // The same answer the route's query schema gives (lib/app.ts), which normally catches it first.
  invalid_page: { status: 400, code: "validation_error" },
  // The message to change, reply to or page around is not in the room (or is deleted).
  message_not_found: { status: 404 },
  // Someone else's message (the room's owner and moderators may delete, not edit, it).
  not_author: { status: 403 },
  invalid_emoji: { status: 400 },
  // The message already carries its 20 emoji: another one conflicts with its state.
  too_many_reactions: { status: 409 },
  // Read-only until its owner unarchives it, and kept out until unbanned: not allowed, as not_a_member.
  room_archived: { status: 403 },
  banned: { status: 403 },
};

/** The ApiError to throw for a refusal; sets `Retry-After` on `c` for `rate_limited`. */
export function refusalError(r: Refusal, c?: { header(name: string, value: string): void }): ApiError {
  if (r.code === "rate_limited") c?.header("Retry-After", String(Math.max(1, Math.ceil((r.retryAfterMs ?? 1000) / 1000))));
  const { status, code = r.code } = REST_REFUSALS[r.code];
  return new ApiError(status, code, r.message);
}
