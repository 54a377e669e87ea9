/**
 * Which message a (user, clientId) change was made to: how a retried edit, delete or reaction
 * is recognised and answered with the message's state instead of being applied again (a
 * retried delete is not a 404). Changes are rarer than messages, so every id is filed at once
 * in one table. It owns the `change_ids` table.
 */
export class ChangeIds {
  constructor(private readonly sql: SqlStorage) {
    sql.exec(`
      CREATE TABLE IF NOT EXISTS change_ids (
        user_id   TEXT NOT NULL,
        client_id TEXT NOT NULL,
        seq       INTEGER NOT NULL,
        PRIMARY KEY (user_id, client_id)
      ) WITHOUT ROWID;
    `);
  }

  /** The message changed under (user, clientId), if that change was applied. */
  seqOf(userId: string, clientId: string): number | null {
    return this.sql.exec<{ seq: number }>("SELECT seq FROM change_ids WHERE user_id = ? AND client_id = ?", userId, clientId).toArray()[0]?.seq ?? null;
  }

  remember(userId: string, clientId: string, seq: number): void {
    this.sql.exec("INSERT OR IGNORE INTO change_ids (user_id, client_id, seq) VALUES (?, ?, ?)", userId, clientId, seq);
  }
}
