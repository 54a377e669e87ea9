import type { ServerFrame } from "../contract/wire";
import type { ShardEntry } from "./shard-entries";
import type { SocketInfo } from "./room-sockets";
import type { SocketOrigin } from "./socket-origin";
import { frameText } from "./message-frames";

/**
 * The room object's ordered stream to each of its shards. Every entry (a frame encoded once
 * for the whole room, an answer to one shard socket, a close) is queued per shard, and each
 * shard has at most ONE `deliver` call in flight: what arrives meanwhile goes out as the next
 * call's batch. So a shard applies entries in the room's order, a quiet room pays one call per
 * frame, and a busy one batches by itself. A failed call is retried (a shard drops messages
 * it already has by their seq). After MAX_TRIES the batch is given up, and the next call to
 * the shard, whenever there is one, starts by closing all its sockets (1011): they would
 * otherwise miss those entries for good, while closed they reconnect with `since` and resume
 * without a gap. (A shard that could not be reached at all has lost its sockets anyway.) The
 * queues are memory only: entries a restarted room object had queued are lost, which the shard
 * notices by the jump in message seqs (stream-floors.ts `skipped`).
 */

const MAX_TRIES = 3;
/** The first entry for a shard after its stream lost entries: its sockets close and come back with `since`. */
const RESYNC: ShardEntry = { op: "closeAll", code: 1011, reason: "the room's stream to this server broke; reconnect" };

/** Entries per call at most, so that one call stays a modest RPC however far a shard fell behind. */
const MAX_BATCH = 1000;

interface Queue {
  pending: ShardEntry[];
  busy: boolean;
  /** Entries were lost: RESYNC goes before anything else. */
  resync: boolean;
}

/** What the fan-out needs from the room. */
export interface FanoutHost {
  deliver(k: number, batch: ShardEntry[]): Promise<void>;
  /** The shards the stream reaches now (ShardRoster.live). */
  live(): Iterable<number>;
}

/** Counters for the bench's cost model (RoomObject.shardCosts). */
export interface FanoutCounts {
  calls: number;
  entries: number;
}

export class ShardFanout {
  private readonly queues = new Map<number, Queue>();
  readonly counts: FanoutCounts = { calls: 0, entries: 0 };

  constructor(private readonly host: FanoutHost) {}

  /** Queues `entry` for every live shard. */
  all(entry: ShardEntry): void {
    for (const k of this.host.live()) this.to(k, entry);
  }

  /** Queues `entry` for shard `k`. */
  to(k: number, entry: ShardEntry): void {
    let q = this.queues.get(k);
    if (!q) this.queues.set(k, (q = { pending: [], busy: false, resync: false }));
    q.pending.push(entry);
    if (!q.busy) void this.pump(k, q);
  }

  private async pump(k: number, q: Queue): Promise<void> {
    q.busy = true;
    try {
      while (q.pending.length > 0) {
        if (q.resync) q.pending.unshift(RESYNC);
        q.resync = false;
        const batch = q.pending.splice(0, MAX_BATCH);
        this.counts.calls += 1;
        this.counts.entries += batch.length;
        for (let tries = 1; ; tries++) {
          try {
            await this.host.deliver(k, batch);
            break;
          } catch (err) {
            if (tries >= MAX_TRIES) {
              console.error(`room: shard ${k} missed ${batch.length} entries; its sockets will reconnect`, err);
              q.resync = true;
              break;
            }
          }
        }
      }
    } finally {
      q.busy = false;
    }
  }
}

/**
 * A socket on shard `k`, as the room's frame handlers see it: answers travel in the shard's
 * stream (after whatever the room sent the shard before them); changes to `info` (strikes,
 * hidden) are given back to the shard as the answer of RoomObject.shardFrame, so `save` has
 * nothing to do here.
 */
export function shardOrigin(fanout: ShardFanout, k: number, sid: string, info: SocketInfo): SocketOrigin {
  return {
    info,
    key: sid,
    send: (frame: ServerFrame) => fanout.to(k, { op: "to", sid, text: frameText(frame, info) }),
    close: (code, reason) => fanout.to(k, { op: "close", sid, code, reason }),
    save: () => undefined,
  };
}
