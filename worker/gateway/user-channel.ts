import type { PresenceStatus, RoomCounts } from "../contract/user-wire";

/**
 * What a room may tell a user's channel (the per-user Durable Object, worker/users/), declared
 * on the floor so that the room calls it without importing the object (which calls rooms):
 * counts, rings, and the presence of a DM's other member. Each answers false when the user has
 * no channel open any more, so the room stops telling it.
 */
export interface UserChannel extends Rpc.DurableObjectBranded {
  roomCounts(userId: string, counts: RoomCounts): Promise<boolean>;
  ring(userId: string, ring: { roomId: string; roomName: string; from: { userId: string; username: string } }): Promise<boolean>;
  ringStop(userId: string, roomId: string, reason: "answered" | "ended"): Promise<boolean>;
  presenceOf(userId: string, presence: Record<string, PresenceStatus>): Promise<boolean>;
}
