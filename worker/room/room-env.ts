import type { Bindings } from "../bindings";
import type { StatsObject } from "../stats/StatsObject";
import type { UserChannel } from "../gateway/user-channel";

/** What a room is given: the bindings, the stats object it reports to, and its members' channels. */
export interface RoomEnv extends Bindings {
  STATS: DurableObjectNamespace<StatsObject>;
  USERS: DurableObjectNamespace<UserChannel>;
}
