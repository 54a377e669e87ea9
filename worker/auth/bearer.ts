import { BEARER_PREFIX, SUBPROTOCOL } from "../contract/wire";
import { ApiError } from "../lib/errors";
import type { SessionUser } from "../lib/session-user";
import { verifySession, verifyTicket, type TicketUser } from "./tokens";

/**
 * The session token as every protocol receives it (REST, SignalR's negotiate, Connect, the
 * Hearth socket's `bearer.` subprotocol): read once, verified once, with the same words for
 * a bad token. Each protocol turns "missing" and "invalid" into its own 401 or error code.
 */

/** What a client is told to send when it sent no token over HTTP. */
export const SEND_BEARER = "send `Authorization: Bearer <token>` (from /api/auth/login)";
/** What a client is told when its token does not verify (bad signature, expired, wrong type). */
export const TOKEN_INVALID = "the token is invalid or expired; log in again";

/** The token of an `Authorization: Bearer <token>` header, or undefined. */
export function bearerToken(header: string | null | undefined): string | undefined {
  return /^Bearer\s+(\S+)$/i.exec(header ?? "")?.[1];
}

/** The session's user, or why not: no token at all, or one that does not verify. */
export async function sessionFrom(secret: string | undefined, token: string | null | undefined): Promise<SessionUser | "missing" | "invalid"> {
  if (!token) return "missing";
  return (await verifySession(secret, token)) ?? "invalid";
}

/**
 * Who opens a socket (a room's, or the per-user channel): a ticket for `scope` (`?ticket=`), or
 * the session token offered as a subprotocol, `new WebSocket(url, ["hearth.v1", "bearer." +
 * token])`. Also the subprotocol the 101 must name (the browser fails the handshake unless it
 * names one it offered). Throws the 400/401 ApiError a bad attempt answers.
 */
export async function socketAuth(
  secret: string | undefined,
  request: Request,
  ticket: string | undefined,
  scope: string,
): Promise<{ user: SessionUser | TicketUser; subprotocol: string | undefined }> {
  if (request.headers.get("Upgrade")?.toLowerCase() !== "websocket") {
    throw new ApiError(400, "bad_request", "this endpoint only accepts a WebSocket upgrade");
  }
  const header = request.headers.get("Sec-WebSocket-Protocol");
  const offered = header ? header.split(",").map((p) => p.trim()).filter(Boolean) : [];
  const subprotocol = offered.includes(SUBPROTOCOL) ? SUBPROTOCOL : undefined;
  if (ticket) {
    const user = await verifyTicket(secret, ticket, scope);
    if (!user) throw new ApiError(401, "invalid_ticket", "the ticket is expired or for another room");
    return { user, subprotocol };
  }
  const bearer = offered.find((p) => p.startsWith(BEARER_PREFIX));
  if (!bearer) throw new ApiError(401, "unauthorized", `offer the subprotocols "${SUBPROTOCOL}" and "${BEARER_PREFIX}<token>", or pass a ticket`);
  if (!subprotocol) throw new ApiError(400, "bad_request", `offer the subprotocol "${SUBPROTOCOL}" beside the token`);
  const user = await sessionFrom(secret, bearer.slice(BEARER_PREFIX.length));
  if (typeof user === "string") throw new ApiError(401, "invalid_token", TOKEN_INVALID);
  return { user, subprotocol };
}
