/**
 * D1 queries for the copy of rooms' messages (each room's own log is the source of truth;
 * docs/architecture.md, "The write path"). Every value is a bound parameter.
 */

/** One message as the copy sends it: [seq, user_id, username, kind, body, client_id, attachment, ts, edited_at, deleted]. */
export type CopiedRow = [number, string, string, string, string, string, string | null, number, number | null, 0 | 1];

/** A changed message as the copy sends it: [seq, body, attachment, edited_at, deleted]. */
export type ChangedRow = [number, string, string | null, number | null, 0 | 1];

/**
 * The statements that copy one slice of a room's log to D1, batched: the rows (one statement
 * over a JSON array, so D1 parses and plans once per slice, not once per row; a repeated copy
 * is harmless) and the raise of the room's `last_seq`, to the slice's last row.
 */
export function copyMessagesSlice(db: D1Database, roomId: string, rows: CopiedRow[]): D1PreparedStatement[] {
  const last = rows[rows.length - 1]!;
  return [
    db
      .prepare(
        `INSERT OR IGNORE INTO messages (room_id, seq, user_id, username, kind, body, client_id, attachment, created_at, edited_at, deleted)
         SELECT ?1, json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]'),
                json_extract(value, '$[3]'), json_extract(value, '$[4]'), json_extract(value, '$[5]'),
                json_extract(value, '$[6]'), json_extract(value, '$[7]'), json_extract(value, '$[8]'), json_extract(value, '$[9]')
         FROM json_each(?2)`,
      )
      .bind(roomId, JSON.stringify(rows)),
    db
      .prepare("UPDATE rooms SET last_seq = max(last_seq, ?), last_message_at = max(coalesce(last_message_at, 0), ?) WHERE id = ?")
      .bind(last[0], last[7], roomId),
  ];
}

/**
 * The statement that copies one slice of a room's changed messages (edited or deleted since
 * their copy) over D1's rows: the same state as the room's log, a deleted body gone here too.
 * Reactions stay in the room (nothing across rooms reads them).
 */
export function copyChangesSlice(db: D1Database, roomId: string, rows: ChangedRow[]): D1PreparedStatement {
  return db
    .prepare(
      `UPDATE messages SET body = c.body, attachment = c.attachment, edited_at = c.edited_at, deleted = c.deleted
       FROM (SELECT json_extract(value, '$[0]') AS seq, json_extract(value, '$[1]') AS body, json_extract(value, '$[2]') AS attachment,
                    json_extract(value, '$[3]') AS edited_at, json_extract(value, '$[4]') AS deleted FROM json_each(?2)) AS c
       WHERE messages.room_id = ?1 AND messages.seq = c.seq`,
    )
    .bind(roomId, JSON.stringify(rows));
}
