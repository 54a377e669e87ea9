import type { RoomMeta } from "./meta";

/** Ids kept in memory per D1 flush's rows before they are filed at once (the room's `maxRecent`). */
export const MAX_RECENT_CLIENT_IDS_PER_FLUSH = 5;

/**
 * Which seq a (user, clientId) was stored under: how a retry is recognised and answered with
 * the original message. Without a unique index written with every message: the newest ids
 * are kept in memory (rebuilt from the log after a restart) and filed in batches into the
 * `client_ids` table as the D1 copy goes, so a message costs one B-tree insert, not two
 * (BENCHMARKS.md). Should copies fail for a while, ids are filed at once past `maxRecent`, so
 * memory stays bounded. Rooms from before `client_ids` look ids up in their log's unique index.
 *
 * It owns the `client_ids` table, the in-memory ids and the `client_ids_seq` watermark. It
 * reads the log's `messages` table (seq, user_id, client_id) but never writes it.
 */
export class ClientIdIndex {
  /** Messages up to this seq are in `client_ids`; the ones after it are in `recent`. */
  private indexedTo: number;
  private recentIds: Map<string, number> | null = null;

  constructor(
    private readonly sql: SqlStorage,
    private readonly meta: RoomMeta,
    /** The log has a unique (user_id, client_id) index: it is the index, nothing is kept here. */
    private readonly legacy: boolean,
    /** Ids kept in memory before they are filed at once. */
    private readonly maxRecent: number,
  ) {
    sql.exec(`
      CREATE TABLE IF NOT EXISTS client_ids (
        user_id   TEXT NOT NULL,
        client_id TEXT NOT NULL,
        seq       INTEGER NOT NULL,
        PRIMARY KEY (user_id, client_id)
      ) WITHOUT ROWID;
    `);
    this.indexedTo = Number(meta.get("client_ids_seq") ?? 0);
  }

  /**
   * The seq stored under (user, clientId), if any. `filed: false` looks in memory only (the
   * log's insert checks the table itself; a legacy room's insert checks its unique index).
   */
  seqOf(userId: string, clientId: string, filed = true): number | null {
    const seq = this.legacy ? null : (this.recent().get(key(userId, clientId)) ?? null);
    if (seq !== null || !filed) return seq;
    // Legacy rooms: every id is in the log's unique index (they have nothing in memory).
    const table = this.legacy ? "messages" : "client_ids";
    return this.sql.exec<{ seq: number }>(`SELECT seq FROM ${table} WHERE user_id = ? AND client_id = ?`, userId, clientId).toArray()[0]?.seq ?? null;
  }

  /** A message was just stored as `seq`. */
  remember(userId: string, clientId: string, seq: number): void {
    if (this.legacy) return;
    const recent = this.recent();
    recent.set(key(userId, clientId), seq);
    if (recent.size >= this.maxRecent) this.fileUpTo(seq);
  }

  /** Moves the ids of every message up to `upTo` into `client_ids` (one statement, one batch). */
  fileUpTo(upTo: number): void {
    if (this.legacy || upTo <= this.indexedTo) return;
    this.sql.exec(
      "INSERT OR IGNORE INTO client_ids (user_id, client_id, seq) SELECT user_id, client_id, seq FROM messages WHERE seq > ? AND seq <= ?",
      this.indexedTo,
      upTo,
    );
    this.indexedTo = upTo;
    this.meta.set("client_ids_seq", String(upTo));
    const recent = this.recent();
    for (const [k, seq] of recent) if (seq <= upTo) recent.delete(k);
  }

  /** The ids of the messages after `indexedTo`, read from the log once per instance. */
  private recent(): Map<string, number> {
    if (!this.recentIds) {
      const recent = new Map<string, number>();
      for (const r of this.sql.exec<{ seq: number; user_id: string; client_id: string }>(
        "SELECT seq, user_id, client_id FROM messages WHERE seq > ?",
        this.indexedTo,
      )) {
        recent.set(key(r.user_id, r.client_id), r.seq);
      }
      this.recentIds = recent;
    }
    return this.recentIds;
  }
}

const key = (userId: string, clientId: string) => `${userId}\n${clientId}`;
