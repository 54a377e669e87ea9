import { mentions } from "../contract/mentions";
import { buildPushPayload, type VapidKeys } from "@block65/webcrypto-web-push";
import type { Bindings } from "../bindings";
import { numberVar } from "../config";
import type { ChatMessage } from "../contract/wire";
import { roomTitle } from "../db/rooms";
import { pruneSubscription, recordFailure, recordSuccess, roomRecipients, type Subscription } from "../db/push";
import { isPublicHost } from "../lib/public-url";

/**
 * Standard Web Push (RFC 8030) with VAPID (RFC 8292) and aes128gcm (RFC 8291), sent by the
 * worker itself: no third-party gateway. See docs/push.md for how pushes are decided.
 */

/** What the service worker receives (JSON) and shows. */
export interface PushContent {
  kind: "message" | "call";
  title: string;
  body: string;
  /** Notifications with the same tag replace each other: one per room. */
  tag: string;
  roomId: string;
  seq?: number;
  /** Where a click opens Hearth. */
  url: string;
}

export type Outcome = "sent" | "gone" | "failed";

export const MAX_ATTEMPTS = 3;
const PREVIEW_CHARS = 140;

export function vapidFrom(env: Bindings): VapidKeys | null {
  if (!env.VAPID_PUBLIC_KEY || !env.VAPID_PRIVATE_KEY) return null;
  return { subject: env.VAPID_SUBJECT ?? "mailto:admin@localhost", publicKey: env.VAPID_PUBLIC_KEY, privateKey: env.VAPID_PRIVATE_KEY };
}

/**
 * The request is always built for the subscription's https endpoint; PUSH_TRANSPORT (an
 * optional service binding) may carry it instead of the public internet, e.g. to a test
 * push service.
 */
function deliver(env: Bindings, endpoint: string, init: RequestInit): Promise<Response> {
  return env.PUSH_TRANSPORT ? env.PUSH_TRANSPORT.fetch(endpoint, init) : fetch(endpoint, init);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Sends one push to one device: 404/410 delete the subscription at once; 429, 5xx and
 * network errors are retried (MAX_ATTEMPTS in all, backing off, honouring Retry-After up to
 * 5 s); other refusals are not retried. Failures count against the subscription.
 */
export async function sendPush(
  env: Bindings,
  vapid: VapidKeys,
  sub: Subscription,
  content: PushContent,
  options: { ttl: number; topic: string; urgency: "normal" | "high" },
): Promise<Outcome> {
  // Push services are public DNS names (FCM, Mozilla, Apple, Windows). Refused at subscription
  // since this check exists; a row saved before it is dropped here.
  if (!isPublicHost(sub.endpoint)) {
    // A failed delete must not fail the other devices' pushes; the next dispatch tries again.
    await pruneSubscription(env.DB, sub.id).catch((err) => console.error("push: dropping a local endpoint failed", err));
    return "gone";
  }
  const payload = await buildPushPayload(
    { data: JSON.stringify(content), options },
    { endpoint: sub.endpoint, expirationTime: null, keys: { p256dh: sub.p256dh, auth: sub.auth } },
    vapid,
  );
  const backoff = numberVar(env.PUSH_RETRY_MS, 500);
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    let wait = backoff * 2 ** (attempt - 1);
    try {
      const res = await deliver(env, sub.endpoint, payload as RequestInit);
      await res.body?.cancel();
      if (res.ok) {
        await recordSuccess(env.DB, sub.id);
        return "sent";
      }
      if (res.status === 404 || res.status === 410) {
        await pruneSubscription(env.DB, sub.id);
        return "gone";
      }
      if (res.status !== 429 && res.status < 500) break;
      const retryAfter = Number(res.headers.get("retry-after"));
      if (Number.isFinite(retryAfter) && retryAfter > 0) wait = Math.min(5000, retryAfter * 1000);
    } catch (err) {
      console.error("push delivery failed", err);
    }
    if (attempt < MAX_ATTEMPTS) await sleep(wait);
  }
  await recordFailure(env.DB, sub.id);
  return "failed";
}

