import type { Bindings } from "../bindings";
import type { StatsObject } from "../stats/StatsObject";
import type { UserChannel } from "../gateway/user-channel";
import type { CopyBatcher } from "../copy/CopyBatcher";

/** What a room is given: the bindings, the stats object it reports to, its members' channels and the copy batcher. */
export interface RoomEnv extends Bindings {
  STATS: DurableObjectNamespace<StatsObject>;
  USERS: DurableObjectNamespace<UserChannel>;
  /** The copy batcher ("global"): rooms' rows to D1 in shared transactions. */
  COPIER: DurableObjectNamespace<CopyBatcher>;
}
