import type { Attachment, ChatMessage, MessageKind, ReplyRef } from "../contract/wire";
import { REPLY_EXCERPT_CHARS } from "../contract/wire";
import { mentions } from "../contract/mentions";
import type { PageAt } from "../gateway/page";
import { REACTIONS_JSON } from "./reactions";

/**
 * The room's ordered message log, in its own SQLite: the write an ack waits for, and the
 * source of truth for the room (D1 holds a copy; docs/architecture.md, "The write path").
 * It owns the `messages` table, the newest seq and the newest change seq; it stores, changes,
 * pages and replays messages and knows nothing of sockets or D1.
 *
 * Changes (docs/protocol.md "Changes"): a message keeps its row and its seq for life. Each
 * change to it (edit, deletion, reaction, or a change of the message it replies to) takes the
 * room's next change seq, written on the row with the newest seq at that moment
 * (`change_at_seq`): a client that has every message up to seq S and missed changes since gets
 * the rows with `change_seq` past its own, or, knowing only S, every row changed since S was the
 * newest. Rows never changed keep NULL there and are in neither partial index, so a plain
 * message is stored and read as before changes existed.
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
  edited_at: number | null;
  deleted: number | null;
  /** 1 when the body's `@room` counts (contract/mentions.ts); NULL otherwise. */
  mentions_room: number | null;
  /** 1 when a bot (or an incoming webhook) wrote it (docs/bots.md); NULL otherwise. */
  bot: number | null;
}

/** A message to append; the log assigns its seq and time. */
export interface NewMessage {
  userId: string;
  username: string;
  kind: MessageKind;
  body: string;
  clientId: string;
  attachment?: Attachment;
  replyTo?: ReplyRef;
  /** Its `@room` counts: the author may mention everyone. */
  mentionsRoom?: boolean;
  /** Written by a bot or an incoming webhook. */
  bot?: boolean;
}

/** What a change needs to know about the message it changes. */
export interface MessageFacts {
  seq: number;
  userId: string;
  kind: MessageKind;
  body: string;
  deleted: boolean;
  attachmentId: string | null;
}

const COLUMNS = "seq, ts, user_id, username, kind, body, client_id, attachment, edited_at, deleted, mentions_room, bot";

/** The original a reply names, as a `ReplyRef` (JSON text), for a row of `messages` named `m`. */
const REPLY_JSON = `(SELECT json_object('seq', o.seq, 'userId', o.user_id, 'username', o.username,
       'excerpt', substr(o.body, 1, ${REPLY_EXCERPT_CHARS}), 'deleted', json(CASE WHEN o.deleted THEN 'true' ELSE 'false' END))
     FROM messages o WHERE o.seq = m.reply_to)`;

/**
 * A row of `messages` named `m` as the JSON text of its `ChatMessage`, with the room id as the
 * parameter `room`. A row never changed and not a reply (most of them) takes the short way;
 * the others patch their extra fields on (a NULL in the patch leaves the field out).
 */
function messageJson(room: string): string {
  const fields = `'roomId', ${room}, 'seq', m.seq, 'ts', m.ts, 'userId', m.user_id, 'username', m.username, 'kind', m.kind, 'body', m.body, 'clientId', m.client_id`;
  return `CASE
      WHEN m.change_seq IS NULL AND m.reply_to IS NULL AND m.mentions_room IS NULL AND m.bot IS NULL THEN
        CASE WHEN m.attachment IS NULL THEN json_object(${fields}) ELSE json_object(${fields}, 'attachment', json(m.attachment)) END
      ELSE json_patch(json_object(${fields}), json_object(
        'attachment', json(m.attachment),
        'editedAt', m.edited_at,
        'deleted', json(CASE WHEN m.deleted THEN 'true' END),
        'reactions', json(${REACTIONS_JSON}),
        'replyTo', json(${REPLY_JSON}),
        'mentionsRoom', json(CASE WHEN m.mentions_room THEN 'true' END),
        'bot', json(CASE WHEN m.bot THEN 'true' END)))
    END`;
}
/** Rows read at a time by a replay. */
const REPLAY_PAGE = 500;
/** The columns changes, replies, mentions and bots added to `messages` (the ALTERs for logs created before them). */
const ADDED_COLUMNS: [string, string][] = [
  ["edited_at", "INTEGER"],
  ["deleted", "INTEGER"],
  ["reply_to", "INTEGER"],
  ["change_seq", "INTEGER"],
  ["change_at_seq", "INTEGER"],
  ["mentions_room", "INTEGER"],
  ["bot", "INTEGER"],
];

