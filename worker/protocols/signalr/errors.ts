import type { Refusal, RefusalCode } from "../../contract/errors";
import { ApiError } from "../../lib/errors";

/**
 * How the hub words a failed invocation: a Completion whose `error` is `<code>: <message>`,
 * so SignalR clients can match on the same codes as REST and the Hearth socket.
 */

/** An invocation the hub refuses (its own rules, or a gateway refusal). */
export class HubError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The hub's code for each gateway refusal (contract/errors.ts): Hearth's own codes, unchanged.
 * A `Record` over every code, so a new refusal does not compile until the hub says how to word it.
 */
const HUB_CODES: Record<RefusalCode, string> = {
  invalid_message: "invalid_message",
  rate_limited: "rate_limited",
  not_a_member: "not_a_member",
  room_not_found: "room_not_found",
  invalid_page: "invalid_page",
  message_not_found: "message_not_found",
  not_author: "not_author",
  invalid_emoji: "invalid_emoji",
  too_many_reactions: "too_many_reactions",
  room_archived: "room_archived",
  banned: "banned",
};

export const hubRefusal = (r: Refusal) => new HubError(HUB_CODES[r.code], r.message);

/** The Completion's `error` text for what an invocation threw; anything unexpected is logged, not shown. */
export function completionError(err: unknown): string {
  // ApiError: a room that would not take the subscription (gateway/subscription.ts).
  if (err instanceof HubError || err instanceof ApiError) return `${err.code}: ${err.message}`;
  console.error("signalr invocation failed", err);
  return "An unexpected error occurred invoking the hub method.";
}
