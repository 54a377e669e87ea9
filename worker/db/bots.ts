/**
 * D1 queries for bots and webhooks (migrations/0013_bots.sql; docs/bots.md): bot accounts and
 * their token hashes, outgoing webhooks, and rooms' incoming webhooks. Every value is a bound
 * parameter.
 */

/** A bot as its administrator sees it. */
export interface BotRow {
  id: string;
  username: string;
  created_at: number;
  webhook_url: string | null;
  deactivated_at: number | null;
}

/** Creates the bot's account and its row in one batch; false when the name is taken (usernames are unique ignoring case). */
export async function insertBot(db: D1Database, bot: { id: string; username: string; tokenHash: string; createdBy: string; createdAt: number }): Promise<boolean> {
  const [account] = await db.batch([
    // A bot has no password: "!" is no hash of any (auth/password.ts reads only its own scheme), so it cannot log in.
    db
      .prepare("INSERT INTO users (id, username, password_hash, salt, created_at, role) VALUES (?, ?, '!', '', ?, 'bot') ON CONFLICT (username) DO NOTHING")
      .bind(bot.id, bot.username, bot.createdAt),
    db
      .prepare("INSERT INTO bots (user_id, token_hash, created_by, created_at) SELECT ?1, ?2, ?3, ?4 WHERE EXISTS (SELECT 1 FROM users WHERE id = ?1 AND role = 'bot')")
      .bind(bot.id, bot.tokenHash, bot.createdBy, bot.createdAt),
  ]);
  return account!.meta.changes === 1;
}

const BOT_COLUMNS = "u.id, u.username, b.created_at, b.webhook_url, u.deactivated_at FROM bots b JOIN users u ON u.id = b.user_id";

/** Bots not revoked, by name. */
export async function listBots(db: D1Database): Promise<BotRow[]> {
  return (await db.prepare(`SELECT ${BOT_COLUMNS} WHERE b.revoked_at IS NULL ORDER BY u.username LIMIT 500`).all<BotRow>()).results;
}

/** What a bot token is checked against: its account's name and state, and the token's hash (null once revoked). */
export async function botCredential(db: D1Database, id: string): Promise<{ username: string; token_hash: string | null; deactivated_at: number | null } | null> {
  return db
    .prepare("SELECT u.username, b.token_hash, u.deactivated_at FROM bots b JOIN users u ON u.id = b.user_id WHERE b.user_id = ?")
    .bind(id)
    .first();
}

/** Replaces a bot's token hash (the old token stops at once); false for no bot, or a revoked one. */
export async function setBotToken(db: D1Database, id: string, tokenHash: string): Promise<boolean> {
  return (await db.prepare("UPDATE bots SET token_hash = ? WHERE user_id = ? AND revoked_at IS NULL").bind(tokenHash, id).run()).meta.changes === 1;
}

/**
 * Revokes a bot: no token, no webhook, and its account deactivated (its messages stay, and its
 * name stays taken). False for no bot, or one revoked already.
 */
export async function revokeBot(db: D1Database, id: string, at: number): Promise<boolean> {
  const [bot] = await db.batch([
    db.prepare("UPDATE bots SET token_hash = NULL, webhook_url = NULL, webhook_nonce = NULL, revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL").bind(at, id),
    db.prepare("UPDATE users SET deactivated_at = coalesce(deactivated_at, ?) WHERE id = ? AND role = 'bot'").bind(at, id),
  ]);
  return bot!.meta.changes === 1;
}

/** Sets (or clears, with nulls) a bot's outgoing webhook; false for no bot, or a revoked one. */
export async function setBotWebhook(db: D1Database, id: string, url: string | null, nonce: string | null): Promise<boolean> {
  const res = await db.prepare("UPDATE bots SET webhook_url = ?, webhook_nonce = ? WHERE user_id = ? AND revoked_at IS NULL").bind(url, nonce, id).run();
  return res.meta.changes === 1;
}


