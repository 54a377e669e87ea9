import { accountState } from "../db/accounts";
import { botCredential } from "../db/bots";
import { timingSafeEqual, toBase64Url } from "../lib/encoding";
import type { SessionUser } from "../lib/session-user";

/**
 * Bot tokens (docs/bots.md): `hb_<bot id>.<secret>`, 32 random bytes of secret. The prefix tells
 * a bot token from a session JWT (which starts `eyJ`) before any D1 read; D1 keeps only the
 * token's SHA-256, which is compared in constant time. A bot token does not expire: it stops
 * when it is rotated or the bot revoked or deactivated.
 */

export const BOT_TOKEN_PREFIX = "hb_";
const SHAPE = /^hb_(u_[0-9a-z]{25})\.([A-Za-z0-9_-]{43})$/;

/** Whether `token` is meant as a bot token (it may still be wrong). */
export function isBotToken(token: string): boolean {
  return token.startsWith(BOT_TOKEN_PREFIX);
}

async function sha256(text: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
}

const hex = (bytes: Uint8Array) => [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");

/** A new token for bot `botId`, and the hash D1 keeps of it. */
export async function mintBotToken(botId: string): Promise<{ token: string; hash: string }> {
  const token = `${BOT_TOKEN_PREFIX}${botId}.${toBase64Url(crypto.getRandomValues(new Uint8Array(32)))}`;
  return { token, hash: hex(await sha256(token)) };
}

/** The SHA-256 of a secret as D1 keeps it (hex), for the other hashed secrets (incoming webhooks). */
export async function secretHash(secret: string): Promise<string> {
  return hex(await sha256(secret));
}

/** Whether `secret` hashes to `storedHex`, compared in constant time. */
export async function matchesHash(secret: string, storedHex: string): Promise<boolean> {
  const stored = new Uint8Array(storedHex.match(/../g)?.map((h) => parseInt(h, 16)) ?? []);
  return timingSafeEqual(await sha256(secret), stored);
}

/**
 * The bot a token names, if the token is its current one: the bot as a session user (role
 * "bot", no expiry), "deactivated" for a deactivated bot, "invalid" for anything else (a
 * malformed token, an unknown bot, a rotated token, a revoked bot).
 */
export async function botSession(db: D1Database, token: string): Promise<SessionUser | "invalid" | "deactivated"> {
  const m = SHAPE.exec(token);
  if (!m) return "invalid";
  const row = await botCredential(db, m[1]!);
  if (!row?.token_hash || !(await matchesHash(token, row.token_hash))) return "invalid";
  if (row.deactivated_at !== null) return "deactivated";
  return { id: m[1]!, username: row.username, role: "bot", credential: row.token_hash };
}

/**
 * Whether a long-lived connection's session still counts (the SignalR hub asks before each
 * call): its account is there and not deactivated, and for a bot, the token it opened with is
 * still the bot's (not rotated or revoked). One D1 read.
 */
export async function stillCurrent(db: D1Database, user: SessionUser): Promise<boolean> {
  if (user.role !== "bot") {
    const state = await accountState(db, user.id);
    return state !== null && !state.deactivated;
  }
  const row = await botCredential(db, user.id);
  return row !== null && row.token_hash !== null && row.token_hash === user.credential && row.deactivated_at === null;
}
