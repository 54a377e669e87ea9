/**
 * Why the room refused to post a message or serve history: one union that every protocol
 * (REST, the Hearth socket, SignalR, Connect) maps to its own error with a table. The codes are
 * part of the contract: they appear as REST `error.code`, socket `error.code`, and in the
 * SignalR and Connect error texts.
 */
export type RefusalCode = "invalid_message" | "rate_limited" | "not_a_member";

export interface Refusal {
  ok: false;
  code: RefusalCode;
  message: string;
  /** The clientId of the refused message, when it had a valid one (for the sender to match). */
  clientId?: string;
  /** For `rate_limited`: when a retry can succeed. */
  retryAfterMs?: number;
}
