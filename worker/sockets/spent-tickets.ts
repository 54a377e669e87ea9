/**
 * Socket tickets (`?ticket=`, POST /api/rooms/{id}/ticket and /api/me/ticket) open one socket
 * each, as a SignalR connection token does: the object the ticket opens (a room, a user's
 * channel) remembers each ticket it let in until the ticket would have expired anyway, and
 * refuses it a second time. A ticket is for one object, so that object is the one place that
 * can tell. Tickets last 60 s, so the table stays a handful of rows.
 */
export class SpentTickets {
  constructor(private readonly sql: SqlStorage) {
    sql.exec("CREATE TABLE IF NOT EXISTS spent_tickets (id TEXT PRIMARY KEY, exp INTEGER NOT NULL) WITHOUT ROWID");
  }

  /** Spends ticket `id` (valid until `expMs`); false when it was spent before. */
  spend(id: string, expMs: number): boolean {
    this.sql.exec("DELETE FROM spent_tickets WHERE exp < ?", Date.now());
    const inserted = this.sql.exec("INSERT INTO spent_tickets (id, exp) VALUES (?, ?) ON CONFLICT (id) DO NOTHING", id, expMs);
    return inserted.rowsWritten > 0;
  }
}
