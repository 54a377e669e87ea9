import type { Bindings } from "../bindings";
import type { StatsObject } from "../stats/StatsObject";

/** What a room is given: the bindings, and the stats object it reports to. */
export interface RoomEnv extends Bindings {
  STATS: DurableObjectNamespace<StatsObject>;
}
