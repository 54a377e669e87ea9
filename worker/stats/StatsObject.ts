import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env";

export interface StatsSnapshot {
  connections: number;
  activeRooms: number;
  messagesAccepted: number;
  since: string;
}

/**
 * Hearth-wide counters, one instance named "global". Rooms report to it from their
 * flush alarm (batched, at most a couple of times a second per room), never per message.
 */
export class StatsObject extends DurableObject<Env> {
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(`
      CREATE TABLE IF NOT EXISTS rooms (room_id TEXT PRIMARY KEY, connections INTEGER NOT NULL, updated_at INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
    `);
    this.sql.exec("INSERT OR IGNORE INTO counters (name, value) VALUES ('accepted', 0), ('since', ?)", Date.now());
  }

  /**
   * Admission for one more socket anywhere in Hearth: true (and counted) while fewer than
   * `max` are open. Rooms call it before accepting a socket and `release` when one closes;
   * their periodic `report` overwrites the count with the truth, so a lost release heals.
   */
  async admit(roomId: string, max: number): Promise<boolean> {
    if (this.total() >= max) return false;
    this.sql.exec(
      "INSERT INTO rooms (room_id, connections, updated_at) VALUES (?, 1, ?) ON CONFLICT (room_id) DO UPDATE SET connections = connections + 1, updated_at = excluded.updated_at",
      roomId,
      Date.now(),
    );
    return true;
  }

  async release(roomId: string, count = 1): Promise<void> {
    this.sql.exec("UPDATE rooms SET connections = max(0, connections - ?), updated_at = ? WHERE room_id = ?", count, Date.now(), roomId);
  }

  private total(): number {
    return this.sql.exec<{ c: number | null }>("SELECT sum(connections) AS c FROM rooms").one().c ?? 0;
  }

  async report(roomId: string, connections: number, accepted: number): Promise<void> {
    this.sql.exec(
      "INSERT INTO rooms (room_id, connections, updated_at) VALUES (?, ?, ?) ON CONFLICT (room_id) DO UPDATE SET connections = excluded.connections, updated_at = excluded.updated_at",
      roomId,
      connections,
      Date.now(),
    );
    if (accepted > 0) this.sql.exec("UPDATE counters SET value = value + ? WHERE name = 'accepted'", accepted);
  }

  async snapshot(): Promise<StatsSnapshot> {
    const rooms = this.sql
      .exec<{ c: number | null; n: number }>("SELECT sum(connections) AS c, count(*) AS n FROM rooms WHERE connections > 0")
      .one();
    const counters = new Map(this.sql.exec<{ name: string; value: number }>("SELECT name, value FROM counters").toArray().map((r) => [r.name, r.value]));
    return {
      connections: rooms.c ?? 0,
      activeRooms: rooms.n,
      messagesAccepted: counters.get("accepted") ?? 0,
      since: new Date(counters.get("since") ?? 0).toISOString(),
    };
  }
}
