import type { SessionUser } from "../lib/session-user";
import { verifySession } from "./tokens";

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
