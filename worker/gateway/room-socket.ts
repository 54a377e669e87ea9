import type { Env } from "../env";
import { roomUpgradeRequest, SHARD_HEADER, shardName } from "./room-upgrade";

/**
 * Opens a socket into a room for the Hearth socket route and the protocol adapters alike: the
 * upgrade goes to the room object, which admits it (ticket, server-wide cap, membership) and
 * either takes the socket itself or, in a big room, names the shard that is to hold it
 * (SHARD_HEADER, docs/architecture.md "Big rooms"); then the same upgrade goes to that shard,
 * which accepts it. The room's placement answer never reaches a client: what comes back is
 * the 101 or a refusal.
 */
export async function openRoomSocket(env: Env, roomId: string, upgrade: Parameters<typeof roomUpgradeRequest>[0]): Promise<Response> {
  const request = roomUpgradeRequest(upgrade);
  const res = await env.ROOMS.getByName(roomId).fetch(request);
  const k = res.headers.get(SHARD_HEADER);
  if (res.status === 101 || k === null) return res;
  const placed = new Request(request);
  placed.headers.set(SHARD_HEADER, k);
  return env.ROOM_SHARDS.getByName(shardName(roomId, Number(k))).fetch(placed);
}
