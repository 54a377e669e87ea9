import { BANNED, NOT_A_MEMBER, NO_SUCH_ROOM, type Refusal } from "../contract/errors";
import { lookupMembership } from "../db/rooms";

/**
 * Whether a user may act in a room: the first rule of posting, paging history and subscribing,
 * whatever the protocol. Answered from D1, or (for requests that come again and again: socket
 * upgrades, history pages) from a one-minute cache of "yes" answers in this isolate.
 */

/**
 * How long a "yes, a member" answer is reused in this isolate (socket upgrades, history
 * pages). A user who leaves within this window cannot slip back in through a stale answer:
 * the room object keeps its departures for longer (DEPARTURE_MS) and checks D1 itself for
 * them (Departures.stillMember, room/departures.ts), and the leave route forgets the answer in its own isolate.
 */
export const MEMBER_CACHE_MS = 60_000;
/**
 * How long a room remembers who left. Longer than the cache: an answer read from D1 while the
 * leave was under way (after the room heard of it, before D1 did) is cached from then, so it
 * can outlive a departure kept for just MEMBER_CACHE_MS by as long as the leave took.
 */
export const DEPARTURE_MS = 2 * MEMBER_CACHE_MS;
const MAX_ENTRIES = 10_000;

const members = new Map<string, number>();

export const notAMemberRefusal = (): Refusal => ({ ok: false, code: "not_a_member", message: NOT_A_MEMBER });

/**
 * Null when `userId` is a member of `roomId`, else why not. `"cached"` answers from memory when
 * the same user passed for the same room in the last minute (a D1 query less per request);
 * only positive answers are kept, a refusal is asked again every time. Callers of a cached
 * check must let the room object have the last word (it knows who left since).
 */
export async function membershipRefusal(
  db: D1Database,
  roomId: string,
  userId: string,
  freshness: "fresh" | "cached" = "fresh",
  now = Date.now(),
): Promise<Refusal | null> {
  const key = `${roomId} ${userId}`;
  if (freshness === "cached") {
    const until = members.get(key);
    if (until !== undefined && until > now) return null;
  }
  const found = await lookupMembership(db, roomId, userId);
  if (found === "room_not_found") return { ok: false, code: "room_not_found", message: NO_SUCH_ROOM };
  if (found === "not_a_member") return notAMemberRefusal();
  if (found === "banned") return { ok: false, code: "banned", message: BANNED };
  if (freshness === "fresh") return null;
  members.delete(key);
  if (members.size >= MAX_ENTRIES) members.delete(members.keys().next().value!);
  members.set(key, now + MEMBER_CACHE_MS);
  return null;
}

/** Forgets a cached answer (the user left through this isolate). */
export function forgetMembership(roomId: string, userId: string): void {
  members.delete(`${roomId} ${userId}`);
}
