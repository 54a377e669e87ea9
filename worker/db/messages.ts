/**
 * D1 queries for the copy of rooms' messages (each room's own log is the source of truth;
 * docs/architecture.md, "The write path"). Every value is a bound parameter.
 */

/**
 * One message as the copy sends it: [seq, user_id, username, kind, body, client_id, attachment,
 * ts, edited_at, deleted, terms]; `terms` is what the search index gets (search/terms.ts
 * `indexText`), "" for nothing (a tombstone, or indexing turned off).
 */
export type CopiedRow = [number, string, string, string, string, string, string | null, number, number | null, 0 | 1, string];

/** A changed message as the copy sends it: [seq, body, attachment, edited_at, deleted, terms]. */
export type ChangedRow = [number, string, string | null, number | null, 0 | 1, string];

/** The highest search id handed out so far (docs/search.md: ids follow the order of the copy). */
const LAST_SEARCH_ID = "(SELECT coalesce(max(search_id), 0) FROM messages WHERE search_id IS NOT NULL)";

/**
 * The statements that copy one slice of a room's log to D1, batched (one transaction): its
 * terms into the search index (`index`), the rows (one statement over a JSON array, so D1
 * parses and plans once per slice, not once per row), and the raise of the room's `last_seq`
 * to the slice's last row. Each new row takes the next search id: the index's rowid, in copy
 * order. A repeated copy is harmless: rows D1 has are neither indexed nor inserted again.
 */
export function copyMessagesSlice(db: D1Database, roomId: string, rows: CopiedRow[], index: boolean): D1PreparedStatement[] {
  const last = rows[rows.length - 1]!;
  const json = JSON.stringify(rows);
  // Both statements number row k of the slice LAST_SEARCH_ID + k + 1, read before either writes it.
  const indexing = db
    .prepare(
      `INSERT INTO message_index (rowid, terms)
       SELECT ${LAST_SEARCH_ID} + j.key + 1, json_extract(j.value, '$[10]') FROM json_each(?2) AS j
       WHERE json_extract(j.value, '$[10]') != ''
         AND NOT EXISTS (SELECT 1 FROM messages WHERE room_id = ?1 AND seq = json_extract(j.value, '$[0]'))`,
    )
    .bind(roomId, json);
  return [
    ...(index ? [indexing] : []),
    db
      .prepare(
        `INSERT OR IGNORE INTO messages (room_id, seq, user_id, username, kind, body, client_id, attachment, created_at, edited_at, deleted, search_id)
         SELECT ?1, json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]'),
                json_extract(value, '$[3]'), json_extract(value, '$[4]'), json_extract(value, '$[5]'),
                json_extract(value, '$[6]'), json_extract(value, '$[7]'), json_extract(value, '$[8]'), json_extract(value, '$[9]'),
                ${LAST_SEARCH_ID} + key + 1
         FROM json_each(?2)`,
      )
      .bind(roomId, json),
    db
      .prepare("UPDATE rooms SET last_seq = max(last_seq, ?), last_message_at = max(coalesce(last_message_at, 0), ?) WHERE id = ?")
      .bind(last[0], last[7], roomId),
  ];
}

/**
 * The statements that copy one slice of a room's changed messages (edited or deleted since
 * their copy) over D1's rows: the same state as the room's log, a deleted body gone here too,
 * and (`index`) the message's terms replaced in the search index under the same search id (a
 * tombstone's removed). Reactions stay in the room (nothing across rooms reads them).
 */
export function copyChangesSlice(db: D1Database, roomId: string, rows: ChangedRow[], index: boolean): D1PreparedStatement[] {
  const json = JSON.stringify(rows);
  const copied = `FROM json_each(?2) AS j JOIN messages m ON m.room_id = ?1 AND m.seq = json_extract(j.value, '$[0]') WHERE m.search_id IS NOT NULL`;
  const reindex = [
    db.prepare(`DELETE FROM message_index WHERE rowid IN (SELECT m.search_id ${copied})`).bind(roomId, json),
    db
      .prepare(`INSERT INTO message_index (rowid, terms) SELECT m.search_id, json_extract(j.value, '$[5]') ${copied} AND json_extract(j.value, '$[5]') != ''`)
      .bind(roomId, json),
  ];
  return [
    db
      .prepare(
        `UPDATE messages SET body = c.body, attachment = c.attachment, edited_at = c.edited_at, deleted = c.deleted
         FROM (SELECT json_extract(value, '$[0]') AS seq, json_extract(value, '$[1]') AS body, json_extract(value, '$[2]') AS attachment,
                      json_extract(value, '$[3]') AS edited_at, json_extract(value, '$[4]') AS deleted FROM json_each(?2)) AS c
         WHERE messages.room_id = ?1 AND messages.seq = c.seq`,
      )
      .bind(roomId, json),
    ...(index ? reindex : []),
  ];
}
