/**
 * D1 queries of the search index (migrations/0010_search.sql; docs/search.md). The index is
 * written by the copy of each room's log (db/messages.ts); this reads it. Every value is a
 * bound parameter; the MATCH expression is built by search/query.ts from quoted tokens of
 * letters and digits only.
 */
import type { Visibility } from "../contract/rest";

/** What narrows a search besides its terms. */
export interface CandidateFilter {
  userId: string;
  /** FTS5 MATCH expression. */
  match: string;
  roomId?: string;
  fromUserId?: string;
  /** ms since the epoch: sent at or after. */
  after?: number;
  /** ms since the epoch: sent before. */
  before?: number;
  /** Only search ids below this (the cursor: the last one the previous page saw). */
  belowId?: number;
  limit: number;
}

/** A message the index matched, in a room the user is in now, with the room as they see it. */
export interface Candidate {
  id: number;
  room_id: string;
  seq: number;
  name: string;
  visibility: Visibility;
  dm_username: string | null;
}

/**
 * Index matches in the user's rooms, newest first (search ids follow the copy's order). The
 * membership join makes leaving a room take its messages out of the results at once, and a
 * private room's out of a stranger's.
 *
 * The joins are CROSS JOINs, which SQLite never reorders: the index's hits stay the outer loop,
 * newest first, so FTS5 serves the ORDER BY (no sort) and the LIMIT stops the walk. Left to
 * its planner, SQLite 3.51 (Node 22's) starts from the user's memberships instead, probes the
 * index once per message of their rooms and sorts: over 1,000,000 messages a rare term took
 * 5.4 s instead of 0.3 ms there, while workerd's 3.53 happened to choose this order
 * (BENCHMARKS.md, "Search").
 */
export async function searchCandidates(db: D1Database, f: CandidateFilter): Promise<Candidate[]> {
  const where: string[] = [];
  const params: unknown[] = [f.match, f.userId, f.limit];
  const bind = (sql: string, value: unknown) => {
    params.push(value);
    where.push(sql.replace("?", `?${params.length}`));
  };
  if (f.roomId !== undefined) bind("m.room_id = ?", f.roomId);
  if (f.fromUserId !== undefined) bind("m.user_id = ?", f.fromUserId);
  if (f.after !== undefined) bind("m.created_at >= ?", f.after);
  if (f.before !== undefined) bind("m.created_at < ?", f.before);
  if (f.belowId !== undefined) bind("i.rowid < ?", f.belowId);
  const { results } = await db
    .prepare(
      `SELECT i.rowid AS id, m.room_id, m.seq, r.name, r.visibility,
              CASE WHEN r.visibility = 'dm' THEN (SELECT u.username FROM memberships o JOIN users u ON u.id = o.user_id
                                                  WHERE o.room_id = r.id AND o.user_id != ?2 LIMIT 1) END AS dm_username
       FROM message_index i
       CROSS JOIN messages m ON m.search_id = i.rowid
       CROSS JOIN memberships ms ON ms.room_id = m.room_id AND ms.user_id = ?2
       CROSS JOIN rooms r ON r.id = m.room_id
       WHERE message_index MATCH ?1 ${where.map((w) => `AND ${w}`).join(" ")}
       ORDER BY i.rowid DESC LIMIT ?3`,
    )
    .bind(...params)
    .all<Candidate>();
  return results;
}

/** A user's id by username (case-insensitive), for the `from` filter. */
export async function userIdByName(db: D1Database, username: string): Promise<string | null> {
  const row = await db.prepare("SELECT id FROM users WHERE username = ?").bind(username).first<{ id: string }>();
  return row?.id ?? null;
}
