import { numberVar } from "../config";
import type { ChangedRow, CopiedRow } from "../db/messages";
import type { CopyPart } from "../copy/CopyBatcher";
import type { ClientIdIndex } from "./client-ids";
import type { MessageLog, MessageRow } from "./message-log";
import type { RoomMeta } from "./meta";
import { indexTextOf } from "../search/terms";

/**
 * The copy of the room's log to D1, where cross-room queries (unread counts, search) read it.
 * Run from the room's alarm, never in a message's path: a quiet room's first message is copied
 * after `flushDelayMs`; a room that keeps talking every `busyFlushMs` (or per `flushRows`
 * messages waiting). The rows go to the copy batcher (copy/CopyBatcher.ts), which writes many
 * rooms' rows to D1 in one transaction: D1, one database for every room, gets a few large
 * writes instead of many small ones (docs/architecture.md). Changed messages (edits,
 * deletions) are copied over their rows after the new ones. It owns the `flushed_seq` and
 * `flushed_change_seq` watermarks and the cadence; the log keeps every row meanwhile, so a
 * failed copy is only late.
 */

/** Rows read and made into JSON in one synchronous step (the room's sockets are served between steps). */
const SLICE_ROWS = 100;
/** Bytes of JSON in one slice (D1 takes 2 MB per bound value; the batcher joins slices under that). */
const SLICE_BYTES = 512 * 1024;
/** Bytes of JSON in one call to the batcher: slices are sent together up to this. */
const CALL_BYTES = 1024 * 1024;
/** A failed copy is tried again after this long. */
const RETRY_MS = 5000;

export interface CopyCadence {
  flushDelayMs: number;
  busyFlushMs: number;
  /** Copy at once when this many messages wait, whatever the delay. */
  flushRows: number;
  /** Whether the copy writes the search index too (docs/search.md; off only for the bench's A/B). */
  index: boolean;
}

/** The cadence the settings ask for (D1_FLUSH_DELAY_MS, D1_FLUSH_ROWS, D1_FLUSH_BUSY_MS, SEARCH_INDEX; README "Limits"). */
export function copyCadence(env: { D1_FLUSH_DELAY_MS?: string; D1_FLUSH_ROWS?: string; D1_FLUSH_BUSY_MS?: string; SEARCH_INDEX?: string }): CopyCadence {
  const flushDelayMs = numberVar(env.D1_FLUSH_DELAY_MS, 2000);
  return {
    flushDelayMs,
    flushRows: numberVar(env.D1_FLUSH_ROWS, 1000),
    busyFlushMs: Math.max(flushDelayMs, numberVar(env.D1_FLUSH_BUSY_MS, 10_000)),
    index: env.SEARCH_INDEX !== "off",
  };
}

/** A row's text for the search index ("" when the copy writes none). */
function terms(index: boolean, r: MessageRow): string {
  if (!index) return "";
  return indexTextOf({ kind: r.kind, body: r.body, attachment: r.attachment, mentionsRoom: r.mentions_room === 1, deleted: r.deleted === 1 });
}

/** What the copy needs from the room. */
export interface D1CopyHost {
  roomId(): string | null;
  /** Hands rows to the copy batcher; resolves once D1 has them. */
  copy(parts: CopyPart[]): Promise<void>;
  /** Makes the room's alarm fire at `at` or earlier. */
  ensureAlarm(at: number): Promise<void>;
  waitUntil(promise: Promise<unknown>): void;
}

export class D1Copy {
  private flushDelayMs: number;
  private busyFlushMs: number;
  private flushRows: number;
  private index: boolean;
  /** The highest seq copied to D1 (mirrors meta `flushed_seq`). */
  private flushedSeq: number;
  /** The highest change seq copied to D1 (mirrors meta `flushed_change_seq`). */
  private flushedChangeSeq: number;
  /** When the last copy started (memory only: a fresh instance copies at the quiet pace). */
  private lastFlushAt = 0;
  private flushScheduled = false;
  private flushSoon = false;

  constructor(
    private readonly log: MessageLog,
    private readonly clientIds: ClientIdIndex,
    private readonly meta: RoomMeta,
    cadence: CopyCadence,
    private readonly host: D1CopyHost,
  ) {
    ({ flushDelayMs: this.flushDelayMs, busyFlushMs: this.busyFlushMs, flushRows: this.flushRows, index: this.index } = cadence);
    this.flushedSeq = Number(meta.get("flushed_seq") ?? 0);
    this.flushedChangeSeq = Number(meta.get("flushed_change_seq") ?? 0);
  }

  /** A message was stored as `seq` (null: a message changed): arm the alarm for its copy (at once past `flushRows` waiting). */
  stored(seq: number | null): void {
    if (seq !== null && !this.flushSoon && seq - this.flushedSeq >= this.flushRows) {
      this.flushSoon = true;
      this.host.waitUntil(this.host.ensureAlarm(Date.now()));
    }
    this.schedule();
  }

