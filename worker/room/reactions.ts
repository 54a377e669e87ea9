/**
 * The room's reactions, in its own SQLite: one row per (message, emoji, user) in `reactions`
 * (a rowid table: the rowid orders who reacted), and one per (message, emoji) in
 * `reaction_emoji`, kept while anyone reacts with it: its rowid is the order a message lists
 * its emoji in (first use), which stays put when the first to react takes theirs back. It owns
 * both tables; the log reads them (through REACTIONS_JSON) to give each message `reactions`.
 */

/**
 * The SQL expression, for a row of `messages` named `m`, of its `reactions` as JSON text, or
 * NULL when it has none (so the field is left out).
 */
export const REACTIONS_JSON = `(SELECT CASE WHEN count(*) > 0 THEN json_group_array(json_object(
         'emoji', e.emoji,
         'count', (SELECT count(*) FROM reactions r WHERE r.seq = e.seq AND r.emoji = e.emoji),
         'userIds', json((SELECT json_group_array(r.user_id ORDER BY r.rowid) FROM reactions r WHERE r.seq = e.seq AND r.emoji = e.emoji)))
       ORDER BY e.rowid) END
     FROM reaction_emoji e WHERE e.seq = m.seq)`;

export class Reactions {
  constructor(private readonly sql: SqlStorage) {
    sql.exec(`
      CREATE TABLE IF NOT EXISTS reactions (
        seq     INTEGER NOT NULL,
        emoji   TEXT NOT NULL,
        user_id TEXT NOT NULL,
        UNIQUE (seq, emoji, user_id)
      );
      CREATE TABLE IF NOT EXISTS reaction_emoji (
        seq   INTEGER NOT NULL,
        emoji TEXT NOT NULL,
        UNIQUE (seq, emoji)
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
      .exec<{ used: number; emojis: number }>("SELECT count(*) FILTER (WHERE emoji = ?2) AS used, count(*) AS emojis FROM reaction_emoji WHERE seq = ?1", seq, emoji)
      .one();
    return { used: row.used > 0, distinct: row.emojis };
  }

  add(seq: number, emoji: string, userId: string): void {
    this.sql.exec("INSERT OR IGNORE INTO reaction_emoji (seq, emoji) VALUES (?, ?)", seq, emoji);
    this.sql.exec("INSERT OR IGNORE INTO reactions (seq, emoji, user_id) VALUES (?, ?, ?)", seq, emoji, userId);
  }

  remove(seq: number, emoji: string, userId: string): void {
    this.sql.exec("DELETE FROM reactions WHERE seq = ? AND emoji = ? AND user_id = ?", seq, emoji, userId);
    this.sql.exec("DELETE FROM reaction_emoji WHERE seq = ?1 AND emoji = ?2 AND NOT EXISTS (SELECT 1 FROM reactions WHERE seq = ?1 AND emoji = ?2)", seq, emoji);
  }

  /** Every reaction on `seq` (its message was deleted). */
  clear(seq: number): void {
    this.sql.exec("DELETE FROM reactions WHERE seq = ?", seq);
    this.sql.exec("DELETE FROM reaction_emoji WHERE seq = ?", seq);
  }
}
