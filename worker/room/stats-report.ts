import type { StatsObject } from "../stats/StatsObject";
import type { Protocol, Via } from "../contract/protocols";

/**
 * The room's counters for the stats object (`GET /stats`): messages in (by protocol),
 * deliveries out, and open connections. One stats object serves every room, so a room
 * reports when its connections changed, and its message counters at most every
 * STATS_REPORT_MS, from its alarm: never once per message or per flush.
 */

const STATS_REPORT_MS = 10_000;

/** What the reporter needs from the room. */
export interface StatsHost {
  roomId(): string | null;
  /** Open sockets per protocol, read afresh. */
  connections(): [Protocol, number][];
  ensureAlarm(at: number): Promise<void>;
}

export class StatsReport {
  /** Messages accepted since the last report. */
  private accepted = 0;
  /** Messages in (by the protocol they came through) and deliveries out, since the last report. */
  private count: { in: Partial<Record<Via, number>>; out: Partial<Record<Protocol, number>> } = { in: {}, out: {} };
  private last = { at: 0, connections: "" };

  constructor(
    private readonly stats: () => DurableObjectStub<StatsObject>,
    private readonly host: StatsHost,
  ) {}

  /** A message came in through `via` and went out to these sockets. */
  delivered(via: Via, to: [Protocol, number][]): void {
    this.accepted += 1;
    this.count.in[via] = (this.count.in[via] ?? 0) + 1;
    for (const [p, n] of to) this.count.out[p] = (this.count.out[p] ?? 0) + n;
  }

  /** Reports now if the connections changed, or counters wait and the last report is old enough. */
  async report(now = Date.now()): Promise<void> {
    const roomId = this.host.roomId();
    if (!roomId) return;
    const connections = Object.fromEntries(this.host.connections()) as Record<Protocol, number>;
    const key = JSON.stringify(connections);
    const pending = this.accepted > 0 || Object.keys(this.count.in).length > 0 || Object.keys(this.count.out).length > 0;
    if (key === this.last.connections && (!pending || now - this.last.at < STATS_REPORT_MS)) {
      if (pending) await this.host.ensureAlarm(this.last.at + STATS_REPORT_MS);
      return;
    }
    const accepted = this.accepted;
    const count = this.count;
    this.accepted = 0;
    this.count = { in: {}, out: {} };
    try {
      await this.stats().report(roomId, connections, accepted, count);
      this.last = { at: now, connections: key };
    } catch (err) {
      this.accepted += accepted;
      console.error("stats report failed", err);
    }
  }
}
