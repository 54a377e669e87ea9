import type { ShardEntry, ShardGreeting } from "./shard-entries";

/**
 * What keeps a shard's sockets free of gaps and repeats while the room's stream flows
 * (RoomShard). A socket accepted by the shard waits for its greeting, which the room computes
 * at some moment G: what the stream brings meanwhile is queued for it (`waiting`). The greeting
 * holds every message up to its `lastSeq` and every change up to its `lastChangeSeq`, so
 * entries the room queued before G (still in the stream) are dropped for that socket: a
 * socket's floor lasts until the stream brings something newer than it, which the room can
 * only have queued after G. Messages and updates a batch sent twice brings again are
 * dropped for everyone by their seq. Messages a batch lost (the room gave the batch up, or
 * the room object restarted with entries still queued) show as a jump in the stream's message
 * seqs (`skipped`): every socket whose greeting is older than the jump missed them.
 */

type Floor = { seq: number; changeSeq: number };
type Ordered = { seq?: number; changeSeq?: number };

export class StreamFloors {
  /** Sockets not greeted yet, with what the stream brought them meanwhile. */
  private readonly waitingFor = new Map<WebSocket, ShardEntry[]>();
  /** Sockets greeted while older entries may still be in the stream. */
  private readonly floors = new Map<WebSocket, Floor>();
  /** The last message seq each socket's greeting held (kept while the socket lives, unlike its floor). */
  private readonly greetedUpTo = new Map<WebSocket, number>();
  /** The newest message and change the stream brought. */
  private stream: Floor = { seq: 0, changeSeq: 0 };
  /** The newest message seq the stream skipped (lost on the way); 0: none. */
  private lostUpTo = 0;

  /** `ws` was accepted: its greeting is on its way. */
  waiting(ws: WebSocket): void {
    this.waitingFor.set(ws, []);
  }

  /**
   * Whether `entry` skips message seqs (the stream brought messages before, but not the one
   * just before it): the highest seq skipped, or null. Call it before `except` takes the entry.
   * Only messages are checked: while a shard is in the room's roster every stored message is
   * in its stream (its seqs have no holes), while changes also come from the room's own work
   * between them. A shard that was out of the roster meanwhile (it had emptied) sees a jump
   * with nothing lost: its sockets were all greeted since, and `holds` keeps them.
   */
  skipped(entry: Ordered): number | null {
    if (entry.seq === undefined || this.stream.seq === 0 || entry.seq <= this.stream.seq + 1) return null;
    this.lostUpTo = Math.max(this.lostUpTo, entry.seq - 1);
    return entry.seq - 1;
  }

  /** Whether greeted socket `ws` has every message up to `seq` from its greeting, or is still waiting for it (`greeted` decides then). */
  holds(ws: WebSocket, seq: number): boolean {
    return this.waitingFor.has(ws) || (this.greetedUpTo.get(ws) ?? 0) >= seq;
  }

  /**
   * The sockets that must not get `entry` now (waiting, or greeted with it already), or null
   * when the stream brought it before (nobody gets it).
   */
  except(entry: Ordered): Set<WebSocket> | undefined | null {
    if (entry.seq !== undefined) {
      if (entry.seq <= this.stream.seq) return null;
      this.stream.seq = entry.seq;
    }
    if (entry.changeSeq !== undefined) {
      if (entry.changeSeq <= this.stream.changeSeq) return null;
      this.stream.changeSeq = entry.changeSeq;
    }
    if (this.waitingFor.size === 0 && this.floors.size === 0) return undefined;
    const except = new Set(this.waitingFor.keys());
    for (const [ws, floor] of this.floors) {
      if (covers(floor, entry)) except.add(ws);
      else if (entry.seq !== undefined || entry.changeSeq !== undefined) this.floors.delete(ws);
    }
    return except;
  }

  /** Queues `entry` for the waiting sockets (but `skip`), or for `only`; whether anyone was waiting for it. */
  queue(entry: ShardEntry, skip?: WebSocket, only?: WebSocket): boolean {
    if (only) {
      this.waitingFor.get(only)?.push(entry);
      return this.waitingFor.has(only);
    }
    for (const [ws, queued] of this.waitingFor) if (ws !== skip) queued.push(entry);
    return this.waitingFor.size > 0;
  }

  /**
   * `ws` got its greeting: what was queued for it and the greeting does not hold, in order; or
   * null when the stream skipped messages newer than the greeting (the socket missed them).
   */
  greeted(ws: WebSocket, greeting: Extract<ShardGreeting, { ok: true }>): ShardEntry[] | null {
    const queued = this.waitingFor.get(ws) ?? [];
    this.waitingFor.delete(ws);
    if (greeting.lastSeq < this.lostUpTo) return null;
    const floor = { seq: greeting.lastSeq, changeSeq: greeting.lastChangeSeq };
    this.floors.set(ws, floor);
    this.greetedUpTo.set(ws, greeting.lastSeq);
    return queued.filter((e) => e.op !== "all" || !covers(floor, e));
  }

  gone(ws: WebSocket): void {
    this.waitingFor.delete(ws);
    this.floors.delete(ws);
    this.greetedUpTo.delete(ws);
  }
}

/** Whether a greeting up to `floor` already holds `entry`. */
function covers(floor: Floor, entry: Ordered): boolean {
  return (entry.seq !== undefined && entry.seq <= floor.seq) || (entry.changeSeq !== undefined && entry.changeSeq <= floor.changeSeq);
}
