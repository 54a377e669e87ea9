/**
 * Why the room refused to post a message or serve history: one union that every protocol
 * (REST, the Hearth socket, SignalR, Connect) maps to its own error with a table. The codes are
 * part of the contract: they appear as REST `error.code`, socket `error.code`, and in the
 * SignalR and Connect error texts.
 *
 * - `invalid_message`: the draft broke a rule (gateway/draft.ts: clientId, kind, body, attachment).
 * - `rate_limited`: the sender's bucket in this room is empty; `retryAfterMs` says for how long.
 * - `not_a_member`: the user is not (or no longer) a member of the room.
 * - `room_not_found`: there is no such room.
 * - `invalid_page`: a history page was asked with a `limit` out of range (gateway/history.ts).
 * - `message_not_found`: the message to change or reply to is not in this room, or is deleted.
 * - `not_author`: only the author may edit a message; only the author, the room's owner or a
 *   moderator (or an administrator, in a public room) delete it.
 * - `invalid_emoji`: a reaction is not one emoji (gateway/emoji.ts).
 * - `too_many_reactions`: the message already carries MAX_REACTIONS_PER_MESSAGE distinct emoji.
 * - `room_archived`: the room is archived (read-only): no messages or changes until it is unarchived.
 * - `banned`: the user is banned from the room (a ban also ends the membership).
 */
export type RefusalCode =
  | "invalid_message"
  | "rate_limited"
  | "not_a_member"
  | "room_not_found"
  | "invalid_page"
  | "message_not_found"
  | "not_author"
  | "invalid_emoji"
  | "too_many_reactions"
  | "room_archived"
  | "banned";

export interface Refusal {
  ok: false;
  code: RefusalCode;
  message: string;
  /** The clientId of the refused message, when it had a valid one (for the sender to match). */
  clientId?: string;
  /** For `rate_limited`: when a retry can succeed. */
  retryAfterMs?: number;
}

/** The texts of the membership refusals, worded once for every route and protocol. */
export const NOT_A_MEMBER = "you are not a member of this room";
export const NO_SUCH_ROOM = "no such room";
export const ROOM_ARCHIVED = "this room is archived: it is read-only until its owner unarchives it";
export const BANNED = "you are banned from this room";
