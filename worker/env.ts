import type { Bindings } from "./bindings";
import type { CallObject } from "./calls/CallObject";
import type { RoomObject } from "./room/RoomObject";
import type { RoomShard } from "./room/RoomShard";
import type { StatsObject } from "./stats/StatsObject";
import type { UserObject } from "./users/UserObject";
import type { CopyBatcher } from "./copy/CopyBatcher";

/** Everything the Hearth worker is given (see wrangler.toml): bindings, variables and the Durable Object namespaces. */
export interface Env extends Bindings {
  ROOMS: DurableObjectNamespace<RoomObject>;
  /** A big room's shards, `${roomId}/${k}`: sockets past what the room object holds (docs/architecture.md "Big rooms"). */
  ROOM_SHARDS: DurableObjectNamespace<RoomShard>;
  STATS: DurableObjectNamespace<StatsObject>;
  /** One call (PeerJS signaling) per room; see docs/calls.md. */
  CALLS: DurableObjectNamespace<CallObject>;
  /** One per user: the channel that keeps every tab of theirs live (docs/protocol.md "The per-user channel"). */
  USERS: DurableObjectNamespace<UserObject>;
  /** One for the deployment: rooms' copies to D1, many rooms per transaction (worker/copy/). */
  COPIER: DurableObjectNamespace<CopyBatcher>;
}
