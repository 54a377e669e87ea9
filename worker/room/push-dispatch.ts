import type { ChatMessage } from "../contract/wire";
import { numberVar } from "../config";
import { pushRoomMessages, vapidFrom, type DispatchResult } from "../push/send";
import type { RoomEnv } from "./room-env";
import type { RoomMeta } from "./meta";

/**
 * Web push for the messages stored since the last dispatch, to members who are away
 * (docs/push.md). At most one dispatch per PUSH_MIN_INTERVAL_MS per room, so a burst of
 * messages sends each device a bounded number of pushes; run from the alarm, never in the
 * path of a message. It owns the `pushed_seq` and `last_push_at` meta keys.
 */

/** A room's first dispatch looks back this far at most. */
const FIRST_PUSH_WINDOW_MS = 5 * 60_000;
/** Messages in one dispatch at most (the newest). */
const MAX_MESSAGES = 100;

/** What a dispatch needs from the room. */
export interface PushHost {
  roomId(): string | null;
  lastSeq(): number;
  /** The newest `limit` messages in (after, upTo] stored after `sinceTs`, oldest first. */
  messages(after: number, upTo: number, sinceTs: number, limit: number): ChatMessage[];
  /** Users with a socket whose page is visible: they see messages live and get no push. */
  present(): Set<string>;
  ensureAlarm(at: number): Promise<void>;
}

export class PushDispatch {
  constructor(
    private readonly env: RoomEnv,
    private readonly meta: RoomMeta,
    private readonly host: PushHost,
  ) {}

  async dispatch(now = Date.now()): Promise<DispatchResult | null> {
    const roomId = this.host.roomId();
    // Without VAPID keys there is nothing to send and nothing to remember (no write per alarm).
    if (!roomId || !vapidFrom(this.env)) return null;
    const pushedMeta = this.meta.get("pushed_seq");
    const pushed = Number(pushedMeta ?? 0);
    const upTo = this.host.lastSeq();
    if (upTo <= pushed) return null;
    const due = Number(this.meta.get("last_push_at") ?? 0) + numberVar(this.env.PUSH_MIN_INTERVAL_MS, 10_000);
    if (now < due) {
      await this.host.ensureAlarm(due);
      return null;
    }
    // The room's first dispatch ever (a new room, or push just configured for an old one):
    // only recent messages, not a backlog of any age presented as new.
    const since = pushedMeta === null ? now - FIRST_PUSH_WINDOW_MS : 0;
    const messages = this.host.messages(pushed, upTo, since, MAX_MESSAGES);
    this.meta.set("pushed_seq", String(upTo));
    this.meta.set("last_push_at", String(now));
    const present = this.host.present();
    try {
      return await pushRoomMessages(this.env, roomId, messages, present);
    } catch (err) {
      console.error("push dispatch failed", err);
      return null;
    }
  }
}