function preview(m: ChatMessage): string {
  const text =
    m.kind === "image" ? `📷 Photo${m.body ? `: ${m.body}` : ""}` : m.kind === "audio" ? "🎤 Voice message" : m.kind === "file" ? `📎 ${m.attachment?.name ?? "File"}` : m.body;
  const chars = [...text.replace(/\s+/g, " ")];
  return chars.length > PREVIEW_CHARS ? `${chars.slice(0, PREVIEW_CHARS - 1).join("")}…` : chars.join("");
}

export interface DispatchResult {
  sent: number;
  gone: number;
  failed: number;
  skipped: number;
}

type Recipient = Awaited<ReturnType<typeof roomRecipients>>[number];
type PushOptions = Parameters<typeof sendPush>[4];

/**
 * The loop both dispatches share: for each subscribed, unmuted member's device, `compose`
 * says what to send (or null to skip it); the sends run at once and are tallied.
 */
async function dispatch(
  env: Bindings,
  roomId: string,
  compose: (r: Recipient, room: { name: string; visibility: string }) => [PushContent, PushOptions] | null,
): Promise<DispatchResult> {
  const result: DispatchResult = { sent: 0, gone: 0, failed: 0, skipped: 0 };
  const vapid = vapidFrom(env);
  if (!vapid) return result;
  const room = await roomTitle(env.DB, roomId);
  if (!room) return result;
  const sends: Promise<Outcome>[] = [];
  for (const r of await roomRecipients(env.DB, roomId)) {
    const push = compose(r, room);
    if (push) sends.push(sendPush(env, vapid, r.subscription, ...push));
    else result.skipped += 1;
  }
  for (const outcome of await Promise.all(sends)) result[outcome] += 1;
  return result;
}

/**
 * One push per device for a batch of new messages in a room: to each member with a
 * subscription who is not present (no open, visible connection to the room), not the
 * author of every message, not muted, and, in "mentions" mode, mentioned.
 */
export async function pushRoomMessages(env: Bindings, roomId: string, messages: ChatMessage[], present: Set<string>): Promise<DispatchResult> {
  if (messages.length === 0) return { sent: 0, gone: 0, failed: 0, skipped: 0 };
  return dispatch(env, roomId, (r, room) => {
    const userId = r.subscription.userId;
    let relevant = messages.filter((m) => m.userId !== userId);
    // The same rule as the mention counts and the Mentions list (contract/mentions.ts).
    if (r.notify === "mentions") relevant = relevant.filter((m) => mentions(m, r.username));
    if (present.has(userId) || relevant.length === 0) return null;
    const latest = relevant[relevant.length - 1]!;
    const more = relevant.length > 1 ? ` (+${relevant.length - 1} more)` : "";
    const content: PushContent = {
      kind: "message",
      title: room.visibility === "dm" ? latest.username : `#${room.name}`,
      body: `${room.visibility === "dm" ? "" : `${latest.username}: `}${preview(latest)}${more}`,
      tag: `room-${roomId}`,
      roomId,
      seq: latest.seq,
      url: `/rooms/${roomId}`,
    };
    return [content, { ttl: 24 * 3600, topic: roomId.slice(0, 32), urgency: "normal" }];
  });
}

/** Rings every other member of a room (not muted) on their devices: "alice is calling". */
export async function pushCall(env: Bindings, roomId: string, caller: { id: string; username: string }): Promise<DispatchResult> {
  return dispatch(env, roomId, (r, room) => {
    if (r.subscription.userId === caller.id) return null;
    const content: PushContent = {
      kind: "call",
      title: `${caller.username} is calling`,
      body: room.visibility === "dm" ? "Tap to answer" : `Call in #${room.name}`,
      tag: `call-${roomId}`,
      roomId,
      url: `/rooms/${roomId}?call=1`,
    };
    return [content, { ttl: 60, topic: `c${roomId}`.slice(0, 32), urgency: "high" }];
  });
}
