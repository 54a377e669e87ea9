import type { Bindings } from "../bindings";
import type { RoomObject } from "../room/RoomObject";

/** What a user's channel is given: the bindings, and the rooms it watches. */
export interface UserEnv extends Bindings {
  ROOMS: DurableObjectNamespace<RoomObject>;
}
