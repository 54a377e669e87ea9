import { mentionSpans } from "../contract/mentions";
import type { ChatMessage } from "../contract/wire";
import { callWebhook, webhookCalls, type WebhookCall } from "../bots/webhook-send";
import { hookedBots } from "../db/bots";
import type { Author, MessageInput } from "../gateway/draft";
import type { AcceptResult } from "./message-intake";
import type { RoomEnv } from "./room-env";
import type { RoomMeta } from "./meta";

/**
 * Bots' outgoing webhooks for the messages stored since the last dispatch (docs/bots.md): run
 * from the room's alarm, after the D1 copy, never in a message's path. Each dispatch reads the
 * room's bots with a webhook from D1 (only when a message could call one: it mentions someone,
 * or the room may be a DM), makes the calls a few at a time, and posts each reply as the bot's
 * answer to the message, through the one accept path. A slow or failing webhook delays only
 * the room's next alarm, never a message; whatever it answers, nothing here throws. It owns the
 * `hooked_seq` meta key.
 */

/** Messages one dispatch reads at most; the next alarm, armed at once, reads on. */
const MAX_MESSAGES = 100;
/** Calls one dispatch makes at most (whole messages at a time); the next alarm makes the rest. */
const MAX_CALLS = 20;
/** Calls in flight at once. */
const CONCURRENCY = 4;
/** A room's first dispatch looks back this far at most. */
const FIRST_WINDOW_MS = 5 * 60_000;
/** D1 failed: the next dispatch after this long. */
const RETRY_MS = 5000;

/** What a dispatch needs from the room. */
export interface WebhookHost {
  roomId(): string | null;
  lastSeq(): number;
  /** The newest `limit` messages in (after, upTo] stored after `sinceTs`, not deleted, oldest first. */
  messages(after: number, upTo: number, sinceTs: number, limit: number): ChatMessage[];
  /** The message stored as `seq` in its current state (its replyTo and reactions included). */
  message(seq: number): ChatMessage | null;
  /** Whether any message in (after, upTo] has an `@` in its body (a cheap test before reading them). */
  anyAt(after: number, upTo: number): boolean;
  /** Posts a bot's reply through the room's accept path. */
  reply(author: Author, input: MessageInput): Promise<AcceptResult>;
  ensureAlarm(at: number): Promise<void>;
}

/** What one dispatch did (for tests and logs). */
export interface WebhookReport {
  calls: number;
  replies: number;
  failed: number;
}

export class WebhookDispatch {
  /** What the last D1 read said: whether the room is a DM, and its bots' names (memory only; null: not read since the wake). */
  private known: { dm: boolean; names: Set<string> } | null = null;

  constructor(
    private readonly env: RoomEnv,
    private readonly meta: RoomMeta,
    private readonly host: WebhookHost,
  ) {}

  /**
   * A message was stored: if it calls a bot the room is known to have, the alarm is armed at
   * once rather than at the D1 copy's pace, so the bot hears of it without the copy's delay.
   */
  stored(message: ChatMessage): void {
    const known = this.known;
    if (message.bot || !known || known.names.size === 0) return;
    if (known.dm || mentionSpans(message.body).some((s) => known.names.has(s.name))) void this.host.ensureAlarm(Date.now()).catch(() => undefined);
  }

  async dispatch(now = Date.now()): Promise<WebhookReport | null> {
    const roomId = this.host.roomId();
    if (!roomId) return null;
    const stored = this.meta.get("hooked_seq");
    const last = this.host.lastSeq();
    const after = stored === null ? Math.max(0, last - MAX_MESSAGES) : Number(stored);
    if (last <= after) return null;
    const upTo = Math.min(last, after + MAX_MESSAGES);
    // A room known to be no DM calls a bot only from a message with an `@` in it: without one,
    // the messages are not read at all (a busy room's alarm used to parse every message here).
    if (this.known?.dm === false && !this.host.anyAt(after, upTo)) {
      this.meta.set("hooked_seq", String(upTo));
      if (upTo < last) await this.host.ensureAlarm(now);
      return null;
    }
    const messages = this.host.messages(after, upTo, stored === null ? now - FIRST_WINDOW_MS : 0, MAX_MESSAGES).filter((m) => !m.bot);
    let calls: WebhookCall[] = [];
    // Without a mention, in a room known not to be a DM, no message calls anyone: no D1 read.
    if (messages.length > 0 && (this.known?.dm !== false || messages.some((m) => mentionSpans(m.body).length > 0))) {
      try {
        const hooked = await hookedBots(this.env.DB, roomId);
        if (hooked) {
          this.known = { dm: hooked.room.visibility === "dm", names: new Set(hooked.bots.map((b) => b.username.toLowerCase())) };
          calls = webhookCalls({ id: roomId, ...hooked.room }, hooked.bots, messages);
        }
      } catch (err) {
        console.error(`webhooks: reading the room's bots failed; retrying in ${RETRY_MS / 1000} s`, err);
        await this.host.ensureAlarm(now + RETRY_MS);
        return null;
      }
    }
    const [taken, through] = takeWhole(calls, MAX_CALLS, upTo);
    // A bot is told of the whole message (the one it answers, if it is a reply).
    for (const call of taken) call.message = this.host.message(call.message.seq) ?? call.message;
    // Noted before the calls (as pushes are): a restart during them loses calls, never repeats one.
    this.meta.set("hooked_seq", String(through));
    if (through < last) await this.host.ensureAlarm(now);
    return this.run(taken);
  }

  private async run(calls: WebhookCall[]): Promise<WebhookReport> {
    const report: WebhookReport = { calls: calls.length, replies: 0, failed: 0 };
    let next = 0;
    const worker = async () => {
      while (next < calls.length) {
        const call = calls[next++]!;
        try {
          const result = await callWebhook(this.env, call);
          if (result.outcome === "failed") report.failed += 1;
          if (result.outcome === "answered" && result.reply !== null && (await this.reply(call, result.reply))) report.replies += 1;
        } catch (err) {
          report.failed += 1;
          console.error(`webhook call to bot ${call.bot.username} failed`, err);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, calls.length) }, worker));
    return report;
  }

  /** Posts a webhook's reply as its bot's answer to the message (its clientId makes a repeat harmless). */
  private async reply(call: WebhookCall, body: string): Promise<boolean> {
    const author: Author = { id: call.bot.id, username: call.bot.username, role: "bot" };
    const result = await this.host.reply(author, { clientId: `webhook.${call.message.seq}`, body, replyTo: call.message.seq });
    if (!result.ok) console.error(`webhook reply of bot ${call.bot.username} refused: ${result.code} ${result.message}`);
    return result.ok;
  }
}

/**
 * The calls of whole messages, in seq order, up to `max` calls (always the first message's),
 * and the seq through which every message has been handled (`upTo` when all were taken).
 */
function takeWhole(calls: WebhookCall[], max: number, upTo: number): [WebhookCall[], number] {
  let end = 0;
  while (end < calls.length) {
    let next = end;
    while (next < calls.length && calls[next]!.message.seq === calls[end]!.message.seq) next++;
    if (end > 0 && next > max) return [calls.slice(0, end), calls[end]!.message.seq - 1];
    end = next;
  }
  return [calls, upTo];
}
