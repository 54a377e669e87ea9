import { requireMembership } from "../db/rooms";

/**
 * How long a "yes, a member" answer is reused in this isolate (socket upgrades, history
 * pages). A user who leaves within this window cannot slip back in through a stale answer:
 * the room object keeps its departures for longer (DEPARTURE_MS) and checks D1 itself for
 * them (RoomObject.stillMember), and the leave route forgets the answer in its own isolate.
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

/**
 * `requireMembership`, answered from memory when the same user passed it for the same room in
 * the last minute (reconnects, several tabs, scrolling back through history): a D1 query less
 * per request. Only positive answers are kept; a refusal is asked again every time. Callers
 * must let the room object have the last word (it knows who left since).
 */
export async function requireCachedMembership(db: D1Database, roomId: string, userId: string, now = Date.now()): Promise<void> {
  const key = `${roomId} ${userId}`;
  const until = members.get(key);
  if (until !== undefined && until > now) return;
  await requireMembership(db, roomId, userId);
  members.delete(key);
  if (members.size >= MAX_ENTRIES) members.delete(members.keys().next().value!);
  members.set(key, now + MEMBER_CACHE_MS);
}

/** Forgets a cached answer (the user left through this isolate). */
export function forgetMembership(roomId: string, userId: string): void {
  members.delete(`${roomId} ${userId}`);
}
