import type { Protocol } from "../contract/protocols";
import type { ShardReport, ShardUser } from "./shard-entries";

/**
 * Which shards a big room has and roughly how many sockets each holds: where the next socket
 * goes (`place`), which shards the room's stream must reach (`live`), and the shards' users and
 * counts for presence, pushes and the stats. Each shard's last report is kept in the room's
 * SQLite, so placement and the fan-out survive the room's hibernation.
 *
 * A count is the shard's last report, plus the sockets greeted since (the room greets every
 * shard socket, RoomObject.shardGreeting), plus placements not greeted yet. A placement never
 * greeted (the client went away before the shard took it) stops counting after
 * PLACEMENT_TIMEOUT_MS; the next report corrects the rest.
 */

const PLACEMENT_TIMEOUT_MS = 10_000;

interface ShardState {
  sockets: number;
  byProtocol: [Protocol, number][];
  users: Map<string, ShardUser>;
  /** When each placement not yet greeted was made (ms). */
  placed: number[];
}

export class ShardRoster {
  private readonly shards = new Map<number, ShardState>();

  constructor(
    private readonly sql: SqlStorage,
    private readonly limits: { maxShards: number; perShard: number },
  ) {
    sql.exec("CREATE TABLE IF NOT EXISTS room_shards (k INTEGER PRIMARY KEY, report TEXT NOT NULL)");
    for (const row of sql.exec<{ k: number; report: string }>("SELECT k, report FROM room_shards")) {
      this.shards.set(row.k, stateOf(JSON.parse(row.report) as ShardReport));
    }
  }

  /** The shard for one more socket (counted at once), or null when every shard is full. */
  place(now = Date.now()): number | null {
    for (let k = 0; k < this.limits.maxShards; k++) {
      const s = this.shards.get(k) ?? { sockets: 0, byProtocol: [], users: new Map(), placed: [] };
      s.placed = s.placed.filter((at) => now - at < PLACEMENT_TIMEOUT_MS);
      if (s.sockets + s.placed.length >= this.limits.perShard) continue;
      s.placed.push(now);
      this.shards.set(k, s);
      return k;
    }
    return null;
  }

  /** A socket placed on shard `k` is being greeted: it counts as open there. */
  greeted(k: number, user: { userId: string; username: string }): void {
    const s = this.shards.get(k) ?? { sockets: 0, byProtocol: [], users: new Map(), placed: [] };
    s.placed.shift();
    s.sockets += 1;
    if (!s.users.has(user.userId)) s.users.set(user.userId, { ...user, hidden: false });
    this.shards.set(k, s);
  }

  /** Shard `k`'s own word on its sockets. */
  reported(k: number, report: ShardReport): void {
    const placed = this.shards.get(k)?.placed ?? [];
    this.shards.set(k, { ...stateOf(report), placed });
    this.sql.exec("INSERT OR REPLACE INTO room_shards (k, report) VALUES (?, ?)", k, JSON.stringify(report));
  }

  /** The shards the room's stream must reach: those with sockets, or about to have one. */
  *live(): Iterable<number> {
    for (const [k, s] of this.shards) if (s.sockets > 0 || s.placed.length > 0) yield k;
  }

  /** Whether any shard holds (or is about to hold) a socket. */
  inUse(): boolean {
    for (const _ of this.live()) return true;
    return false;
  }

  /** Sockets on every shard. */
  sockets(): number {
    let n = 0;
    for (const s of this.shards.values()) n += s.sockets;
    return n;
  }

  /** Every shard's users (a user on two shards appears twice). */
  *users(): Iterable<ShardUser> {
    for (const s of this.shards.values()) yield* s.users.values();
  }

  /** Sockets on every shard, per protocol. */
  byProtocol(): Map<Protocol, number> {
    const counts = new Map<Protocol, number>();
    for (const s of this.shards.values()) for (const [p, n] of s.byProtocol) counts.set(p, (counts.get(p) ?? 0) + n);
    return counts;
  }

  /** The room was deleted: it has no shards any more. */
  clear(): void {
    this.shards.clear();
  }
}

function stateOf(report: ShardReport): ShardState {
  return { sockets: report.sockets, byProtocol: report.byProtocol, users: new Map(report.users.map((u) => [u.userId, u])), placed: [] };
}