  /**
   * Arms the alarm that copies to D1 (and, after it, reports to the stats object and sends
   * pushes). A socket opening or closing (`connections: true`) is reported after
   * flushDelayMs, busy or not.
   */
  schedule(connections = false): void {
    if (this.flushScheduled && !connections) return;
    this.flushScheduled = true;
    const now = Date.now();
    const busy = !connections && now - this.lastFlushAt < this.busyFlushMs;
    const at = busy ? Math.max(now + this.flushDelayMs, this.lastFlushAt + this.busyFlushMs) : now + this.flushDelayMs;
    this.host.waitUntil(this.host.ensureAlarm(at));
  }

  /** The alarm's turn: copy, or arm a retry if D1 failed. */
  async onAlarm(): Promise<void> {
    this.flushScheduled = false;
    this.flushSoon = false;
    try {
      await this.flush();
    } catch (err) {
      console.error(`room flush to D1 failed; retrying in ${RETRY_MS / 1000} s`, err);
      this.flushScheduled = true;
      await this.host.ensureAlarm(Date.now() + RETRY_MS);
    }
  }

  /**
   * Copies every message not yet in D1 now. Returns the highest seq copied. The rows are read
   * and made into JSON a slice (SLICE_ROWS, SLICE_BYTES) at a time, the room's sockets served
   * between slices (a copy of thousands of rows in one step showed in the latency tail,
   * BENCHMARKS.md); the slices go to the batcher a call (CALL_BYTES) at a time without waiting
   * for each other, and the watermark follows the calls D1 has taken, in order.
   */
  async flush(): Promise<number> {
    const roomId = this.host.roomId();
    if (!roomId) return 0;
    // What is stored by now; messages arriving during the copy wait for the next one, so a
    // steady stream cannot keep one copy (and the pushes and reports after it) going forever.
    const target = this.log.lastSeq;
    if (this.flushedSeq < target) this.lastFlushAt = Date.now();
    const calls: { upTo: number; done: Promise<void> }[] = [];
    let read = this.flushedSeq;
    let parts: CopyPart[] = [];
    let bytes = 0;
    const send = () => {
      const done = this.host.copy(parts);
      done.catch(() => undefined); // awaited below, in order; not all of them if one fails
      calls.push({ upTo: read, done });
      parts = [];
      bytes = 0;
    };
    for (;;) {
      const rows = this.log.rows(read, target, SLICE_ROWS);
      if (rows.length === 0) break;
      const slice: CopiedRow[] = [];
      let sliceBytes = 0;
      for (const r of rows) {
        const text = terms(this.index, r);
        const size = (r.body.length + text.length) * 3 + (r.attachment?.length ?? 0) + 200;
        if (slice.length > 0 && sliceBytes + size > SLICE_BYTES) break;
        slice.push([roomId, r.seq, r.user_id, r.username, r.kind, r.body, r.client_id, r.attachment, r.ts, r.edited_at, r.deleted ? 1 : 0, text]);
        sliceBytes += size;
      }
      if (bytes > 0 && bytes + sliceBytes > CALL_BYTES) send();
      parts.push({ kind: "rows", json: JSON.stringify(slice), rows: slice.length });
      bytes += sliceBytes;
      read = slice[slice.length - 1]![1];
      if (read < target) await yieldToSockets();
    }
    if (parts.length > 0) send();
    for (const call of calls) {
      await call.done;
      this.flushedSeq = call.upTo;
      this.meta.set("flushed_seq", String(call.upTo));
      this.clientIds.fileUpTo(call.upTo);
    }
    const flushed = this.flushedSeq;
    await this.copyChanges(flushed);
    // Ids of messages the copy has not reached (it failed, or they came during it) stay in memory.
    if (this.log.lastSeq > flushed || this.log.lastChangeSeq > this.flushedChangeSeq) this.schedule();
    return flushed;
  }

  /**
   * Copies the changes made to rows D1 has (up to `flushed`) since the last copy. A row that
   * changed before its first copy went with its new state; a row changed again during this
   * copy is copied again next time.
   */
  private async copyChanges(flushed: number): Promise<void> {
    const roomId = this.host.roomId()!;
    const target = this.log.lastChangeSeq;
    while (this.flushedChangeSeq < target) {
      const rows = this.log.changedRows(this.flushedChangeSeq, target, flushed, SLICE_ROWS);
      if (rows.length > 0) {
        const slice: ChangedRow[] = rows.map((r) => [roomId, r.seq, r.body, r.attachment, r.edited_at, r.deleted ? 1 : 0, terms(this.index, r)]);
        await this.host.copy([{ kind: "changes", json: JSON.stringify(slice), rows: slice.length }]);
      }
      const done = rows.length < SLICE_ROWS ? target : rows[rows.length - 1]!.change_seq;
      this.flushedChangeSeq = done;
      this.meta.set("flushed_change_seq", String(done));
    }
  }
}

/** Lets the room's other events (its sockets' frames) run before the next synchronous step. */
function yieldToSockets(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}