/** A bot of a room with an outgoing webhook, active and not revoked. */
export interface HookedBot {
  id: string;
  username: string;
  url: string;
  nonce: string;
}

/** A room as a webhook call names it, and the bots in it that have a webhook (null: no such room). */
export async function hookedBots(db: D1Database, roomId: string): Promise<{ room: { name: string; visibility: string }; bots: HookedBot[] } | null> {
  const [room, bots] = await db.batch([
    db.prepare("SELECT name, visibility FROM rooms WHERE id = ?").bind(roomId),
    db
      .prepare(
        `SELECT b.user_id AS id, u.username, b.webhook_url AS url, b.webhook_nonce AS nonce
         FROM bots b JOIN memberships m ON m.room_id = ? AND m.user_id = b.user_id JOIN users u ON u.id = b.user_id
         WHERE b.webhook_url IS NOT NULL AND b.webhook_nonce IS NOT NULL AND b.token_hash IS NOT NULL AND u.deactivated_at IS NULL`,
      )
      .bind(roomId),
  ]);
  const found = room!.results[0] as { name: string; visibility: string } | undefined;
  return found ? { room: found, bots: bots!.results as unknown as HookedBot[] } : null;
}

/** An incoming webhook of a room, without its secret. */
export interface RoomWebhookRow {
  id: string;
  room_id: string;
  name: string;
  created_by: string;
  creator: string | null;
  created_at: number;
}

export async function insertRoomWebhook(db: D1Database, hook: { id: string; roomId: string; name: string; secretHash: string; createdBy: string; createdAt: number }): Promise<void> {
  await db
    .prepare("INSERT INTO room_webhooks (id, room_id, name, secret_hash, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?)")
    .bind(hook.id, hook.roomId, hook.name, hook.secretHash, hook.createdBy, hook.createdAt)
    .run();
}

const HOOK_COLUMNS = "h.id, h.room_id, h.name, h.created_by, u.username AS creator, h.created_at FROM room_webhooks h LEFT JOIN users u ON u.id = h.created_by";

export async function listRoomWebhooks(db: D1Database, roomId: string): Promise<RoomWebhookRow[]> {
  return (await db.prepare(`SELECT ${HOOK_COLUMNS} WHERE h.room_id = ? ORDER BY h.created_at LIMIT 200`).bind(roomId).all<RoomWebhookRow>()).results;
}

/** Incoming webhooks a room may have at most. */
export const MAX_ROOM_WEBHOOKS = 50;

export async function countRoomWebhooks(db: D1Database, roomId: string): Promise<number> {
  return (await db.prepare("SELECT count(*) AS n FROM room_webhooks WHERE room_id = ?").bind(roomId).first<{ n: number }>())!.n;
}

export async function roomWebhook(db: D1Database, roomId: string, id: string): Promise<RoomWebhookRow | null> {
  return db.prepare(`SELECT ${HOOK_COLUMNS} WHERE h.room_id = ? AND h.id = ?`).bind(roomId, id).first<RoomWebhookRow>();
}

/** The webhook a secret URL names, with its secret's hash to compare. */
/**
 * An incoming webhook as a post through it needs it: only while its creator is still an active
 * member of its room (a creator removed, banned or deactivated takes their hooks' voice along).
 */
export async function webhookForPost(db: D1Database, id: string): Promise<{ room_id: string; name: string; secret_hash: string } | null> {
  return db
    .prepare(
      `SELECT w.room_id, w.name, w.secret_hash FROM room_webhooks w
       JOIN memberships m ON m.room_id = w.room_id AND m.user_id = w.created_by
       JOIN users u ON u.id = w.created_by AND u.deactivated_at IS NULL
       WHERE w.id = ?`,
    )
    .bind(id)
    .first();
}

export async function deleteRoomWebhook(db: D1Database, roomId: string, id: string): Promise<boolean> {
  return (await db.prepare("DELETE FROM room_webhooks WHERE room_id = ? AND id = ?").bind(roomId, id).run()).meta.changes === 1;
}
