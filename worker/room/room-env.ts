import type { Bindings } from "../bindings";
import type { StatsObject } from "../stats/StatsObject";
import type { UserChannel } from "../gateway/user-channel";
import type { CopyBatcher } from "../copy/CopyBatcher";
import type { ShardRpc } from "./shard-entries";

/** What a room is given: the bindings, the stats object it reports to, its members' channels, the copy batcher and its shards. */
export interface RoomEnv extends Bindings {
  STATS: DurableObjectNamespace<StatsObject>;
  USERS: DurableObjectNamespace<UserChannel>;
  /** The copy batcher ("global"): rooms' rows to D1 in shared transactions. */
  COPIER: DurableObjectNamespace<CopyBatcher>;
  /** A big room's shards, named `${roomId}/${k}` (RoomShard). */
  ROOM_SHARDS: DurableObjectNamespace<ShardRpc>;
}
