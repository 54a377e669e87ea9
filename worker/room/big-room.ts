import { numberVar, numberVarOrZero } from "../config";
import { shardName } from "../gateway/room-upgrade";
import { Audience } from "./audience";
import type { RoomEnv } from "./room-env";
import type { RoomSockets, SocketInfo } from "./room-sockets";
import type { ShardReport } from "./shard-entries";
import { ShardFanout, shardOrigin } from "./shard-fanout";
import { ShardRoster } from "./shard-roster";
import type { SocketOrigin } from "./socket-origin";

/**
 * The room object's side of a big room (docs/architecture.md "Big rooms"): its shards
 * (ShardRoster), its stream to them (ShardFanout), the room as one audience of sockets
 * wherever they live (Audience), and what the room does with a shard socket's frame and a
 * shard's report (a shard socket's greeting is the Admission's). A room that never fills its object has no shard, and
 * all this costs it one map lookup per broadcast.
 */

/** What a big room needs from the room. */
export interface BigRoomHost {
  roomId(): string | null;
  /** A shard socket's frame, handled as the room's own sockets' are (SocketFrames.handle). */
  frame(origin: SocketOrigin, text: string): Promise<void>;
  /** A shard's sockets changed: presence and the connection report follow. */
  changed(): void;
}

/** The settings of a room's shards (wrangler.toml `[vars]`, README "Limits"). */
export function shardLimits(env: RoomEnv): { maxShards: number; perShard: number } {
  // 0 shards is allowed: the room holds only what its object holds (the tests' default world).
  const maxShards = numberVarOrZero(env.MAX_ROOM_SHARDS, 32);
  // 450: a shard's fan-out of one message (31 µs a socket, BENCHMARKS.md "Rooms larger than one
  // object") stays under 70 % of its time at 50 messages/s; 1,000 falls behind in such a burst.
  return { maxShards, perShard: numberVar(env.ROOM_SHARD_CONNECTIONS, 450) };
}

export class BigRoom {
  readonly roster: ShardRoster;
  readonly fanout: ShardFanout;
  readonly audience: Audience;

  constructor(sql: SqlStorage, env: RoomEnv, sockets: RoomSockets, private readonly host: BigRoomHost) {
    this.roster = new ShardRoster(sql, shardLimits(env));
    this.fanout = new ShardFanout({
      live: () => this.roster.live(),
      deliver: (k, batch) => {
        const roomId = host.roomId()!;
        return env.ROOM_SHARDS.getByName(shardName(roomId, k)).deliver(roomId, k, batch);
      },
    });
    this.audience = new Audience(sockets, this.roster, this.fanout);
  }

  /** A frame of a socket on shard `k`; answers the socket's strikes and visibility after it, which the shard keeps. */
  async frame(roomId: string, k: number, info: SocketInfo, text: string): Promise<Pick<SocketInfo, "strikes" | "hidden">> {
    this.bound(roomId);
    await this.host.frame(shardOrigin(this.fanout, k, info.sid!, info), text);
    return { strikes: info.strikes, hidden: info.hidden };
  }

  report(roomId: string, k: number, report: ShardReport): void {
    this.bound(roomId);
    this.roster.reported(k, report);
    this.host.changed();
  }

  /** A shard calls the room it was placed by, which is bound to its id already. */
  private bound(roomId: string) {
    if (this.host.roomId() !== roomId) throw new Error(`room object for ${this.host.roomId()} addressed as ${roomId} by a shard`);
  }
}
