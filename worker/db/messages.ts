/**
 * D1 queries for the copy of rooms' messages (each room's own log is the source of truth;
 * docs/architecture.md, "The write path"). Every value is a bound parameter.
 */

/** One message as the copy sends it: [seq, user_id, username, kind, body, client_id, attachment, ts]. */
export type CopiedRow = [number, string, string, string, string, string, string | null, number];

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
        `INSERT OR IGNORE INTO messages (room_id, seq, user_id, username, kind, body, client_id, attachment, created_at)
         SELECT ?1, json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]'),
                json_extract(value, '$[3]'), json_extract(value, '$[4]'), json_extract(value, '$[5]'),
                json_extract(value, '$[6]'), json_extract(value, '$[7]')
         FROM json_each(?2)`,
      )
      .bind(roomId, JSON.stringify(rows)),
    db
      .prepare("UPDATE rooms SET last_seq = max(last_seq, ?), last_message_at = max(coalesce(last_message_at, 0), ?) WHERE id = ?")
      .bind(last[0], last[7], roomId),
  ];
}
