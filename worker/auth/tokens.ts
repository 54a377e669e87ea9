import { fromBase64Url, toBase64Url } from "../lib/encoding";
import type { SessionUser } from "../lib/session-user";

export const SESSION_TTL_SECONDS = 7 * 24 * 3600;
export const TICKET_TTL_SECONDS = 60;


interface Claims {
  sub: string;
  name: string;
  typ: "session" | "ticket";
  room?: string;
  /** A ticket's session's own expiry (a ticket never outlives its session). */
  sexp?: number;
  /** A ticket's id: the room lets each ticket in once (room/spent-tickets.ts). */
  jti?: string;
  iat: number;
  exp: number;
  [key: string]: unknown;
}

function requireSecret(secret: string | undefined): string {
  if (!secret || secret.length < 32) {
    throw new Error("JWT_SECRET is not set or shorter than 32 characters (run `npm run setup:dev`, or `wrangler secret put JWT_SECRET`)");
  }
  return secret;
}

// HS256 JWTs (RFC 7519) with the HMAC key imported once per secret, not on every request.
const encoder = new TextEncoder();
const decoder = new TextDecoder();
const HEADER = toBase64Url(encoder.encode(JSON.stringify({ alg: "HS256", typ: "JWT" })));
const keys = new Map<string, Promise<CryptoKey>>();

function hmacKey(secret: string): Promise<CryptoKey> {
  let key = keys.get(secret);
  if (!key) {
    key = crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign", "verify"]);
    keys.set(secret, key);
  }
  return key;
}

async function issue(secret: string | undefined, claims: Omit<Claims, "iat" | "exp">, ttl: number) {
  const key = await hmacKey(requireSecret(secret));
  const now = Math.floor(Date.now() / 1000);
  const body = `${HEADER}.${toBase64Url(encoder.encode(JSON.stringify({ ...claims, iat: now, exp: now + ttl })))}`;
  const sig = await crypto.subtle.sign("HMAC", key, encoder.encode(body));
  return { token: `${body}.${toBase64Url(sig)}`, expiresAt: new Date((now + ttl) * 1000).toISOString() };
}

async function check(secret: string | undefined, token: string, typ: Claims["typ"]): Promise<Claims | null> {
  const key = await hmacKey(requireSecret(secret));
  const parts = token.split(".");
  if (parts.length !== 3 || parts[0] !== HEADER) return null;
  let claims: Claims;
  try {
    // crypto.subtle.verify compares in constant time.
    const ok = await crypto.subtle.verify("HMAC", key, fromBase64Url(parts[2]!), encoder.encode(`${parts[0]}.${parts[1]}`));
    if (!ok) return null;
    claims = JSON.parse(decoder.decode(fromBase64Url(parts[1]!))) as Claims;
  } catch {
    return null;
  }
  const now = Math.floor(Date.now() / 1000);
  if (typeof claims.exp !== "number" || claims.exp <= now) return null;
  if (claims.typ !== typ || typeof claims.sub !== "string" || typeof claims.name !== "string") return null;
  return claims;
}

/** A session JWT (HS256, 7 days) for `Authorization: Bearer`. */
export function issueSession(secret: string | undefined, user: SessionUser) {
  return issue(secret, { sub: user.id, name: user.username, typ: "session" }, SESSION_TTL_SECONDS);
}

export async function verifySession(secret: string | undefined, token: string): Promise<SessionUser | null> {
  const claims = await check(secret, token, "session");
  return claims ? { id: claims.sub, username: claims.name, sessionExp: claims.exp } : null;
}

/** A 60-second ticket that lets one user open a socket to one room (keeps the session token out of URLs). */
export function issueTicket(secret: string | undefined, user: SessionUser, roomId: string) {
  const left = user.sessionExp === undefined ? TICKET_TTL_SECONDS : user.sessionExp - Math.floor(Date.now() / 1000);
  const jti = toBase64Url(crypto.getRandomValues(new Uint8Array(16)));
  const claims = { sub: user.id, name: user.username, typ: "ticket" as const, room: roomId, jti, ...(user.sessionExp ? { sexp: user.sessionExp } : {}) };
  return issue(secret, claims, Math.max(1, Math.min(TICKET_TTL_SECONDS, left)));
}

/** A verified ticket: who it is for, and the ticket itself (the room lets it in once). */
export type TicketUser = SessionUser & { ticket: { id: string; exp: number } };

export async function verifyTicket(secret: string | undefined, token: string, roomId: string): Promise<TicketUser | null> {
  const claims = await check(secret, token, "ticket");
  if (!claims || claims.room !== roomId || typeof claims.jti !== "string") return null;
  return {
    id: claims.sub,
    username: claims.name,
    ...(typeof claims.sexp === "number" ? { sessionExp: claims.sexp } : {}),
    ticket: { id: claims.jti, exp: claims.exp },
  };
}
