import { TICKET_TTL_SECONDS } from "../../auth/tokens";
import type { SessionUser } from "../../lib/session-user";
import { toBase64Url } from "../../lib/encoding";

/**
 * Negotiated SignalR connections, as ASP.NET Core's HttpConnectionManager keeps them: negotiate
 * creates one, and the socket that names it (`?id=`) takes it, so a token opens one connection;
 * a second socket, or an unknown or expired id, is answered 404 ("No Connection with that ID").
 * The worker has no memory shared between requests, so the pending connections live in D1
 * (one row each, keyed by a hash of the token, deleted by the socket that uses it or once
 * expired). With negotiate version 1 the key is the secret `connectionToken` (the
 * `connectionId` is public and opens nothing); with version 0 it is the `connectionId`.
 */

const encoder = new TextEncoder();

/** 16 random bytes, base64url: ASP.NET Core's connection id and token format (22 characters). */
export function newConnectionKey(): string {
  return toBase64Url(crypto.getRandomValues(new Uint8Array(16)));
}

async function hash(token: string): Promise<string> {
  return toBase64Url(await crypto.subtle.digest("SHA-256", encoder.encode(token)));
}

/** Records a negotiated connection that `token` may open within 60 s (never past the session). */
export async function createConnection(db: D1Database, token: string, user: SessionUser): Promise<void> {
  const now = Math.floor(Date.now() / 1000);
  const expires = Math.min(now + TICKET_TTL_SECONDS, user.sessionExp ?? Infinity);
  await db.batch([
    db.prepare("DELETE FROM signalr_connections WHERE expires_at <= ?").bind(now),
    db
      .prepare("INSERT INTO signalr_connections (token_hash, user_id, username, session_exp, expires_at, credential) VALUES (?, ?, ?, ?, ?, ?)")
      .bind(await hash(token), user.id, user.username, user.sessionExp ?? null, expires, user.credential ?? null),
  ]);
}

/** Takes the connection `token` names: its user the first time, null ever after (or if unknown or expired). */
export async function takeConnection(db: D1Database, token: string): Promise<SessionUser | null> {
  const row = await db
    .prepare("DELETE FROM signalr_connections WHERE token_hash = ? RETURNING user_id, username, session_exp, expires_at, credential")
    .bind(await hash(token))
    .first<{ user_id: string; username: string; session_exp: number | null; expires_at: number; credential: string | null }>();
  if (!row || row.expires_at <= Math.floor(Date.now() / 1000)) return null;
  return {
    id: row.user_id,
    username: row.username,
    ...(row.session_exp !== null ? { sessionExp: row.session_exp } : {}),
    ...(row.credential !== null ? { credential: row.credential } : {}),
  };
}
