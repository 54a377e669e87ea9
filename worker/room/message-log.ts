import type { Attachment, ChatMessage, MessageKind } from "../contract/wire";

/**
 * The room's ordered message log, in its own SQLite: the write an ack waits for, and the
 * source of truth for the room (D1 holds a copy; docs/architecture.md, "The write path").
 * It owns the `messages` table and the newest seq; it stores, pages and replays messages and
 * knows nothing of sockets or D1.
 */

export interface MessageRow extends Record<string, SqlStorageValue> {
  seq: number;
  ts: number;
  user_id: string;
  username: string;
  kind: string;
  body: string;
  client_id: string;
  attachment: string | null;
}

/** A message to append; the log assigns its seq and time. */
export interface NewMessage {
  userId: string;
  username: string;
  kind: MessageKind;
  body: string;
  clientId: string;
  attachment?: Attachment;
}

const COLUMNS = "seq, ts, user_id, username, kind, body, client_id, attachment";
/** A row as `ChatMessage` fields for SQLite's json_object (the room id is parameter 3), in `toMessage`'s order. */
const JSON_FIELDS =
  "'roomId', ?3, 'seq', seq, 'ts', ts, 'userId', user_id, 'username', username, 'kind', kind, 'body', body, 'clientId', client_id";
/** Rows read at a time by a replay. */
const REPLAY_PAGE = 500;

export class MessageLog {
  /** The newest seq in the log; only `append` advances it. */
  lastSeq: number;
  /**
   * Rooms created before the `client_ids` table keep a UNIQUE (user_id, client_id) index on
   * their log, which finds retries by itself (see ClientIdIndex).
   */
  readonly hasUniqueClientIds: boolean;

  constructor(
    private readonly sql: SqlStorage,
    /** The room's id (null until the room is first addressed): it is part of every message. */
    private readonly roomId: () => string | null,
  ) {
    sql.exec(`
      CREATE TABLE IF NOT EXISTS messages (
        seq       INTEGER PRIMARY KEY,
        ts        INTEGER NOT NULL,
        user_id   TEXT NOT NULL,
        username  TEXT NOT NULL,
        kind      TEXT NOT NULL DEFAULT 'text',
        body      TEXT NOT NULL,
        client_id TEXT NOT NULL,
        attachment TEXT
      );
    `);
    this.lastSeq = sql.exec<{ s: number | null }>("SELECT max(seq) AS s FROM messages").one().s ?? 0;
    this.hasUniqueClientIds =
      sql.exec("SELECT 1 FROM sqlite_master WHERE type = 'index' AND tbl_name = 'messages' AND name LIKE 'sqlite_autoindex_messages%'").toArray()
        .length > 0;
  }

  /**
   * Appends a message as seq `lastSeq + 1`, unless its (user, clientId) is stored already:
   * then nothing is written and null returned. One statement per message: it also finds the
   * retries that lookups in memory could not (a separate SELECT cost as much as the insert,
   * BENCHMARKS.md). Older ids are in `client_ids`; a legacy log's unique index checks itself.
   */
  append(m: NewMessage): ChatMessage | null {
    const seq = this.lastSeq + 1;
    const ts = Date.now();
    const inserted = this.sql.exec(
      this.hasUniqueClientIds
        ? `INSERT INTO messages (seq, ts, user_id, username, kind, body, client_id, attachment)
           VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT (user_id, client_id) DO NOTHING`
        : `INSERT INTO messages (seq, ts, user_id, username, kind, body, client_id, attachment)
           SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8 WHERE NOT EXISTS (SELECT 1 FROM client_ids WHERE user_id = ?3 AND client_id = ?7)`,
      seq,
      ts,
      m.userId,
      m.username,
      m.kind,
      m.body,
      m.clientId,
      m.attachment ? JSON.stringify(m.attachment) : null,
    ).rowsWritten;
    if (inserted === 0) return null;
    this.lastSeq = seq;
    const message: ChatMessage = {
      roomId: this.roomId()!,
      seq,
      ts,
      userId: m.userId,
      username: m.username,
      kind: m.kind,
      body: m.body,
      clientId: m.clientId,
    };
    if (m.attachment) message.attachment = m.attachment;
    return message;
  }

  /** The message stored as `seq`, if any. */
  get(seq: number): ChatMessage | null {
    const row = this.sql.exec<MessageRow>(`SELECT ${COLUMNS} FROM messages WHERE seq = ?`, seq).toArray()[0];
    return row ? this.toMessage(row) : null;
  }

  /**
   * A page of history, newest first, strictly before `before` (or the newest page), as the
   * JSON text of a `ChatMessage[]`, which SQLite writes itself: a page of 100 costs no
   * JavaScript objects here, no structured clone on the way to the worker and no
   * JSON.stringify there (BENCHMARKS.md, history).
   */
  historyJson(before: number | null, limit: number): string {
    return this.sql
      .exec<{ page: string }>(
        `SELECT coalesce(json_group_array(json(m) ORDER BY seq DESC), '[]') AS page FROM (
           SELECT seq, CASE WHEN attachment IS NULL THEN json_object(${JSON_FIELDS})
                  ELSE json_object(${JSON_FIELDS}, 'attachment', json(attachment)) END AS m
           FROM messages WHERE seq < ?1 ORDER BY seq DESC LIMIT ?2)`,
        before ?? Number.MAX_SAFE_INTEGER,
        limit,
        this.roomId(),
      )
      .one().page;
  }

  /**
   * Every message after `since`, oldest first, page by page. Synchronous reads: no message
   * can be stored between a replay and the live stream that follows it.
   */
  replay(since: number, each: (message: ChatMessage) => void): void {
    let cursor = since;
    for (;;) {
      const rows = this.sql.exec<MessageRow>(`SELECT ${COLUMNS} FROM messages WHERE seq > ? ORDER BY seq LIMIT ?`, cursor, REPLAY_PAGE).toArray();
      for (const r of rows) each(this.toMessage(r));
      if (rows.length < REPLAY_PAGE) break;
      cursor = rows[rows.length - 1]!.seq;
    }
  }

  /** Raw rows in (after, upTo], oldest first, at most `limit` (for the D1 copy). */
  rows(after: number, upTo: number, limit: number): MessageRow[] {
    return this.sql.exec<MessageRow>(`SELECT ${COLUMNS} FROM messages WHERE seq > ? AND seq <= ? ORDER BY seq LIMIT ?`, after, upTo, limit).toArray();
  }

  /** The newest `limit` messages in (after, upTo] stored after `sinceTs`, oldest first. */
  newest(after: number, upTo: number, sinceTs: number, limit: number): ChatMessage[] {
    return this.sql
      .exec<MessageRow>(`SELECT ${COLUMNS} FROM messages WHERE seq > ? AND seq <= ? AND ts > ? ORDER BY seq DESC LIMIT ?`, after, upTo, sinceTs, limit)
      .toArray()
      .reverse()
      .map((r) => this.toMessage(r));
  }

  private toMessage(r: MessageRow): ChatMessage {
    const message: ChatMessage = {
      roomId: this.roomId()!,
      seq: r.seq,
      ts: r.ts,
      userId: r.user_id,
      username: r.username,
      kind: r.kind as ChatMessage["kind"],
      body: r.body,
      clientId: r.client_id,
    };
    if (r.attachment) message.attachment = JSON.parse(r.attachment) as Attachment;
    return message;
  }
}
