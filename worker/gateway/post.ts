import type { SessionUser } from "../lib/session-user";
import type { Refusal } from "../contract/errors";
import type { ChatMessage } from "../contract/wire";
import type { Env } from "../env";
import type { Via } from "../contract/protocols";
import type { MessageInput } from "./draft";
import { membershipRefusal } from "./membership";

/**
 * Posting a message, for every protocol that posts through the worker (REST, SignalR, Connect;
 * the Hearth socket sends inside the room): the member check in D1, then the room's `post`,
 * which validates the draft (gateway/draft.ts), rate-limits, stores and broadcasts. Adapters
 * only translate the input and map the refusal to their own error.
 */

export type Posted = { ok: true; message: ChatMessage; duplicate: boolean };

/**
 * Stores `input` as `user`'s message in `roomId` (or finds the one stored under its clientId:
 * `duplicate`), or says why not: `room_not_found`, `not_a_member`, `invalid_message`,
 * `rate_limited` (with `retryAfterMs`).
 *
 * @example
 * const r = await postMessage(env, roomId, user, { clientId, body: "hi" }, "rest");
 * if (!r.ok) throw refusalError(r, c); // rooms-http/refusals.ts
 */
export async function postMessage(env: Env, roomId: string, user: SessionUser, input: MessageInput, via: Via): Promise<Posted | Refusal> {
  const refused = await membershipRefusal(env.DB, roomId, user.id);
  if (refused) return refused;
  return env.ROOMS.getByName(roomId).post(roomId, user, input, via);
}
