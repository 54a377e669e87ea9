import type { Refusal, RefusalCode } from "../contract/errors";
import { REMOVAL_CLOSES, type ErrorCode } from "../contract/wire";

/**
 * How the Hearth socket answers a refused post or change (`Refusal`, contract/errors.ts): the error
 * frame's code, and whether the refusal counts as a strike against the socket (past
 * MAX_STRIKES in a row it is closed). Other protocols map the same union with their own
 * tables (REST statuses, SignalR and Connect errors).
 */
type SocketAnswer =
  | { kind: "error"; code: ErrorCode; strike: boolean }
  /** The socket itself may not stay: closed with this code and reason. */
  | { kind: "close"; code: number; reason: string };

export const SOCKET_ANSWERS: Record<RefusalCode, SocketAnswer> = {
  invalid_message: { kind: "error", code: "invalid_message", strike: true },
  // Sending too fast is answered with when to retry, not counted against the socket: a
  // client catching up on an outbox after a reconnect meets the limit honestly.
  rate_limited: { kind: "error", code: "rate_limited", strike: false },
  // The four below are the worker's side of the gateway (a socket's membership is settled at
  // the upgrade and by the close of a leave, removal or ban; a socket asks for no history
  // pages): the table must cover them, the intake never returns them but `room_not_found`,
  // for a frame that raced the room's deletion.
  not_a_member: { kind: "close", ...REMOVAL_CLOSES.left },
  banned: { kind: "close", ...REMOVAL_CLOSES.banned },
  room_not_found: { kind: "close", ...REMOVAL_CLOSES.deleted },
  invalid_page: { kind: "error", code: "bad_frame", strike: true },
  // A message deleted a moment ago, or an emoji cap reached by others, is a race, not a fault.
  message_not_found: { kind: "error", code: "message_not_found", strike: false },
  too_many_reactions: { kind: "error", code: "too_many_reactions", strike: false },
  not_author: { kind: "error", code: "not_author", strike: true },
  invalid_emoji: { kind: "error", code: "invalid_emoji", strike: true },
  // The owner archived the room: the client says so, it did nothing wrong.
  room_archived: { kind: "error", code: "room_archived", strike: false },
};

/** The error frame's fields for a refusal (without `type`), as the socket sends it. */
export function refusalFields(refusal: Refusal, code: ErrorCode): { code: ErrorCode; message: string; clientId?: string; retryAfterMs?: number } {
  const { ok: _, code: __, message, ...extra } = refusal;
  return { code, message, ...extra };
}
