import { newId } from "../lib/ids";

/** D1 queries for push subscriptions and per-room notification settings. */

export type NotifyMode = "all" | "mentions" | "muted";

export interface Subscription {
  id: string;
  userId: string;
  endpoint: string;
  p256dh: string;
  auth: string;
}

/** Saves a device's subscription for a user (an endpoint moves to whoever subscribed it last). */
export async function saveSubscription(db: D1Database, userId: string, s: { endpoint: string; p256dh: string; auth: string }) {
  const id = newId("ps");
  await db
    .prepare(
      `INSERT INTO push_subscriptions (id, user_id, endpoint, p256dh, auth, created_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (endpoint) DO UPDATE SET user_id = excluded.user_id, p256dh = excluded.p256dh, auth = excluded.auth, failures = 0`,
    )
    .bind(id, userId, s.endpoint, s.p256dh, s.auth, Date.now())
    .run();
  const row = await db.prepare("SELECT id FROM push_subscriptions WHERE endpoint = ?").bind(s.endpoint).first<{ id: string }>();
  return row!.id;
}

export async function deleteSubscription(db: D1Database, userId: string, endpoint: string): Promise<boolean> {
  const res = await db.prepare("DELETE FROM push_subscriptions WHERE endpoint = ? AND user_id = ?").bind(endpoint, userId).run();
  return res.meta.changes === 1;
}

/** The user's devices other than `endpoint` (registering an endpoint again does not count twice). */
export async function countOtherDevices(db: D1Database, userId: string, endpoint: string): Promise<number> {
  const row = await db
    .prepare("SELECT count(*) AS n FROM push_subscriptions WHERE user_id = ? AND endpoint != ?")
    .bind(userId, endpoint)
    .first<{ n: number }>();
  return row?.n ?? 0;
}

/** Everyone in the room who wants pushes, with their devices and setting. */
export async function roomRecipients(db: D1Database, roomId: string) {
  const { results } = await db
    .prepare(
      `SELECT s.id, s.user_id, s.endpoint, s.p256dh, s.auth, m.notify, u.username
       FROM memberships m
       JOIN push_subscriptions s ON s.user_id = m.user_id
       JOIN users u ON u.id = m.user_id
       WHERE m.room_id = ? AND m.notify != 'muted'
       LIMIT 5000`,
    )
    .bind(roomId)
    .all<{ id: string; user_id: string; endpoint: string; p256dh: string; auth: string; notify: NotifyMode; username: string }>();
  return results.map((r) => ({
    subscription: { id: r.id, userId: r.user_id, endpoint: r.endpoint, p256dh: r.p256dh, auth: r.auth } satisfies Subscription,
    notify: r.notify,
    username: r.username,
  }));
}

export async function pruneSubscription(db: D1Database, id: string) {
  await db.prepare("DELETE FROM push_subscriptions WHERE id = ?").bind(id).run();
}

/** Counts a dispatch that failed after its retries; the subscription is removed after 5 in a row. */
export async function recordFailure(db: D1Database, id: string) {
  await db.batch([
    db.prepare("UPDATE push_subscriptions SET failures = failures + 1 WHERE id = ?").bind(id),
    db.prepare("DELETE FROM push_subscriptions WHERE id = ? AND failures >= 5").bind(id),
  ]);
}

export async function recordSuccess(db: D1Database, id: string) {
  await db.prepare("UPDATE push_subscriptions SET failures = 0 WHERE id = ? AND failures != 0").bind(id).run();
}

export async function setNotify(db: D1Database, roomId: string, userId: string, mode: NotifyMode) {
  await db.prepare("UPDATE memberships SET notify = ? WHERE room_id = ? AND user_id = ?").bind(mode, roomId, userId).run();
}
