/**
 * D1 queries for the copy of rooms' messages (each room's own log is the source of truth;
 * docs/architecture.md, "The write path"). Every value is a bound parameter.
 */

/**
 * One message as the copy sends it: [room_id, seq, user_id, username, kind, body, client_id,
 * attachment, ts, edited_at, deleted, terms]; `terms` is what the search index gets
 * (search/terms.ts `indexTextOf`), "" for nothing (a tombstone, or indexing turned off). The
 * room id is in each row because one copy carries many rooms' rows (copy/CopyBatcher.ts).
 */
export type CopiedRow = [string, number, string, string, string, string, string, string | null, number, number | null, 0 | 1, string];

/** A changed message as the copy sends it: [room_id, seq, body, attachment, edited_at, deleted, terms]. */
export type ChangedRow = [string, number, string, string | null, number | null, 0 | 1, string];

/** The highest search id handed out so far (docs/search.md: ids follow the order of the copy). */
const LAST_SEARCH_ID = "(SELECT coalesce(max(search_id), 0) FROM messages WHERE search_id IS NOT NULL)";

/**
 * The statements that copy new rows of any number of rooms to D1 (`json`: a JSON array of
 * CopiedRow, each room's rows in seq order), to run in one batch (one transaction): their
 * terms into the search index (`index`), the rows (one statement over the whole array, so D1
 * parses and plans once per copy, not once per row or per room), and each room's `last_seq`
 * raised to its last row. Row k of the array takes search id LAST_SEARCH_ID + k + 1, the
 * index's rowid, in copy order; both statements read LAST_SEARCH_ID before either writes it. A
 * repeated copy is harmless: rows D1 has are neither indexed nor inserted again.
 */
export function copyRowsStatements(db: D1Database, json: string, index: boolean): D1PreparedStatement[] {
  const indexing = db
    .prepare(
      `INSERT INTO message_index (rowid, terms)
       SELECT ${LAST_SEARCH_ID} + j.key + 1, json_extract(j.value, '$[11]') FROM json_each(?1) AS j
       WHERE json_extract(j.value, '$[11]') != ''
         AND NOT EXISTS (SELECT 1 FROM messages WHERE room_id = json_extract(j.value, '$[0]') AND seq = json_extract(j.value, '$[1]'))`,
    )
    .bind(json);
  return [
    ...(index ? [indexing] : []),
    db
      .prepare(
        `INSERT OR IGNORE INTO messages (room_id, seq, user_id, username, kind, body, client_id, attachment, created_at, edited_at, deleted, search_id)
         SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]'), json_extract(value, '$[3]'),
                json_extract(value, '$[4]'), json_extract(value, '$[5]'), json_extract(value, '$[6]'),
                json_extract(value, '$[7]'), json_extract(value, '$[8]'), json_extract(value, '$[9]'), json_extract(value, '$[10]'),
                ${LAST_SEARCH_ID} + key + 1
         FROM json_each(?1)`,
      )
      .bind(json),
    db
      .prepare(
        `UPDATE rooms SET last_seq = max(last_seq, c.seq), last_message_at = max(coalesce(last_message_at, 0), c.ts)
         FROM (SELECT json_extract(value, '$[0]') AS room_id, max(json_extract(value, '$[1]')) AS seq, max(json_extract(value, '$[8]')) AS ts
               FROM json_each(?1) GROUP BY 1) AS c
         WHERE rooms.id = c.room_id`,
      )
      .bind(json),
  ];
}

/**
 * The statements that copy changed messages of any number of rooms (`json`: a JSON array of
 * ChangedRow, edited or deleted since their copy) over D1's rows: the same state as the room's
 * log, a deleted body gone here too, and (`index`) the message's terms replaced in the search
 * index under the same search id (a tombstone's removed). Reactions stay in the room (nothing
 * across rooms reads them).
 */
export function copyChangesStatements(db: D1Database, json: string, index: boolean): D1PreparedStatement[] {
  const copied = `FROM json_each(?1) AS j JOIN messages m ON m.room_id = json_extract(j.value, '$[0]') AND m.seq = json_extract(j.value, '$[1]') WHERE m.search_id IS NOT NULL`;
  const reindex = [
    db.prepare(`DELETE FROM message_index WHERE rowid IN (SELECT m.search_id ${copied})`).bind(json),
    db
      .prepare(`INSERT INTO message_index (rowid, terms) SELECT m.search_id, json_extract(j.value, '$[6]') ${copied} AND json_extract(j.value, '$[6]') != ''`)
      .bind(json),
  ];
  return [
    db
      .prepare(
        `UPDATE messages SET body = c.body, attachment = c.attachment, edited_at = c.edited_at, deleted = c.deleted
         FROM (SELECT json_extract(value, '$[0]') AS room_id, json_extract(value, '$[1]') AS seq, json_extract(value, '$[2]') AS body,
                      json_extract(value, '$[3]') AS attachment, json_extract(value, '$[4]') AS edited_at, json_extract(value, '$[5]') AS deleted
               FROM json_each(?1)) AS c
         WHERE messages.room_id = c.room_id AND messages.seq = c.seq`,
      )
      .bind(json),
    ...(index ? reindex : []),
  ];
}
