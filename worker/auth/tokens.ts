import { sign, verify } from "hono/jwt";

export const SESSION_TTL_SECONDS = 7 * 24 * 3600;
export const TICKET_TTL_SECONDS = 60;

export interface SessionUser {
  id: string;
  username: string;
}

interface Claims {
  sub: string;
  name: string;
  typ: "session" | "ticket";
  room?: string;
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

async function issue(secret: string | undefined, claims: Omit<Claims, "iat" | "exp">, ttl: number) {
  const now = Math.floor(Date.now() / 1000);
  const token = await sign({ ...claims, iat: now, exp: now + ttl }, requireSecret(secret), "HS256");
  return { token, expiresAt: new Date((now + ttl) * 1000).toISOString() };
}

async function check(secret: string | undefined, token: string, typ: Claims["typ"]): Promise<Claims | null> {
  try {
    const claims = (await verify(token, requireSecret(secret), "HS256")) as Claims;
    if (claims.typ !== typ || typeof claims.sub !== "string" || typeof claims.name !== "string") return null;
    return claims;
  } catch (err) {
    if (err instanceof Error && err.message.startsWith("JWT_SECRET")) throw err;
    return null;
  }
}

/** A session JWT (HS256, 7 days) for `Authorization: Bearer`. */
export function issueSession(secret: string | undefined, user: SessionUser) {
  return issue(secret, { sub: user.id, name: user.username, typ: "session" }, SESSION_TTL_SECONDS);
}

export async function verifySession(secret: string | undefined, token: string): Promise<SessionUser | null> {
  const claims = await check(secret, token, "session");
  return claims ? { id: claims.sub, username: claims.name } : null;
}

/** A 60-second ticket that lets one user open a socket to one room (keeps the session token out of URLs). */
export function issueTicket(secret: string | undefined, user: SessionUser, roomId: string) {
  return issue(secret, { sub: user.id, name: user.username, typ: "ticket", room: roomId }, TICKET_TTL_SECONDS);
}

export async function verifyTicket(secret: string | undefined, token: string, roomId: string): Promise<SessionUser | null> {
  const claims = await check(secret, token, "ticket");
  return claims && claims.room === roomId ? { id: claims.sub, username: claims.name } : null;
}