export class MessageLog {
  /** The newest seq in the log; only `append` advances it. */
  lastSeq: number;
  /** The newest change seq in the log (0: nothing changed yet); only changes advance it. */
  lastChangeSeq: number;
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
    // Columns for changes, replies and mentions; added in place to logs created before them.
    const columns = new Set(sql.exec<{ name: string }>("SELECT name FROM pragma_table_info('messages')").toArray().map((c) => c.name));
    for (const [name, type] of ADDED_COLUMNS) if (!columns.has(name)) sql.exec(`ALTER TABLE messages ADD COLUMN ${name} ${type}`);
    sql.exec(`
      CREATE INDEX IF NOT EXISTS messages_changes ON messages (change_seq) WHERE change_seq IS NOT NULL;
      CREATE INDEX IF NOT EXISTS messages_changes_at ON messages (change_at_seq) WHERE change_seq IS NOT NULL;
      CREATE INDEX IF NOT EXISTS messages_replies ON messages (reply_to) WHERE reply_to IS NOT NULL;
    `);
    this.lastSeq = sql.exec<{ s: number | null }>("SELECT max(seq) AS s FROM messages").one().s ?? 0;
    this.lastChangeSeq = sql.exec<{ c: number | null }>("SELECT max(change_seq) AS c FROM messages WHERE change_seq IS NOT NULL").one().c ?? 0;
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
        ? `INSERT INTO messages (seq, ts, user_id, username, kind, body, client_id, attachment, reply_to, mentions_room, bot)
           VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) ON CONFLICT (user_id, client_id) DO NOTHING`
        : `INSERT INTO messages (seq, ts, user_id, username, kind, body, client_id, attachment, reply_to, mentions_room, bot)
           SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11 WHERE NOT EXISTS (SELECT 1 FROM client_ids WHERE user_id = ?3 AND client_id = ?7)`,
      seq,
      ts,
      m.userId,
      m.username,
      m.kind,
      m.body,
      m.clientId,
      m.attachment ? JSON.stringify(m.attachment) : null,
      m.replyTo?.seq ?? null,
      m.mentionsRoom ? 1 : null,
      m.bot ? 1 : null,
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
    if (m.replyTo) message.replyTo = m.replyTo;
    if (m.mentionsRoom) message.mentionsRoom = true;
    if (m.bot) message.bot = true;
    return message;
  }

  /** The message stored as `seq`, in its current state, if any. */
  get(seq: number): ChatMessage | null {
    const row = this.sql.exec<{ m: string }>(`SELECT ${messageJson("?2")} AS m FROM messages m WHERE seq = ?1`, seq, this.roomId()).toArray()[0];
    return row ? (JSON.parse(row.m) as ChatMessage) : null;
  }

  /** Who wrote `seq`, its kind and body, whether it is deleted and its attachment: what a change checks. */
  facts(seq: number): MessageFacts | null {
    const r = this.sql
      .exec<{ user_id: string; kind: string; body: string; deleted: number | null; attachment_id: string | null }>(
        "SELECT user_id, kind, body, deleted, json_extract(attachment, '$.id') AS attachment_id FROM messages WHERE seq = ?",
        seq,
      )
      .toArray()[0];
    return r ? { seq, userId: r.user_id, kind: r.kind as MessageKind, body: r.body, deleted: r.deleted === 1, attachmentId: r.attachment_id } : null;
  }

  /** `seq` as a reply names it, if it is stored and not deleted. */
  replyRef(seq: number): ReplyRef | null {
    const r = this.sql.exec<{ ref: string | null }>(`SELECT ${REPLY_JSON} AS ref FROM (SELECT ?1 AS reply_to) m`, seq).one();
    const ref = r.ref ? (JSON.parse(r.ref) as ReplyRef) : null;
    return ref && !ref.deleted ? ref : null;
  }

  // ---- changes: each takes the next change seq (see the class comment) ------------------------

  /**
   * Replaces the body of `seq` (not deleted), marks it edited at `at` and whether its `@room`
   * counts now; returns the change seq.
   */
  edit(seq: number, body: string, at: number, mentionsRoom: boolean): number {
    const change = this.lastChangeSeq + 1;
    this.sql.exec(
      "UPDATE messages SET body = ?, edited_at = ?, mentions_room = ?, change_seq = ?, change_at_seq = ? WHERE seq = ?",
      body,
      at,
      mentionsRoom ? 1 : null,
      change,
      this.lastSeq,
      seq,
    );
    return (this.lastChangeSeq = change);
  }

  /** Makes `seq` a tombstone: no body, attachment, reply or edit time (its reactions are the caller's). */
  tombstone(seq: number): number {
    const change = this.lastChangeSeq + 1;
    this.sql.exec(
      "UPDATE messages SET body = '', attachment = NULL, reply_to = NULL, edited_at = NULL, mentions_room = NULL, deleted = 1, change_seq = ?, change_at_seq = ? WHERE seq = ?",
      change,
      this.lastSeq,
      seq,
    );
    return (this.lastChangeSeq = change);
  }

  /** Records that `seq` changed without a column of its own changing (its reactions, its original). */
  touch(seq: number): number {
    const change = this.lastChangeSeq + 1;
    this.sql.exec("UPDATE messages SET change_seq = ?, change_at_seq = ? WHERE seq = ?", change, this.lastSeq, seq);
    return (this.lastChangeSeq = change);
  }

  /** The replies to `seq` still standing (their quote of it follows its edits and deletion). */
  repliesTo(seq: number): number[] {
    return this.sql.exec<{ seq: number }>("SELECT seq FROM messages WHERE reply_to = ? AND deleted IS NULL ORDER BY seq", seq).toArray().map((r) => r.seq);
  }

  /**
   * The messages changed since a client last heard, in the order of their last change, with
   * that change's seq. `sinceChange`: the newest change seq the client has seen; null when it
   * only knows `since` (then every change made since `since` was the newest message, which
   * may repeat changes it saw: an update carries a whole state, so a repeat changes nothing).
   * Only messages up to `since`: the ones after it are replayed whole.
   */
  replayChanges(since: number, sinceChange: number | null, each: (message: ChatMessage, changeSeq: number) => void): void {
    const where = sinceChange === null ? "change_at_seq >= ?1" : "change_seq > ?3";
    let cursor = 0;
    for (;;) {
      const rows = this.sql
        .exec<{ c: number; m: string }>(
          `SELECT change_seq AS c, ${messageJson("?2")} AS m FROM messages m
           WHERE change_seq IS NOT NULL AND ${where} AND seq <= ?1 AND change_seq > ?4 ORDER BY change_seq LIMIT ${REPLAY_PAGE}`,
          since,
          this.roomId(),
          sinceChange ?? 0,
          cursor,
        )
        .toArray();
      for (const r of rows) each(JSON.parse(r.m) as ChatMessage, r.c);
      if (rows.length < REPLAY_PAGE) break;
      cursor = rows[rows.length - 1]!.c;
    }
  }

  /**
   * A page of history, newest first (the newest page, or before, after or around a seq), as
   * the JSON text of a `ChatMessage[]`, which SQLite writes itself: a page of 100 costs no
   * JavaScript objects here, no structured clone on the way to the worker and no
   * JSON.stringify there (BENCHMARKS.md, history). Seqs have no gaps (a deleted message keeps
   * its row), so each page is a range of seqs.
   */
  historyJson(at: PageAt, limit: number): string {
    if ("seqs" in at) return this.listedJson(at.seqs.slice(0, limit));
    const [from, to] = this.pageRange(at, limit);
    return this.sql
      .exec<{ page: string }>(
        `SELECT coalesce(json_group_array(json(j) ORDER BY seq DESC), '[]') AS page FROM (
           SELECT seq, ${messageJson("?3")} AS j
           FROM messages m WHERE seq >= ?1 AND seq <= ?4 ORDER BY seq DESC LIMIT ?2)`,
        from,
        limit,
        this.roomId(),
        to,
      )
      .one().page;
  }

  /** The messages at `seqs` (those that exist), newest first, as the JSON text of a `ChatMessage[]`. */
  private listedJson(seqs: number[]): string {
    return this.sql
      .exec<{ page: string }>(
        `SELECT coalesce(json_group_array(json(j) ORDER BY seq DESC), '[]') AS page FROM (
           SELECT seq, ${messageJson("?2")} AS j FROM messages m WHERE seq IN (SELECT value FROM json_each(?1)))`,
        JSON.stringify(seqs),
        this.roomId(),
      )
      .one().page;
  }

  /** The seqs [from, to] of a page. Around a seq: half newer (it included), half older, and more of one side when the other runs out. */
  private pageRange(at: Exclude<PageAt, { seqs: number[] }>, limit: number): [number, number] {
    if ("after" in at) return [at.after + 1, at.after + limit];
    if ("before" in at) return [1, (at.before ?? Number.MAX_SAFE_INTEGER) - 1];
    const s = at.around;
    let newer = Math.min(Math.ceil(limit / 2), this.lastSeq - s + 1);
    const older = Math.min(limit - newer, s - 1);
    newer = Math.min(limit - older, this.lastSeq - s + 1);
    return [s - older, s + newer - 1];
  }

  /**
   * Every message after `since` in its current state, oldest first, page by page. Synchronous reads: no message
   * can be stored between a replay and the live stream that follows it.
   */
  replay(since: number, each: (message: ChatMessage) => void): void {
    let cursor = since;
    for (;;) {
      const rows = this.sql
        .exec<{ seq: number; m: string }>(`SELECT seq, ${messageJson("?3")} AS m FROM messages m WHERE seq > ?1 ORDER BY seq LIMIT ?2`, cursor, REPLAY_PAGE, this.roomId())
        .toArray();
      for (const r of rows) each(JSON.parse(r.m) as ChatMessage);
      if (rows.length < REPLAY_PAGE) break;
      cursor = rows[rows.length - 1]!.seq;
    }
  }

  /**
   * A member's unread messages after `afterSeq`: not theirs, not deleted, counted up to `cap`
   * (bounded work however far behind they are), and how many of those mention them (by
   * `@username`, or an `@room` that counts).
   * SQLite counts, and hands over only the bodies that may mention them (lower-casing only the
   * bodies with an `@`): a room tells every watcher its counts after each burst of messages,
   * and up to `cap` rows per watcher turned into JS objects cost four to five times as much
   * (BENCHMARKS.md, "Members in the app elsewhere").
   */
  unread(userId: string, username: string, afterSeq: number, cap: number): { unread: number; mentions: number } {
    if (afterSeq >= this.lastSeq) return { unread: 0, mentions: 0 };
    const { unread, everyone, candidates } = this.sql
      .exec<{ unread: number; everyone: number; candidates: string }>(
        `SELECT count(*) AS unread, count(*) FILTER (WHERE mentions_room = 1) AS everyone,
                json_group_array(body) FILTER (WHERE mentions_room IS NULL AND instr(body, '@') > 0 AND instr(lower(body), ?3) > 0) AS candidates
         FROM (SELECT body, mentions_room FROM messages WHERE seq > ?1 AND user_id != ?2 AND deleted IS NULL ORDER BY seq DESC LIMIT ?4)`,
        afterSeq,
        userId,
        `@${username.toLowerCase()}`,
        cap,
      )
      .one();
    const named = (JSON.parse(candidates) as string[]).filter((body) => mentions({ body }, username)).length;
    return { unread, mentions: everyone + named };
  }

  /** Raw rows in (after, upTo], oldest first, at most `limit` (for the D1 copy). */
  rows(after: number, upTo: number, limit: number): MessageRow[] {
    return this.sql.exec<MessageRow>(`SELECT ${COLUMNS} FROM messages WHERE seq > ? AND seq <= ? ORDER BY seq LIMIT ?`, after, upTo, limit).toArray();
  }

  /** Whether any message in (after, upTo] has an `@` in its body (one that could mention someone), without reading them. */
  anyAt(after: number, upTo: number): boolean {
    return this.sql.exec("SELECT 1 FROM messages WHERE seq > ? AND seq <= ? AND instr(body, '@') > 0 LIMIT 1", after, upTo).toArray().length > 0;
  }

  /** The newest `limit` messages in (after, upTo] stored after `sinceTs` and not deleted, oldest first. */
  newest(after: number, upTo: number, sinceTs: number, limit: number): ChatMessage[] {
    return this.sql
      .exec<MessageRow>(`SELECT ${COLUMNS} FROM messages WHERE seq > ? AND seq <= ? AND ts > ? AND deleted IS NULL ORDER BY seq DESC LIMIT ?`, after, upTo, sinceTs, limit)
      .toArray()
      .reverse()
      .map((r) => this.toMessage(r));
  }

  /** Raw rows up to `upToSeq` whose last change is in (afterChange, upToChange], at most `limit` (for the D1 copy of changes). */
  changedRows(afterChange: number, upToChange: number, upToSeq: number, limit: number): (MessageRow & { change_seq: number })[] {
    return this.sql
      .exec<MessageRow & { change_seq: number }>(
        `SELECT ${COLUMNS}, change_seq FROM messages WHERE change_seq > ? AND change_seq <= ? AND seq <= ? ORDER BY change_seq LIMIT ?`,
        afterChange,
        upToChange,
        upToSeq,
        limit,
      )
      .toArray();
  }

  /** A row as a message without its reactions or reply (what a push or a webhook needs: its `@room` and `bot` included). */
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
    if (r.mentions_room) message.mentionsRoom = true;
    if (r.bot) message.bot = true;
    return message;
  }
}
