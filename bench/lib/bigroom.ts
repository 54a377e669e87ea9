/**
 * The bigroom scenario (issue 20 item 3): one room of 4,000 sockets, 4 senders and the rest
 * receivers, placed by the server itself across the room object and its shards
 * (docs/architecture.md "Big rooms"). The traffic runner checks every delivery (order, loss,
 * repeats per receiver and sender, and seq gaps). The same room is run in layouts that differ
 * only in where its sockets live, each on a fresh `wrangler dev`:
 *   one object   every socket on the room object (MAX_ROOM_SHARDS=0), the cost of a room today;
 *   room + S     1,000 sockets on the room object, the rest on S shards of 3000/S sockets.
 * Every Durable Object runs in the one workerd process, so its CPU cannot be split per object
 * by the operating system; the layouts split it instead. With the socket count fixed, the CPU
 * per message of "room + 6" minus "room + 3", over 3, is what one more shard costs per message
 * (the room's forward of a batch and the shard's handling of it, serialization included); and
 * "room + 3" minus "one object" is what spreading 3,000 deliveries over shards costs or saves.
 */
import { HearthTarget } from "./targets.ts";
import { startHearthServer } from "./servers.ts";
import { runTraffic, type TrafficResult } from "./traffic.ts";
import { sleep } from "./stats.ts";

export interface BigRoomLayout {
  label: string;
  shards: number;
  vars: Record<string, string>;
}

export interface BigRoomRun {
  layout: BigRoomLayout;
  traffic: TrafficResult;
}

/** The layouts of a room of `sockets` (1,000 on the room object; the rest over 3 and 6 shards). */
export function bigRoomLayouts(sockets: number): BigRoomLayout[] {
  const rest = Math.max(0, sockets - 1000);
  const spread = (shards: number): BigRoomLayout => ({
    label: `room + ${shards} shards`,
    shards,
    vars: { MAX_ROOM_CONNECTIONS: "1000", ROOM_SHARD_CONNECTIONS: String(Math.ceil(rest / shards)), MAX_ROOM_SHARDS: String(shards) },
  });
  return [{ label: "one object", shards: 0, vars: { MAX_ROOM_CONNECTIONS: String(sockets + 10), MAX_ROOM_SHARDS: "0" } }, spread(3), spread(6)];
}

export async function runBigRoom(
  o: { sockets: number; senders: number; durationMs: number; warmupMs: number; vars: Record<string, string>; layouts?: BigRoomLayout[] },
  log: (s: string) => void,
): Promise<BigRoomRun[]> {
  const runs: BigRoomRun[] = [];
  for (const layout of o.layouts ?? bigRoomLayouts(o.sockets)) {
    log(`bigroom: ${o.sockets} sockets, ${layout.label}`);
    const server = await startHearthServer({ ...o.vars, MAX_CONNECTIONS: String(o.sockets + 100), ...layout.vars });
    try {
      const traffic = await runTraffic(
        new HearthTarget(server),
        { rooms: 1, sendersPerRoom: o.senders, receiversPerRoom: o.sockets - o.senders, durationMs: o.durationMs, warmupMs: o.warmupMs },
        { log },
      );
      runs.push({ layout, traffic });
    } finally {
      await server.stop();
    }
    await sleep(1000);
  }
  return runs;
}

/** CPU µs per message of the server (workerd and wrangler) and what the layouts say of the parts. */
export function bigRoomModel(runs: BigRoomRun[]): Record<string, number> {
  const us = (shards: number) => runs.find((r) => r.layout.shards === shards)?.traffic.cpuUsPerMsg["server total"] ?? NaN;
  const receivers = runs[0]?.traffic.receivers ?? NaN;
  return {
    "server µs/msg, one object": us(0),
    "server µs/msg, room + 3 shards": us(3),
    "server µs/msg, room + 6 shards": us(6),
    "µs per delivery, one object (server total / receivers)": us(0) / receivers,
    "µs per shard per message (room + 6 minus room + 3, over 3)": (us(6) - us(3)) / 3,
    "µs per message, shards (3) minus one object": us(3) - us(0),
  };
}
