import { Code, ConnectError } from "@connectrpc/connect";
import type { Refusal, RefusalCode } from "../../contract/errors";
import { REMOVAL_CLOSES, type RemovalReason } from "../../contract/wire";
import { ApiError } from "../../lib/errors";

/**
 * How ChatService words a failure: a ConnectError with the Connect code that fits, its text
 * `<hearth code>: <message>` so clients can match on the same codes as REST and SignalR.
 */

/**
 * The Connect code for each gateway refusal (contract/errors.ts). A `Record` over every code,
 * so a new refusal does not compile until Connect says how to answer it. `prefixed`: the text
 * starts with Hearth's code; a bad argument names its field itself, like `since_seq must be ≥ 0`.
 */
const CONNECT_REFUSALS: Record<RefusalCode, { code: Code; prefixed: boolean }> = {
  invalid_message: { code: Code.InvalidArgument, prefixed: true },
  rate_limited: { code: Code.ResourceExhausted, prefixed: true },
  not_a_member: { code: Code.PermissionDenied, prefixed: true },
  room_not_found: { code: Code.NotFound, prefixed: true },
  invalid_page: { code: Code.InvalidArgument, prefixed: false },
  message_not_found: { code: Code.NotFound, prefixed: true },
  not_author: { code: Code.PermissionDenied, prefixed: true },
  invalid_emoji: { code: Code.InvalidArgument, prefixed: true },
  too_many_reactions: { code: Code.FailedPrecondition, prefixed: true },
  // Read-only until unarchived: as REST's 403, not a precondition the caller could change.
  room_archived: { code: Code.PermissionDenied, prefixed: true },
  banned: { code: Code.PermissionDenied, prefixed: true },
};

export function refusalError(r: Refusal): ConnectError {
  const { code, prefixed } = CONNECT_REFUSALS[r.code];
  return new ConnectError(prefixed ? `${r.code}: ${r.message}` : r.message, code);
}

/**
 * How a stream ends when the room closes its subscription: the member left, was removed or
 * banned (`permission_denied`), or the room was deleted (`not_found`), as REMOVAL_CLOSES in
 * contract/wire.ts says; the session ended, 4001 (a bot revoked, or its token rotated: sign
 * in again, `unauthenticated`). Any other close ends the stream without an error.
 */
export function streamEndError(closeCode: number): ConnectError | null {
  if (closeCode === 4001) return new ConnectError("the session ended; sign in again", Code.Unauthenticated);
  const why = (Object.keys(REMOVAL_CLOSES) as RemovalReason[]).find((r) => REMOVAL_CLOSES[r].code === closeCode);
  if (!why) return null;
  const refusal: RefusalCode = why === "deleted" ? "room_not_found" : why === "banned" ? "banned" : "not_a_member";
  return new ConnectError(`${refusal}: ${REMOVAL_CLOSES[why].reason}`, CONNECT_REFUSALS[refusal].code);
}

/**
 * For an ApiError, which only a room that would not take a subscription throws here
 * (gateway/subscription.ts): its HTTP status as a Connect code.
 */
const STATUS_TO_CODE: Record<number, Code> = {
  400: Code.InvalidArgument,
  401: Code.Unauthenticated,
  403: Code.PermissionDenied,
  404: Code.NotFound,
  409: Code.AlreadyExists,
  413: Code.InvalidArgument,
  429: Code.ResourceExhausted,
  503: Code.Unavailable,
};

export function toConnectError(err: unknown): ConnectError {
  if (err instanceof ConnectError) return err;
  if (err instanceof ApiError) return new ConnectError(`${err.code}: ${err.message}`, STATUS_TO_CODE[err.status] ?? Code.Internal);
  console.error("connect handler failed", err);
  return new ConnectError("something went wrong on our side", Code.Internal);
}

/** Wraps a handler so that whatever it throws becomes a Connect error with a fitting code. */
export function guarded<A extends unknown[], R>(fn: (...args: A) => Promise<R>) {
  return async (...args: A): Promise<R> => {
    try {
      return await fn(...args);
    } catch (err) {
      throw toConnectError(err);
    }
  };
}
