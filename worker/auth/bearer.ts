import { BEARER_PREFIX, SUBPROTOCOL } from "../contract/wire";
import { ApiError } from "../lib/errors";
import type { SessionUser } from "../lib/session-user";
import { ACCOUNT_DEACTIVATED, accountRole } from "./account";
import { botSession, isBotToken } from "./bot-tokens";
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

/** What verifying a session needs: the signing secret, and D1 for the account's state. */
export type AuthEnv = { JWT_SECRET: string; DB: D1Database; ADMIN_USERNAMES?: string };

/**
 * The session's user with their role now, or why not: no token at all, one that does not
 * verify (or whose account is gone), or an account an administrator deactivated. A bot's
 * token (`hb_…`, auth/bot-tokens.ts) is a session too: its bot, while the token is current.
 */
export async function sessionFrom(env: AuthEnv, token: string | null | undefined): Promise<SessionUser | "missing" | "invalid" | "deactivated"> {
  if (!token) return "missing";
  if (isBotToken(token)) return botSession(env.DB, token);
  const user = await verifySession(env.JWT_SECRET, token);
  if (!user) return "invalid";
  const role = await accountRole(env, user);
  if (role === "gone") return "invalid";
  if (role === "deactivated") return "deactivated";
  return { ...user, role };
}

/**
 * Who opens a socket (a room's, or the per-user channel): a ticket for `scope` (`?ticket=`), or
 * the session token offered as a subprotocol, `new WebSocket(url, ["hearth.v1", "bearer." +
 * token])`. Also the subprotocol the 101 must name (the browser fails the handshake unless it
 * names one it offered): the first of `accepted` (in the server's order of preference) that the
 * client offered. Throws the 400/401 ApiError a bad attempt answers.
 */
export async function socketAuth(
  env: AuthEnv,
  request: Request,
  ticket: string | undefined,
  scope: string,
  accepted: readonly string[] = [SUBPROTOCOL],
): Promise<{ user: SessionUser | TicketUser; subprotocol: string | undefined }> {
  if (request.headers.get("Upgrade")?.toLowerCase() !== "websocket") {
    throw new ApiError(400, "bad_request", "this endpoint only accepts a WebSocket upgrade");
  }
  const header = request.headers.get("Sec-WebSocket-Protocol");
  const offered = header ? header.split(",").map((p) => p.trim()).filter(Boolean) : [];
  const subprotocol = accepted.find((p) => offered.includes(p));
  if (ticket) {
    const user = await verifyTicket(env.JWT_SECRET, ticket, scope);
    if (!user) throw new ApiError(401, "invalid_ticket", "the ticket is expired or for another room");
    // A ticket lives a minute: its account may have been deactivated since it was issued.
    const role = await accountRole(env, user);
    if (role === "deactivated" || role === "gone") throw new ApiError(403, "account_deactivated", ACCOUNT_DEACTIVATED);
    return { user: { ...user, role }, subprotocol };
  }
  const bearer = offered.find((p) => p.startsWith(BEARER_PREFIX));
  const ours = accepted.map((p) => `"${p}"`).join(" or ");
  if (!bearer) throw new ApiError(401, "unauthorized", `offer the subprotocols ${ours} and "${BEARER_PREFIX}<token>", or pass a ticket`);
  if (!subprotocol) throw new ApiError(400, "bad_request", `offer the subprotocol ${ours} beside the token`);
  const user = await sessionFrom(env, bearer.slice(BEARER_PREFIX.length));
  if (user === "deactivated") throw new ApiError(403, "account_deactivated", ACCOUNT_DEACTIVATED);
  if (typeof user === "string") throw new ApiError(401, "invalid_token", TOKEN_INVALID);
  return { user, subprotocol };
}
