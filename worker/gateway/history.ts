import type { Refusal } from "../contract/errors";
import type { Env } from "../env";
import { membershipRefusal, notAMemberRefusal } from "./membership";
import type { PageAt } from "./page";

/**
 * Paging back through a room's history, for REST and Connect: the page limits, the (cached)
 * member check, and the room's own check for anyone who left since. The page is the JSON text
 * the room's SQLite wrote (RoomObject.historyJson), passed on as it is.
 */

/** A page holds HISTORY_DEFAULT_LIMIT messages unless asked for 1 to HISTORY_MAX_LIMIT. */
export const HISTORY_DEFAULT_LIMIT = 50;
export const HISTORY_MAX_LIMIT = 100;

export interface PageQuery {
  /** Only messages with a smaller seq; null or absent for the newest page. */
  before?: number | null;
  /** Only messages with a greater seq (the page toward the newest). */
  after?: number | null;
  /** About half older and half newer than this seq, it included (a jump to a message). */
  around?: number | null;
  /** Messages in the page; absent for HISTORY_DEFAULT_LIMIT. */
  limit?: number;
}

/** The JSON text of a `ChatMessage[]`, newest first. */
export type Page = { ok: true; json: string };

/**
 * A page of `roomId`'s history for `userId`, or why not: `room_not_found`, `not_a_member`
 * (also for someone who left within the cache's minute), `invalid_page` (limit out of range, or
 * more than one of before/after/around; checked after membership, so a stranger learns nothing
 * from it), `message_not_found` (no message `around` in the room).
 *
 * @example
 * const page = await historyPage(env, roomId, user.id, { before: 120, limit: 20 });
 * if (page.ok) return new Response(`{"messages":${page.json}}`);
 */
export async function historyPage(env: Env, roomId: string, userId: string, query: PageQuery): Promise<Page | Refusal> {
  // Scrolling back asks for page after page: membership from the one-minute cache, with
  // the room's word on anyone who left since.
  const refused = await membershipRefusal(env.DB, roomId, userId, "cached");
  if (refused) return refused;
  const limit = query.limit ?? HISTORY_DEFAULT_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > HISTORY_MAX_LIMIT) {
    return { ok: false, code: "invalid_page", message: `limit must be 1-${HISTORY_MAX_LIMIT}` };
  }
  const at = pageAt(query);
  if (!at) return { ok: false, code: "invalid_page", message: "ask for a page before, after or around one seq, not several" };
  const json = await env.ROOMS.getByName(roomId).historyJson(roomId, userId, at, limit);
  if (json === "not_found") return { ok: false, code: "message_not_found", message: `no message ${query.around} in this room` };
  return json === null ? notAMemberRefusal() : { ok: true, json };
}

/** Which page the query asks for; null when it names more than one place. */
function pageAt(q: PageQuery): PageAt | null {
  const asked = [q.before, q.after, q.around].filter((v) => v !== undefined && v !== null).length;
  if (asked > 1) return null;
  if (q.after !== undefined && q.after !== null) return { after: q.after };
  if (q.around !== undefined && q.around !== null) return { around: q.around };
  return { before: q.before ?? null };
}
