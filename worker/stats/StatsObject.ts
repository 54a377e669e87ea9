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
