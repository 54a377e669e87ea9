/**
 * A search, from the index's candidates to the hits a user sees (docs/search.md): D1's index
 * proposes messages in the user's rooms, newest first; each room is asked for those messages
 * as they are now, in parallel, and each is matched again here. So a deleted message is
 * never a hit and an edited one matches its new text only, even before the copy to D1 has
 * caught up; a room the user has left since answers nothing.
 */
import type { SearchHit, SearchPage } from "../contract/rest";
import type { ChatMessage } from "../contract/wire";
import { mentions, mentionSpans, ROOM_MENTION } from "../contract/mentions";
import { searchCandidates, type Candidate } from "../db/search";
import type { Env } from "../env";
import { ftsExpression, matchPhrases, type Phrase } from "./query";
import { snippetOf } from "./snippet";
import { MARKER, messageHas, type HasFilter } from "./terms";

/** Most hits per page, and the default. */
export const SEARCH_MAX_LIMIT = 50;
export const SEARCH_DEFAULT_LIMIT = 20;

export interface SearchAsk {
  user: { id: string; username: string };
  /** What to find: phrases of a query, or the messages that mention the user. */
  find: { phrases: Phrase[] } | { mentions: true };
  roomId?: string;
  fromUserId?: string;
  after?: number;
  before?: number;
  has?: HasFilter;
  limit: number;
  /** The cursor of the previous page: the last search id it saw. */
  belowId?: number;
}

/**
 * One page. It may hold fewer than `limit` hits while `nextCursor` is not null: the page
 * reads `limit` candidates, and the check may drop some (then the client asks on).
 */
export async function search(env: Env, ask: SearchAsk): Promise<SearchPage> {
  const match =
    "phrases" in ask.find
      ? ftsExpression(ask.find.phrases, ask.has ? [MARKER[ask.has]] : [])
      : `"${MARKER.mention(ask.user.username)}" OR "${MARKER.mention(ROOM_MENTION)}"`;
  const candidates = await searchCandidates(env.DB, {
    userId: ask.user.id,
    match,
    roomId: ask.roomId,
    fromUserId: ask.fromUserId,
    after: ask.after,
    before: ask.before,
    belowId: ask.belowId,
    limit: ask.limit,
  });
  const current = await currentMessages(env, ask.user.id, candidates);
  const hits: SearchHit[] = [];
  for (const c of candidates) {
    const message = current.get(`${c.room_id} ${c.seq}`);
    const hit = message && !message.deleted ? check(ask, c, message) : null;
    if (hit) hits.push(hit);
  }
  const last = candidates[candidates.length - 1];
  return { hits, nextCursor: candidates.length === ask.limit && last ? encodeCursor(last.id) : null };
}

/** The candidates' messages as their rooms hold them now, by "roomId seq"; a room the user left gives none. */
async function currentMessages(env: Env, userId: string, candidates: Candidate[]): Promise<Map<string, ChatMessage>> {
  const byRoom = new Map<string, number[]>();
  for (const c of candidates) byRoom.set(c.room_id, [...(byRoom.get(c.room_id) ?? []), c.seq]);
  const found = new Map<string, ChatMessage>();
  await Promise.all(
    [...byRoom].map(async ([roomId, seqs]) => {
      const json = await env.ROOMS.getByName(roomId).historyJson(roomId, userId, { seqs }, seqs.length);
      if (typeof json !== "string" || json === "not_found") return;
      for (const m of JSON.parse(json) as ChatMessage[]) found.set(`${roomId} ${m.seq}`, m);
    }),
  );
  return found;
}

/** The hit `message` makes for this search, or null when it no longer matches. */
function check(ask: SearchAsk, c: Candidate, message: ChatMessage): SearchHit | null {
  if (ask.has && !messageHas({ kind: message.kind, body: message.body, attachmentName: message.attachment?.name }, ask.has)) return null;
  let text = message.body;
  let marks: Array<[number, number]>;
  if ("phrases" in ask.find) {
    const name = message.attachment?.name ?? "";
    const found = matchPhrases(ask.find.phrases, [message.body, name]);
    if (!found) return null;
    // A caption-less file is shown by its name.
    [text, marks] = message.body === "" ? [name, found[1]!] : [message.body, found[0]!];
  } else {
    if (!mentions(message, ask.user.username)) return null;
    const me = ask.user.username.toLowerCase();
    marks = mentionSpans(message.body)
      .filter((s) => s.name === me || (s.name === ROOM_MENTION && message.mentionsRoom))
      .map((s): [number, number] => [s.start, s.end]);
  }
  return {
    roomId: c.room_id,
    roomName: c.visibility === "dm" ? (c.dm_username ?? "direct message") : c.name,
    visibility: c.visibility,
    seq: message.seq,
    userId: message.userId,
    username: message.username,
    ts: message.ts,
    kind: message.kind,
    snippet: snippetOf(text, marks),
  };
}

/** A page's cursor: opaque to clients ("s" and the last search id, base 36). */
export function encodeCursor(id: number): string {
  return `s${id.toString(36)}`;
}

/** The search id a cursor stands for, or null when it is not one this server made. */
export function decodeCursor(cursor: string): number | null {
  if (!/^s[0-9a-z]{1,11}$/.test(cursor)) return null;
  const id = parseInt(cursor.slice(1), 36);
  return Number.isSafeInteger(id) && id > 0 ? id : null;
}
