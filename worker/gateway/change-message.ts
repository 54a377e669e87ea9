import type { SessionUser } from "../lib/session-user";
import type { Refusal } from "../contract/errors";
import type { ChatMessage } from "../contract/wire";
import type { Env } from "../env";
import type { Via } from "../contract/protocols";
import type { ChangeInput } from "./change";
import { membershipRefusal } from "./membership";

/**
 * Editing, deleting and reacting to a message, for every protocol that changes messages
 * through the worker (REST, SignalR, Connect; the Hearth socket changes them inside the room):
 * the member check in D1, then the room's `change`, which checks the rest (gateway/change.ts,
 * room/message-changes.ts), rate-limits, stores and broadcasts the message's new state.
 */

/** The message in its new state; `changeSeq` null when nothing changed, `duplicate` for a retried clientId. */
export type Changed = { ok: true; message: ChatMessage; changeSeq: number | null; duplicate: boolean };

/**
 * Applies `input` as `user`'s change in `roomId`, or says why not: `room_not_found`,
 * `not_a_member`, `invalid_message`, `invalid_emoji`, `message_not_found`, `not_author`,
 * `too_many_reactions`, `rate_limited` (with `retryAfterMs`).
 *
 * @example
 * const r = await changeMessage(env, roomId, user, { op: "react", seq: 12, emoji: "👍", on: true }, "rest");
 * if (!r.ok) throw refusalError(r); // rooms-http/refusals.ts
 */
export async function changeMessage(env: Env, roomId: string, user: SessionUser, input: ChangeInput, via: Via): Promise<Changed | Refusal> {
  const refused = await membershipRefusal(env.DB, roomId, user.id);
  if (refused) return refused;
  return env.ROOMS.getByName(roomId).change(roomId, { id: user.id, username: user.username }, input, via);
}
