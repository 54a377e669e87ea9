import { DurableObject } from "cloudflare:workers";
import type { Bindings } from "../bindings";
import type { Protocol, Via } from "../contract/protocols";

export interface ProtocolStats {
  protocol: Via;
  connections: number;
  messagesIn: number;
  messagesOut: number;
}

export interface StatsSnapshot {
  connections: number;
  activeRooms: number;
  messagesAccepted: number;
  since: string;
  protocols: ProtocolStats[];
}

const VIAS: Via[] = ["websocket", "signalr", "connect", "rest"];

/**
 * Hearth-wide counters, one instance named "global". Rooms report to it from their
 * flush alarm (batched, at most a couple of times a second per room), never per message;
 * it also admits each new socket against the server-wide cap.
 */
export class StatsObject extends DurableObject<Bindings> {
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Bindings) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(`
      CREATE TABLE IF NOT EXISTS room_sockets (
        room_id TEXT NOT NULL, protocol TEXT NOT NULL, connections INTEGER NOT NULL, updated_at INTEGER NOT NULL,
        PRIMARY KEY (room_id, protocol));
      CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
    `);
    this.sql.exec("INSERT OR IGNORE INTO counters (name, value) VALUES ('accepted', 0), ('since', ?)", Date.now());
  }

  /**
   * Admission for one more socket anywhere in Hearth: true (and counted) while fewer than
   * `max` are open. Rooms call it before accepting a socket and `release` when one closes;
   * their periodic `report` overwrites the counts with the truth, so a lost release heals.
   */
  async admit(roomId: string, max: number, protocol: Protocol = "websocket"): Promise<boolean> {
    if (this.total() >= max) return false;
    this.sql.exec(
      `INSERT INTO room_sockets (room_id, protocol, connections, updated_at) VALUES (?, ?, 1, ?)
       ON CONFLICT (room_id, protocol) DO UPDATE SET connections = connections + 1, updated_at = excluded.updated_at`,
      roomId,
      protocol,
      Date.now(),
    );
    return true;
  }

  async release(roomId: string, protocol: Protocol = "websocket"): Promise<void> {
    this.sql.exec(
      "UPDATE room_sockets SET connections = max(0, connections - 1), updated_at = ? WHERE room_id = ? AND protocol = ?",
      Date.now(),
      roomId,
      protocol,
    );
  }

  private total(): number {
    return this.sql.exec<{ c: number | null }>("SELECT sum(connections) AS c FROM room_sockets").one().c ?? 0;
  }

  async report(
    roomId: string,
    connections: Partial<Record<Protocol, number>>,
    accepted: number,
    count: { in: Partial<Record<Via, number>>; out: Partial<Record<Protocol, number>> } = { in: {}, out: {} },
  ): Promise<void> {
    const now = Date.now();
    for (const [protocol, n] of Object.entries(connections)) {
      this.sql.exec(
        `INSERT INTO room_sockets (room_id, protocol, connections, updated_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (room_id, protocol) DO UPDATE SET connections = excluded.connections, updated_at = excluded.updated_at`,
        roomId,
        protocol,
        n,
        now,
      );
    }
    this.add("accepted", accepted);
    for (const [via, n] of Object.entries(count.in)) this.add(`in:${via}`, n);
    for (const [protocol, n] of Object.entries(count.out)) this.add(`out:${protocol}`, n);
  }

  private add(name: string, n: number) {
    if (n > 0) {
      this.sql.exec("INSERT INTO counters (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = value + excluded.value", name, n);
    }
  }

  async snapshot(): Promise<StatsSnapshot> {
    const rooms = this.sql
      .exec<{ c: number | null; n: number }>(
        "SELECT sum(c) AS c, count(*) AS n FROM (SELECT sum(connections) AS c FROM room_sockets GROUP BY room_id HAVING sum(connections) > 0)",
      )
      .one();
    const byProtocol = new Map(
      this.sql
        .exec<{ protocol: string; c: number }>("SELECT protocol, sum(connections) AS c FROM room_sockets GROUP BY protocol")
        .toArray()
        .map((r) => [r.protocol, r.c]),
    );
    const counters = new Map(this.sql.exec<{ name: string; value: number }>("SELECT name, value FROM counters").toArray().map((r) => [r.name, r.value]));
    return {
      connections: rooms.c ?? 0,
      activeRooms: rooms.n,
      messagesAccepted: counters.get("accepted") ?? 0,
      since: new Date(counters.get("since") ?? 0).toISOString(),
      protocols: VIAS.map((protocol) => ({
        protocol,
        connections: byProtocol.get(protocol) ?? 0,
        messagesIn: counters.get(`in:${protocol}`) ?? 0,
        messagesOut: counters.get(`out:${protocol}`) ?? 0,
      })),
    };
  }
}
