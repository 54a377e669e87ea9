import { MAX_COUNTED, RING_MAX_MEMBERS, type PresenceStatus, type RoomCounts } from "../contract/user-wire";
import type { CallParticipant, ServerFrame } from "../contract/wire";
import type { UserChannel } from "../gateway/user-channel";
import type { CallState } from "./call-state";
import type { MessageLog } from "./message-log";
import type { RoomMeta } from "./meta";

/**
 * The members of this room who have a per-user channel open somewhere in the app (worker/users/),
 * and what the room tells them: their counts, calls that ring, and in a DM the other member's
 * presence (docs/protocol.md "The per-user channel"). A message costs the room nothing per
 * watcher: activity arms one timer, and when it fires each watcher whose counts changed gets one
 * call, however many messages came in the window (NOTIFY_COALESCE_MS). It owns the `watchers`
 * table (so a room that hibernates keeps telling them) and who was rung for the current call.
 */

/** Messages and changes within this window reach each watcher as one counts update. */
export const NOTIFY_COALESCE_MS = 300;

export interface Watcher {
  userId: string;
  username: string;
  lastReadSeq: number;
  status: Exclude<PresenceStatus, "offline">;
}

/** What a member's channel asks of the room (RoomObject.channel). */
export type ChannelAsk =
  | { op: "watch"; watcher: Watcher; dm: boolean }
  | { op: "unwatch"; userId: string }
  | { op: "status"; userId: string; status: Watcher["status"] }
  /** `receipt`: the reader sends read receipts and the room is small: the room's sockets see it. */
  | { op: "read"; userId: string; seq: number; receipt: { username: string } | null };

/** The answer to `watch`: the member's counts, and in a DM the other member's status. */
export interface WatchAnswer {
  counts: RoomCounts;
  presence: Record<string, PresenceStatus>;
}

/** What the watchers need from the room. */
export interface WatchersHost {
  roomId(): string | null;
  /** Who is in the app elsewhere changed: the room's presence is read again. */
  presenceChanged(): void;
  /** A read receipt for the room's sockets. */
  receipt(frame: Extract<ServerFrame, { type: "read" }>): void;
  /** The room's name and kind and how many members it has, for a ring (asked of D1). */
  roomInfo(): Promise<{ name: string; dm: boolean; members: number } | null>;
  channel(userId: string): DurableObjectStub<UserChannel>;
  waitUntil(promise: Promise<unknown>): void;
}

export class Watchers {
  private cache: Map<string, Watcher> | null = null;
  /** The counts each watcher was last told (memory only: after a wake, everyone is told again). */
  private readonly told = new Map<string, string>();
  private timer: ReturnType<typeof setTimeout> | null = null;
  /** Who is ringing for the current call. */
  private readonly rung = new Set<string>();

  constructor(
    private readonly sql: SqlStorage,
    private readonly meta: RoomMeta,
    private readonly log: Pick<MessageLog, "lastSeq" | "unread">,
    private readonly call: Pick<CallState, "participants">,
    private readonly host: WatchersHost,
  ) {
    sql.exec(`
      CREATE TABLE IF NOT EXISTS watchers (
        user_id       TEXT PRIMARY KEY,
        username      TEXT NOT NULL,
        last_read_seq INTEGER NOT NULL,
        status        TEXT NOT NULL
      ) WITHOUT ROWID;
    `);
  }

  /** One ask of a member's channel; `watch` is answered, the others are not. */
  handle(ask: ChannelAsk): WatchAnswer | null {
    switch (ask.op) {
      case "watch":
        return this.watch(ask.watcher, ask.dm);
      case "unwatch":
        this.unwatch(ask.userId);
        return null;
      case "status":
        this.status(ask.userId, ask.status);
        return null;
      case "read": {
        const seq = Math.min(ask.seq, this.log.lastSeq);
        if (ask.receipt) this.host.receipt({ type: "read", userId: ask.userId, username: ask.receipt.username, seq });
        this.read(ask.userId, seq);
        return null;
      }
    }
  }

  /** Everyone watching (read from the table once per wake). */
  all(): Map<string, Watcher> {
    if (!this.cache) {
      this.cache = new Map();
      for (const r of this.sql.exec<{ user_id: string; username: string; last_read_seq: number; status: string }>("SELECT * FROM watchers")) {
        this.cache.set(r.user_id, { userId: r.user_id, username: r.username, lastReadSeq: r.last_read_seq, status: r.status as Watcher["status"] });
      }
    }
    return this.cache;
  }

  /** A user's channel opened (or they joined while it is open): their counts, and who else is here. */
  watch(w: Watcher, dm: boolean): WatchAnswer {
    if (dm !== this.dm) this.meta.set("dm", dm ? "1" : "0");
    this.save(w);
    const counts = this.counts(w);
    this.told.set(w.userId, JSON.stringify(counts));
    if (dm) this.tellOthers(w.userId, { [w.userId]: w.status });
    this.host.presenceChanged();
    return { counts, presence: this.presenceFor(w.userId) };
  }

