/**
 * The room's reactions, in its own SQLite: one row per (message, emoji, user). A rowid table,
 * so the rowid orders them: an emoji's first row says when it was first used, and that is the
 * order a message lists its emoji in. It owns the `reactions` table; the log reads it (through
 * REACTIONS_JSON) to give each message its `reactions`.
 */

/**
 * The SQL expression, for a row of `messages` named `m`, of its `reactions` as JSON text, or
 * NULL when it has none (so the field is left out).
 */
export const REACTIONS_JSON = `(SELECT json_group_array(json_object('emoji', emoji, 'count', n, 'userIds', json(users)) ORDER BY first)
     FROM (SELECT emoji, count(*) AS n, json_group_array(user_id ORDER BY rowid) AS users, min(rowid) AS first
           FROM reactions WHERE seq = m.seq GROUP BY emoji))`;

export class Reactions {
  constructor(private readonly sql: SqlStorage) {
    sql.exec(`
      CREATE TABLE IF NOT EXISTS reactions (
        seq     INTEGER NOT NULL,
        emoji   TEXT NOT NULL,
        user_id TEXT NOT NULL,
        UNIQUE (seq, emoji, user_id)
      );
    `);
  }

  /** Whether `userId` has reacted to `seq` with `emoji`. */
  has(seq: number, emoji: string, userId: string): boolean {
    return this.sql.exec("SELECT 1 FROM reactions WHERE seq = ? AND emoji = ? AND user_id = ?", seq, emoji, userId).toArray().length > 0;
  }

  /** Whether anyone has reacted to `seq` with `emoji`, and how many distinct emoji `seq` carries. */
  tally(seq: number, emoji: string): { used: boolean; distinct: number } {
    const row = this.sql
      .exec<{ used: number; emojis: number }>("SELECT count(*) FILTER (WHERE emoji = ?2) AS used, count(DISTINCT emoji) AS emojis FROM reactions WHERE seq = ?1", seq, emoji)
      .one();
    return { used: row.used > 0, distinct: row.emojis };
  }

  add(seq: number, emoji: string, userId: string): void {
    this.sql.exec("INSERT OR IGNORE INTO reactions (seq, emoji, user_id) VALUES (?, ?, ?)", seq, emoji, userId);
  }

  remove(seq: number, emoji: string, userId: string): void {
    this.sql.exec("DELETE FROM reactions WHERE seq = ? AND emoji = ? AND user_id = ?", seq, emoji, userId);
  }

  /** Every reaction on `seq` (its message was deleted). */
  clear(seq: number): void {
    this.sql.exec("DELETE FROM reactions WHERE seq = ?", seq);
  }
}
