import type { Bindings } from "../bindings";
import { numberVar } from "../config";
import { mentionSpans } from "../contract/mentions";
import type { ChatMessage } from "../contract/wire";
import type { HookedBot } from "../db/bots";
import { isPublicHttpsUrl } from "../lib/public-url";
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, webhookSecret, webhookSignature } from "./signing";

/**
 * Outgoing webhooks (docs/bots.md): which bots a message calls, and one signed call to a bot's
 * URL, with its timeout, retries and the reply it may carry. The room's alarm makes the calls
 * (room/webhook-dispatch.ts), never a message's ack; nothing here throws.
 */

/** Attempts per call at most: a 5xx, a network error or a timeout is tried again. */
export const WEBHOOK_MAX_ATTEMPTS = 3;
/** Bytes of a reply read at most; a longer one is no reply (a body holds 4000 characters). */
export const MAX_REPLY_BYTES = 64 * 1024;

/** The room a call names. */
export interface WebhookRoom {
  id: string;
  name: string;
  visibility: string;
}

/** One call: a bot told of one message. */
export interface WebhookCall {
  room: WebhookRoom;
  message: ChatMessage;
  bot: HookedBot;
}

/**
 * The calls `messages` make: a message not written by a bot calls each bot of the room that
 * it `@mentions` by name (`@room` calls no one), and, in a DM, the bot it is sent to.
 */
export function webhookCalls(room: WebhookRoom, bots: HookedBot[], messages: ChatMessage[]): WebhookCall[] {
  const calls: WebhookCall[] = [];
  for (const message of messages) {
    if (message.bot) continue;
    const named = new Set(mentionSpans(message.body).map((s) => s.name));
    for (const bot of bots) {
      if (bot.id !== message.userId && (room.visibility === "dm" || named.has(bot.username.toLowerCase()))) calls.push({ room, message, bot });
    }
  }
  return calls;
}

/** What a call came to: answered (2xx) with the text of a reply or none, refused (another status, not tried again), or failed after its attempts. */
export type CallOutcome = { outcome: "answered"; reply: string | null } | { outcome: "refused"; status: number } | { outcome: "failed" };

type WebhookEnv = Pick<Bindings, "JWT_SECRET" | "WEBHOOK_TRANSPORT" | "WEBHOOK_TIMEOUT_MS" | "WEBHOOK_RETRY_MS">;

/**
 * The request is always built for the bot's https URL; WEBHOOK_TRANSPORT (an optional service
 * binding) may carry it instead of the public internet, e.g. to a test receiver.
 */
function transport(env: WebhookEnv, url: string, init: RequestInit): Promise<Response> {
  return env.WEBHOOK_TRANSPORT ? env.WEBHOOK_TRANSPORT.fetch(url, init) : fetch(url, init);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Calls the bot's webhook: POST `{room, message}`, signed (signing.ts), answered within
 * WEBHOOK_TIMEOUT_MS (default 7 s, the reply's body included); a 5xx, a network error or a
 * timeout is tried again after WEBHOOK_RETRY_MS, then twice that (WEBHOOK_MAX_ATTEMPTS in
 * all). Redirects are not followed (their target is not checked). The URL is checked again
 * here: a row stored before the rule existed is never called.
 */
export async function callWebhook(env: WebhookEnv, call: WebhookCall): Promise<CallOutcome> {
  const { room, message, bot } = call;
  if (!isPublicHttpsUrl(bot.url)) return { outcome: "refused", status: 0 };
  const body = JSON.stringify({ room, message });
  const secret = await webhookSecret(env.JWT_SECRET, bot.id, bot.nonce);
  const timeoutMs = numberVar(env.WEBHOOK_TIMEOUT_MS, 7000);
  const backoff = numberVar(env.WEBHOOK_RETRY_MS, 1000);
  for (let attempt = 1; attempt <= WEBHOOK_MAX_ATTEMPTS; attempt++) {
    const timestamp = Math.floor(Date.now() / 1000);
    const headers = {
      "Content-Type": "application/json",
      "User-Agent": "Hearth-Webhook/1",
      [TIMESTAMP_HEADER]: String(timestamp),
      [SIGNATURE_HEADER]: await webhookSignature(secret, timestamp, body),
      // The same on every attempt: a receiver that saw it already can tell a retry.
      "X-Hearth-Delivery": `${room.id}:${message.seq}:${bot.id}`,
    };
    const answer = await within(timeoutMs, (signal) => post(env, bot.url, { method: "POST", headers, body, redirect: "manual", signal }));
    if (answer !== null && answer.status >= 200 && answer.status < 300) return { outcome: "answered", reply: answer.reply };
    if (answer !== null && answer.status < 500) return { outcome: "refused", status: answer.status };
    console.error(`webhook call to bot ${bot.username} failed (attempt ${attempt}): ${answer === null ? "no answer in time" : `HTTP ${answer.status}`}`);
    if (attempt < WEBHOOK_MAX_ATTEMPTS) await sleep(backoff * 2 ** (attempt - 1));
  }
  return { outcome: "failed" };
}

/** `work` with an abort signal, or null if it failed or took longer than `ms`. */
async function within<T>(ms: number, work: (signal: AbortSignal) => Promise<T>): Promise<T | null> {
  const controller = new AbortController();
  let late: (value: null) => void = () => undefined;
  const timer = setTimeout(() => {
    controller.abort();
    late(null);
  }, ms);
  try {
    return await Promise.race([work(controller.signal).catch(() => null), new Promise<null>((resolve) => (late = resolve))]);
  } finally {
    clearTimeout(timer);
  }
}

/** One attempt: the status, and for a 2xx the reply its body carries. Throws on network errors. */
async function post(env: WebhookEnv, url: string, init: RequestInit): Promise<{ status: number; reply: string | null }> {
  const res = await transport(env, url, init);
  if (res.status < 200 || res.status >= 300) {
    await res.body?.cancel();
    return { status: res.status, reply: null };
  }
  const text = await readCapped(res, MAX_REPLY_BYTES);
  return { status: res.status, reply: text === null ? null : replyText(res.headers.get("Content-Type"), text) };
}

/** The body as UTF-8 text, or null when it is longer than `max` bytes or not UTF-8. */
async function readCapped(res: Response, max: number): Promise<string | null> {
  if (!res.body) return "";
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.byteLength;
  }
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    return null;
  }
}

/**
 * The reply a 2xx body carries: `text/plain` is the reply itself; JSON (`application/json` or
 * `…+json`) with a string `body` is that body; anything else (another type, JSON of another
 * shape, blank text) is no reply.
 */
export function replyText(contentType: string | null, text: string): string | null {
  const type = (contentType ?? "").split(";")[0]!.trim().toLowerCase();
  let reply: unknown = null;
  if (type === "text/plain") reply = text;
  else if (type === "application/json" || type.endsWith("+json")) {
    try {
      reply = (JSON.parse(text) as { body?: unknown } | null)?.body;
    } catch {
      reply = null;
    }
  }
  return typeof reply === "string" && reply.trim() !== "" ? reply : null;
}