  /** The user's last channel closed, or they left the room. */
  unwatch(userId: string): void {
    if (!this.all().delete(userId)) return;
    this.sql.exec("DELETE FROM watchers WHERE user_id = ?", userId);
    this.told.delete(userId);
    if (this.dm) this.tellOthers(userId, { [userId]: "offline" });
    this.host.presenceChanged();
  }

  /** The user read up to `seq` (on some device): every device of theirs hears it now. */
  read(userId: string, seq: number): void {
    const w = this.all().get(userId);
    if (!w || seq <= w.lastReadSeq) return;
    this.save({ ...w, lastReadSeq: seq });
    this.tell(userId);
  }

  /** The user's status in the app changed (a tab came to the front or went to the back). */
  status(userId: string, status: Watcher["status"]): void {
    const w = this.all().get(userId);
    if (!w || w.status === status) return;
    this.save({ ...w, status });
    if (this.dm) this.tellOthers(userId, { [userId]: status });
    this.host.presenceChanged();
  }

  /** The statuses of the watchers, for the room's presence (users with a channel are in the app). */
  statuses(): Watcher[] {
    return [...this.all().values()];
  }

  /** Messages were stored, changed or deleted, or the call changed: counts go out soon, once. */
  activity(): void {
    if (this.timer || this.all().size === 0) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      for (const userId of this.all().keys()) this.tell(userId);
    }, NOTIFY_COALESCE_MS);
  }

  /**
   * The call changed. A call that just started rings the watchers who are not in it, in a DM
   * or a room of up to RING_MAX_MEMBERS; anyone rung who joined stops ringing (answered), and
   * everyone rung stops when the call ends.
   */
  async callChanged(participants: CallParticipant[], ringing: boolean): Promise<void> {
    const inCall = new Set(participants.map((p) => p.userId));
    const roomId = this.host.roomId()!;
    for (const userId of [...this.rung]) {
      if (participants.length === 0 || inCall.has(userId)) {
        this.rung.delete(userId);
        this.host.waitUntil(this.host.channel(userId).ringStop(userId, roomId, participants.length === 0 ? "ended" : "answered"));
      }
    }
    this.activity();
    if (!ringing || participants.length === 0) return;
    const info = await this.host.roomInfo();
    if (!info || (!info.dm && info.members > RING_MAX_MEMBERS)) return;
    const caller = participants[0]!;
    for (const w of this.all().values()) {
      if (inCall.has(w.userId)) continue;
      this.rung.add(w.userId);
      const ring = { roomId, roomName: info.name, from: { userId: caller.userId, username: caller.username } };
      this.host.waitUntil(this.host.channel(w.userId).ring(w.userId, ring));
    }
  }

  /** Whether the room is a DM (its watchers told the room when they first watched it). */
  private get dm(): boolean {
    return this.meta.get("dm") === "1";
  }

  private counts(w: Watcher): RoomCounts {
    const { unread, mentions } = this.log.unread(w.userId, w.username, w.lastReadSeq, MAX_COUNTED);
    const inCall = this.call.participants().length;
    return { roomId: this.host.roomId()!, lastSeq: this.log.lastSeq, lastReadSeq: w.lastReadSeq, unread, mentions, inCall };
  }

  /** Sends a watcher its counts if they changed since it was last told; a channel gone is forgotten. */
  private tell(userId: string): void {
    const w = this.all().get(userId);
    if (!w) return;
    const counts = this.counts(w);
    const key = JSON.stringify(counts);
    if (this.told.get(userId) === key) return;
    this.told.set(userId, key);
    this.host.waitUntil(
      this.host
        .channel(userId)
        .roomCounts(userId, counts)
        .then((open) => open || this.unwatch(userId))
        .catch(() => this.told.delete(userId)),
    );
  }

  private tellOthers(userId: string, presence: Record<string, PresenceStatus>): void {
    for (const other of this.all().keys()) if (other !== userId) this.host.waitUntil(this.host.channel(other).presenceOf(other, presence).catch(() => false));
  }

  private presenceFor(userId: string): Record<string, PresenceStatus> {
    const out: Record<string, PresenceStatus> = {};
    for (const w of this.all().values()) if (w.userId !== userId) out[w.userId] = w.status;
    return out;
  }

  private save(w: Watcher): void {
    this.all().set(w.userId, w);
    this.sql.exec(
      "INSERT INTO watchers (user_id, username, last_read_seq, status) VALUES (?, ?, ?, ?) ON CONFLICT (user_id) DO UPDATE SET username = excluded.username, last_read_seq = excluded.last_read_seq, status = excluded.status",
      w.userId,
      w.username,
      w.lastReadSeq,
      w.status,
    );
  }
}
