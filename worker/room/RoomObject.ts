import { DurableObject } from "cloudflare:workers";
import type { Bindings } from "../bindings";
import type { StatsObject } from "../stats/StatsObject";

/** What a room is given: the bindings, and the stats object it reports to. */
export interface RoomEnv extends Bindings {
  STATS: DurableObjectNamespace<StatsObject>;
}
import { numberVar } from "../config";
import { errorResponse } from "../lib/errors";
import {
  MAX_BODY_CHARS,
  MAX_FRAME_BYTES,
  PING_FRAME,
  PONG_FRAME,
  type Attachment as MessageAttachment,
  type CallParticipant,
  type ChatMessage,
  type ErrorCode,
  type OnlineUser,
  type ServerFrame,
} from "../contract/wire";
import { parseClientFrame } from "./frames";
import { validateDraft } from "../gateway/draft";
import { RateLimiter } from "./rate-limit";
import { UploadStore, resolveAttachment, type UploadRecord } from "./uploads";
import { classify, SNIFF_BYTES, type Family } from "../media/sniff";
import { mediaKey } from "../media/signing";
import { pushRoomMessages, vapidFrom, type DispatchResult } from "../push/send";
import { DEPARTURE_MS } from "../rooms-http/member-cache";
import { memberSince } from "../db/rooms";

/** Who a socket belongs to; survives hibernation as the socket's attachment. */
interface SocketInfo {
  userId: string;
  username: string;
  protocol: Protocol;
  /** The client said its page is hidden: its user gets pushes as if away. */
  hidden?: boolean;
  /** Refused frames in a row; past MAX_STRIKES the socket is closed with 1008. */
  strikes: number;
  /** When the session that opened the socket ends (ms): the socket is closed with 4001 then. */
  exp?: number;
}

export interface Author {
  id: string;
  username: string;
}

export type AcceptResult =
  | { ok: true; message: ChatMessage; duplicate: boolean }
  | { ok: false; code: Extract<ErrorCode, "invalid_message" | "rate_limited">; message: string; clientId?: string; retryAfterMs?: number };

const MAX_STRIKES = 50;
/** Presence changes within this window go out as one frame (filling a room is O(n) frames, not O(n²)). */
const PRESENCE_COALESCE_MS = 200;
/** Message counters go to the stats object at most this often (connection changes at once). */
const STATS_REPORT_MS = 10_000;
/** A room's first push dispatch looks back this far at most (dispatchPushes). */
const FIRST_PUSH_WINDOW_MS = 5 * 60_000;
const REPLAY_PAGE = 500;
/** Rows and bytes of JSON in one statement of the D1 copy (D1 takes 2 MB per value). */
const D1_SLICE_ROWS = 100;
const D1_SLICE_BYTES = 512 * 1024;

/** Headers the worker sets on a socket upgrade it forwards here (never taken from the client). */
export const UPGRADE_HEADERS = {
  roomId: "x-hearth-room-id",
  userId: "x-hearth-user-id",
  username: "x-hearth-username",
  protocol: "x-hearth-protocol",
  /** The subprotocol to name in the 101 (the client offered it). */
  subprotocol: "x-hearth-subprotocol",
  /** When the user's session ends (seconds since the epoch). */
  sessionExp: "x-hearth-session-exp",
} as const;

/** The wire protocols whose clients subscribe to rooms (REST posts count as "rest"). */
export const PROTOCOLS = ["websocket", "signalr", "connect"] as const;
export type Protocol = (typeof PROTOCOLS)[number];
export type Via = Protocol | "rest";

const protocolTag = (p: Protocol) => `p:${p}`;

/**
 * The request with which the worker (never a client) opens a socket in a room for `user`:
 * the room trusts these headers. `subprotocol` is named in the 101; `since` asks for a replay.
 */
export function roomUpgradeRequest(o: {
  roomId: string;
  user: Author & { sessionExp?: number };
  protocol?: Protocol;
  subprotocol?: string;
  since?: number;
}): Request {
  const url = new URL("https://room.internal/ws");
  if (o.since !== undefined) url.searchParams.set("since", String(o.since));
  const headers = new Headers({ Upgrade: "websocket" });
  headers.set(UPGRADE_HEADERS.roomId, o.roomId);
  headers.set(UPGRADE_HEADERS.userId, o.user.id);
  headers.set(UPGRADE_HEADERS.username, o.user.username);
  if (o.protocol) headers.set(UPGRADE_HEADERS.protocol, o.protocol);
  if (o.subprotocol) headers.set(UPGRADE_HEADERS.subprotocol, o.subprotocol);
  if (o.user.sessionExp !== undefined) headers.set(UPGRADE_HEADERS.sessionExp, String(o.user.sessionExp));
  return new Request(url, { headers });
}

interface MessageRow extends Record<string, SqlStorageValue> {
  seq: number;
  ts: number;
  user_id: string;
  username: string;
  kind: string;
  body: string;
  client_id: string;
  attachment: string | null;
}

const MESSAGE_COLUMNS = "seq, ts, user_id, username, kind, body, client_id, attachment";
/** A row as `ChatMessage` fields for SQLite's json_object (the room id is parameter 3), in `toMessage`'s order. */
const MESSAGE_JSON_FIELDS =
  "'roomId', ?3, 'seq', seq, 'ts', ts, 'userId', user_id, 'username', username, 'kind', kind, 'body', body, 'clientId', client_id";

/**
 * Ids of messages not yet in the `client_ids` table are kept in memory; the D1 copy files
 * them as it goes (a copy starts at `flushRows` waiting messages). Should copies fail for a
 * while, the ids are filed at once past this many times `flushRows`, so memory stays bounded.
 */
const MAX_RECENT_CLIENT_IDS_PER_FLUSH = 5;

const clientIdKey = (userId: string, clientId: string) => `${userId}\n${clientId}`;

/** What a client asks to store, from any protocol; validated by `validateDraft`. */
export interface MessageInput {
  clientId: unknown;
  body?: unknown;
  kind?: unknown;
  attachment?: unknown;
}

/**
 * One chat room. Owns the room's ordered message log (its own SQLite: the write that an
 * ack waits for), its sockets (hibernatable), presence and typing, and copies the log to
 * D1 in batches from an alarm. Every protocol (socket, REST, later SignalR and Connect)
 * ends in `accept`, so each rule is written once.
 */
export class RoomObject extends DurableObject<RoomEnv> {
  private readonly sql: SqlStorage;
  private readonly limiter: RateLimiter;
  private readonly maxConnections: number;
  private readonly maxServerConnections: number;
  private readonly flushDelayMs: number;
  private readonly busyFlushMs: number;
  /** Copy to D1 at once when this many messages wait, whatever the delay. */
  private readonly flushRows: number;
  /** When the last D1 copy started (memory only: a fresh instance copies at the quiet pace). */
  private lastFlushAt = 0;
  private lastSeq: number;
  private roomId: string | null;
  private flushScheduled = false;
  /** Messages up to this seq are in `client_ids`; the ones after it are in `recentClientIds`. */
  private clientIdsIndexedTo: number;
  private recentClientIds: Map<string, number> | null = null;
  private readonly legacyClientIds: boolean;
  private flushSoon = false;
  /** The highest seq copied to D1 (mirrors meta `flushed_seq`). */
  private flushedSeq: number;
  private presenceTimer: ReturnType<typeof setTimeout> | null = null;
  private presenceGone = new Set<WebSocket>();
  private lastPresence = "";
  private lastReport = { at: 0, connections: "" };
  private readonly uploads: UploadStore;
  /** Messages accepted since the last stats report. */
  private accepted = 0;
  /** Messages in (by the protocol they came through) and deliveries out, since the last report. */
  private count: { in: Partial<Record<Via, number>>; out: Partial<Record<Protocol, number>> } = { in: {}, out: {} };
  /** Every open socket, for broadcasts; re-read after a socket opens or closes. */
  private openSockets: WebSocket[] | null = null;
  /** Open sockets per protocol; recomputed after a socket opens or closes. */
  private protocolCounts: [Protocol, number][] | null = null;

  constructor(ctx: DurableObjectState, env: RoomEnv) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(`
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
      CREATE TABLE IF NOT EXISTS client_ids (
        user_id   TEXT NOT NULL,
        client_id TEXT NOT NULL,
        seq       INTEGER NOT NULL,
        PRIMARY KEY (user_id, client_id)
      ) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS departures (user_id TEXT PRIMARY KEY, at INTEGER NOT NULL);
    `);
    this.uploads = new UploadStore(this.sql);
    this.lastSeq = this.sql.exec<{ s: number | null }>("SELECT max(seq) AS s FROM messages").one().s ?? 0;
    this.roomId = this.getMeta("room_id");
    this.flushedSeq = Number(this.getMeta("flushed_seq") ?? 0);
    // Rooms created before client_ids existed keep their UNIQUE (user_id, client_id) index on
    // messages and look retries up there.
    this.legacyClientIds =
      this.sql.exec("SELECT 1 FROM sqlite_master WHERE type = 'index' AND tbl_name = 'messages' AND name LIKE 'sqlite_autoindex_messages%'").toArray().length > 0;
    this.clientIdsIndexedTo = Number(this.getMeta("client_ids_seq") ?? 0);
    this.limiter = new RateLimiter(numberVar(env.RATE_LIMIT_BURST, 20), numberVar(env.RATE_LIMIT_PER_SECOND, 5));
    this.maxConnections = numberVar(env.MAX_ROOM_CONNECTIONS, 1000);
    this.maxServerConnections = numberVar(env.MAX_CONNECTIONS, 4500);
    this.flushDelayMs = numberVar(env.D1_FLUSH_DELAY_MS, 2000);
    this.flushRows = numberVar(env.D1_FLUSH_ROWS, 1000);
    this.busyFlushMs = Math.max(this.flushDelayMs, numberVar(env.D1_FLUSH_BUSY_MS, 10_000));
    // Heartbeats are answered by the runtime without waking a hibernated room.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(PING_FRAME, PONG_FRAME));
  }

  // ---- RPC used by the worker ------------------------------------------------------------

  /** Stores a message (or finds the one already stored under its clientId) and broadcasts it. */
  async post(roomId: string, author: Author, input: MessageInput, via: Via = "rest"): Promise<AcceptResult> {
    this.bind(roomId);
    return this.accept(author, input, via);
  }

  /** Records an upload about to be made into this room; unattached, it is deleted at `orphanAt`. */
  async createUpload(roomId: string, record: Omit<UploadRecord, "status" | "family" | "type" | "etag">): Promise<void> {
    this.bind(roomId);
    this.uploads.create(record);
    await this.ensureAlarm(record.orphanAt);
  }

  /** The upload's bytes are in R2 (Hearth's upload route calls this); false if the room forgot it. */
  async uploadStored(roomId: string, uploadId: string, family: Family, type: string, etag: string): Promise<boolean> {
    this.bind(roomId);
    return this.uploads.markStored(uploadId, family, type, etag);
  }

  async getUpload(roomId: string, uploadId: string): Promise<UploadRecord | null> {
    this.bind(roomId);
    return this.uploads.get(uploadId);
  }

  /**
   * A page of history, newest first, strictly before `before` (or the newest page), as the
   * JSON text of a `ChatMessage[]`, which SQLite writes itself: a page of 100 costs no
   * JavaScript objects here, no structured clone on the way to the worker and no
   * JSON.stringify there (BENCHMARKS.md, history). `reader` passed the worker's (possibly
   * cached) membership check; null if they have left since.
   */
  async historyJson(roomId: string, reader: string, before: number | null, limit: number): Promise<string | null> {
    this.bind(roomId);
    if (!(await this.stillMember(roomId, reader))) return null;
    return this.sql
      .exec<{ page: string }>(
        `SELECT coalesce(json_group_array(json(m) ORDER BY seq DESC), '[]') AS page FROM (
           SELECT seq, CASE WHEN attachment IS NULL THEN json_object(${MESSAGE_JSON_FIELDS})
                  ELSE json_object(${MESSAGE_JSON_FIELDS}, 'attachment', json(attachment)) END AS m
           FROM messages WHERE seq < ?1 ORDER BY seq DESC LIMIT ?2)`,
        before ?? Number.MAX_SAFE_INTEGER,
        limit,
        this.roomId,
      )
      .one().page;
  }

  /** The newest seq in the room's log (D1's copy may lag by the flush delay). */
  async latestSeq(roomId: string): Promise<number> {
    this.bind(roomId);
    return this.lastSeq;
  }

  /** Closes every socket of a user who left or was removed (1008), then updates presence. */
  async removeMember(roomId: string, userId: string): Promise<number> {
    this.bind(roomId);
    // The worker may still hold a cached "member" for this user: remember the departure for
    // longer than such an answer can live (rooms/member-cache.ts).
    const now = Date.now();
    this.sql.exec("DELETE FROM departures WHERE at <= ?", now - DEPARTURE_MS);
    this.sql.exec("INSERT INTO departures (user_id, at) VALUES (?, ?) ON CONFLICT (user_id) DO UPDATE SET at = excluded.at", userId, now);
    const sockets = this.ctx.getWebSockets(userId);
    for (const ws of sockets) ws.close(1008, "no longer a member of this room");
    this.protocolCounts = null;
    this.openSockets = null;
    this.onlineUsers = null;
    this.schedulePresence(sockets);
    this.scheduleFlush(true);
    return sockets.length;
  }

  /**
   * The call object's word on who is in the room's call; broadcast as a `call` frame.
   * `ringing` is true when a call has just started (it had nobody before) by someone joining
   * (`mayRing`; not by a participant's reconnect).
   */
  async callChanged(roomId: string, participants: CallParticipant[], mayRing = true): Promise<void> {
    this.bind(roomId);
    const before = this.callParticipants();
    this.setMeta("call", JSON.stringify(participants));
    this.broadcast({ type: "call", participants, ringing: mayRing && before.length === 0 && participants.length > 0 });
  }

  /**
   * Whether a user the worker let through is still a member. The worker may answer from a
   * one-minute cache (rooms/member-cache.ts), so someone who left in that minute is looked up
   * in D1; anyone else costs one read of the (tiny) departures table. The leave route records
   * the departure here before it deletes the membership in D1, so a membership that began
   * before the departure is one whose leave has not reached D1 (or failed there): refused.
   * Only a membership that began since (joined again) settles the departure.
   */
  private async stillMember(roomId: string, userId: string): Promise<boolean> {
    for (;;) {
      const left = this.departedAt(userId);
      if (left === null) return true;
      const since = await memberSince(this.env.DB, roomId, userId);
      if (since === null || since < left) return false;
      // Joined again. Unless they left once more during the query, the departure is settled.
      if (this.departedAt(userId) === left) {
        this.sql.exec("DELETE FROM departures WHERE user_id = ? AND at = ?", userId, left);
        return true;
      }
    }
  }

  /** When `userId` left this room, if within DEPARTURE_MS. */
  private departedAt(userId: string): number | null {
    return (
      this.sql
        .exec<{ at: number }>("SELECT at FROM departures WHERE user_id = ? AND at > ?", userId, Date.now() - DEPARTURE_MS)
        .toArray()[0]?.at ?? null
    );
  }

  private callParticipants(): CallParticipant[] {
    const saved = this.getMeta("call");
    return saved ? (JSON.parse(saved) as CallParticipant[]) : [];
  }

  /** Open sockets in this room. */
  async connectionCount(): Promise<number> {
    return this.ctx.getWebSockets().length;
  }

  /**
   * Copies every message not yet in D1 now (also run by the alarm). Returns the highest seq
   * copied. Rows go to D1 in slices of at most D1_SLICE_ROWS rows and D1_SLICE_BYTES, each
   * slice one statement over a JSON array (`json_each`, so D1 parses and plans once per slice,
   * not once per row), batched with the room's new `last_seq`. Each slice is read, sent and
   * filed (`client_ids`) on its own: the room's synchronous work per step stays small, and its
   * sockets are served between steps (a copy of thousands of rows at once showed in the
   * latency tail, BENCHMARKS.md).
   */
  async flush(): Promise<number> {
    if (!this.roomId) return 0;
    let flushed = this.flushedSeq;
    // What is stored by now; messages arriving during the copy wait for the next one, so a
    // steady stream cannot keep one copy (and the pushes and reports after it) going forever.
    const target = this.lastSeq;
    if (flushed < target) this.lastFlushAt = Date.now();
    const insert = this.env.DB.prepare(
      `INSERT OR IGNORE INTO messages (room_id, seq, user_id, username, kind, body, client_id, attachment, created_at)
       SELECT ?1, json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]'),
              json_extract(value, '$[3]'), json_extract(value, '$[4]'), json_extract(value, '$[5]'),
              json_extract(value, '$[6]'), json_extract(value, '$[7]')
       FROM json_each(?2)`,
    );
    const raiseLastSeq = this.env.DB.prepare(
      "UPDATE rooms SET last_seq = max(last_seq, ?), last_message_at = max(coalesce(last_message_at, 0), ?) WHERE id = ?",
    );
    for (;;) {
      const rows = this.sql
        .exec<MessageRow>(`SELECT ${MESSAGE_COLUMNS} FROM messages WHERE seq > ? AND seq <= ? ORDER BY seq LIMIT ?`, flushed, target, D1_SLICE_ROWS)
        .toArray();
      if (rows.length === 0) break;
      const slice: unknown[] = [];
      let bytes = 0;
      for (const r of rows) {
        const size = r.body.length * 3 + (r.attachment?.length ?? 0) + 200;
        if (slice.length > 0 && bytes + size > D1_SLICE_BYTES) break;
        slice.push([r.seq, r.user_id, r.username, r.kind, r.body, r.client_id, r.attachment, r.ts]);
        bytes += size;
      }
      const last = rows[slice.length - 1]!;
      await this.env.DB.batch([insert.bind(this.roomId, JSON.stringify(slice)), raiseLastSeq.bind(last.seq, last.ts, this.roomId)]);
      flushed = last.seq;
      this.flushedSeq = flushed;
      this.setMeta("flushed_seq", String(flushed));
      this.indexClientIds(flushed);
    }
    // Ids of messages the copy has not reached (it failed, or they came during it) stay in memory.
    if (this.lastSeq > flushed) this.scheduleFlush();
    return flushed;
  }

  // ---- WebSocket upgrade -------------------------------------------------------------------

  override async fetch(request: Request): Promise<Response> {
    const roomId = request.headers.get(UPGRADE_HEADERS.roomId);
    const userId = request.headers.get(UPGRADE_HEADERS.userId);
    const username = request.headers.get(UPGRADE_HEADERS.username);
    const protocol = (request.headers.get(UPGRADE_HEADERS.protocol) ?? "websocket") as Protocol;
    if (!PROTOCOLS.includes(protocol)) return errorResponse(400, "bad_request", "unknown protocol");
    if (!roomId || !userId || !username || request.headers.get("Upgrade")?.toLowerCase() !== "websocket") {
      return errorResponse(400, "bad_request", "expected a WebSocket upgrade from the Hearth worker");
    }
    this.bind(roomId);
    if (!(await this.stats().admit(roomId, this.maxServerConnections, protocol))) {
      return errorResponse(503, "server_full", `Hearth already holds ${this.maxServerConnections} open connections; try again later`);
    }
    if (!(await this.stillMember(roomId, userId))) {
      this.ctx.waitUntil(this.stats().release(roomId, protocol));
      return errorResponse(403, "not_a_member", "you are not a member of this room");
    }
    // Checked after the awaits so that no other upgrade can slip in between check and accept.
    if (this.ctx.getWebSockets().length >= this.maxConnections) {
      this.ctx.waitUntil(this.stats().release(roomId, protocol));
      return errorResponse(503, "room_full", `this room already has ${this.maxConnections} open connections`);
    }
    const sinceParam = new URL(request.url).searchParams.get("since");
    const since = sinceParam === null ? null : Number(sinceParam);

    const { 0: client, 1: server } = new WebSocketPair();
    this.ctx.acceptWebSocket(server, [userId, protocolTag(protocol)]);
    this.protocolCounts = null;
    this.openSockets = null;
    const info: SocketInfo = { userId, username, protocol, strikes: 0 };
    const sessionExp = Number(request.headers.get(UPGRADE_HEADERS.sessionExp));
    if (sessionExp > 0) {
      info.exp = sessionExp * 1000;
      if (this.expiryDue !== null) this.expiryDue = Math.min(this.expiryDue, info.exp);
    }
    server.serializeAttachment(info);
    this.socketInfo.set(server, info);
    if (this.onlineUsers && !this.onlineUsers.has(userId)) this.onlineUsers.set(userId, { userId, username });

    // The first frames go out just after the 101 has left rather than queued on the socket
    // before it (measured under wrangler dev: ~20 KiB less per socket, BENCHMARKS.md). Until
    // then the socket is left out of broadcasts, and a frame it sends first greets it at once,
    // so `hello` (and the replay) still come before anything else.
    const greet = () => {
      if (this.ungreeted.delete(server)) this.greet(server, roomId, userId, username, since);
    };
    this.ungreeted.set(server, greet);
    setTimeout(greet, 0);
    this.schedulePresence();
    this.scheduleFlush(true);
    const subprotocol = request.headers.get(UPGRADE_HEADERS.subprotocol);
    return new Response(null, { status: 101, webSocket: client, headers: subprotocol ? { "Sec-WebSocket-Protocol": subprotocol } : {} });
  }

  /** Sockets accepted whose `hello` has not gone out yet, with the function that sends it. */
  private readonly ungreeted = new Map<WebSocket, () => void>();

  /** `hello`, then (with `since`) the replay and `synced`: the first frames of a new socket. */
  private greet(server: WebSocket, roomId: string, userId: string, username: string, since: number | null) {
    this.send(server, {
      type: "hello",
      roomId,
      user: { id: userId, username },
      lastSeq: this.lastSeq,
      online: this.online(),
      call: this.callParticipants(),
      limits: {
        maxBodyChars: MAX_BODY_CHARS,
        maxFrameBytes: MAX_FRAME_BYTES,
        rateBurst: this.limiter.burst,
        ratePerSecond: this.limiter.perSecond,
      },
    });
    if (since !== null) {
      // Synchronous reads: no message can be stored between the replay and the live stream.
      let cursor = since;
      for (;;) {
        const rows = this.sql
          .exec<MessageRow>(
            `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE seq > ? ORDER BY seq LIMIT ?`,
            cursor,
            REPLAY_PAGE,
          )
          .toArray();
        for (const r of rows) this.send(server, { type: "message", message: this.toMessage(r) });
        if (rows.length < REPLAY_PAGE) break;
        cursor = rows[rows.length - 1]!.seq;
      }
      this.send(server, { type: "synced", lastSeq: this.lastSeq });
    }
  }

  // ---- Hibernation API handlers -----------------------------------------------------------

  override async webSocketMessage(ws: WebSocket, data: string | ArrayBuffer): Promise<void> {
    if (typeof data !== "string") {
      ws.close(1003, "binary frames are not supported");
      return;
    }
    if (data.length > MAX_FRAME_BYTES || (data.length * 3 > MAX_FRAME_BYTES && new TextEncoder().encode(data).length > MAX_FRAME_BYTES)) {
      ws.close(1009, `frames are limited to ${MAX_FRAME_BYTES} bytes`);
      return;
    }
    const me = this.infoOf(ws)!;
    if (me.exp !== undefined && Date.now() >= me.exp) return this.closeExpired();
    this.ungreeted.get(ws)?.();
    const parsed = parseClientFrame(data);
    if (!parsed.ok) return this.refuse(ws, me, parsed.code, parsed.message);

    const frame = parsed.frame;
    switch (frame.type) {
      case "send": {
        // One socket's messages are stored in the order it sent them: a send whose media check
        // awaits R2 holds back the sends after it (not other sockets'), so a caption sent
        // after its photo never gets the lower seq.
        const ahead = this.sendsInFlight.get(ws);
        const author = { id: me.userId, username: me.username };
        const protocol = me.protocol ?? "websocket";
        const run = ahead ? ahead.then(() => this.accept(author, frame, protocol, ws)) : this.accept(author, frame, protocol, ws);
        const done = run.then(
          () => undefined,
          () => undefined,
        );
        this.sendsInFlight.set(ws, done);
        let result: AcceptResult;
        try {
          result = await run;
        } catch (err) {
          // Storage or R2 failed. The sender resends the same clientId; if the message was
          // stored after all, the resend is answered as a duplicate.
          console.error("room: accepting a message failed", err);
          const clientId = typeof frame.clientId === "string" ? frame.clientId : undefined;
          return this.send(ws, { type: "error", code: "internal", message: "the server failed to store the message; resend it", ...(clientId ? { clientId } : {}) });
        } finally {
          if (this.sendsInFlight.get(ws) === done) this.sendsInFlight.delete(ws);
        }
        if (!result.ok) {
          const { ok: _, code, message, ...extra } = result;
          // Sending too fast is answered with when to retry, not counted against the socket: a
          // client catching up on an outbox after a reconnect meets the limit honestly.
          if (code === "rate_limited") return this.send(ws, { type: "error", code, message, ...extra });
          return this.refuse(ws, me, code, message, extra);
        }
        this.clearStrikes(ws, me);
        // A new message was acknowledged by `accept`, before its broadcast; a retry is answered here.
        if (result.duplicate) this.ack(ws, result.message, true);
        return;
      }
      case "typing": {
        if (typeof frame.typing !== "boolean") return this.refuse(ws, me, "bad_frame", "`typing` must be a boolean");
        this.clearStrikes(ws, me);
        this.broadcast({ type: "typing", userId: me.userId, username: me.username, typing: frame.typing }, ws);
        return;
      }
      case "visibility": {
        if (typeof frame.hidden !== "boolean") return this.refuse(ws, me, "bad_frame", "`hidden` must be a boolean");
        me.hidden = frame.hidden;
        me.strikes = 0;
        ws.serializeAttachment(me);
        return;
      }
      case "ping":
        // The auto-response catches the exact text; this answers other spellings.
        this.send(ws, { type: "pong" });
        return;
    }
  }

  override async webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> {
    // Reciprocate the close handshake. 1005/1006 are reserved and may not be sent back.
    try {
      ws.close(code === 1005 || code === 1006 || code === 1015 ? 1000 : code, reason);
    } catch {
      // already closed
    }
    this.socketGone(ws);
  }

  override async webSocketError(ws: WebSocket): Promise<void> {
    this.socketGone(ws);
  }

  /**
   * A socket's user, from memory, or from its attachment after the room woke from
   * hibernation (the attachment is the durable copy; `refuse` and `visibility` update both,
   * as they mutate this same object and serialize it).
   */
  private readonly socketInfo = new WeakMap<WebSocket, SocketInfo>();

  private infoOf(ws: WebSocket): SocketInfo | null {
    let info = this.socketInfo.get(ws);
    if (!info) {
      info = (ws.deserializeAttachment() as SocketInfo | null) ?? undefined;
      if (info) this.socketInfo.set(ws, info);
    }
    return info ?? null;
  }

  private socketsByProtocol(): [Protocol, number][] {
    this.protocolCounts ??= PROTOCOLS.map((p) => [p, this.ctx.getWebSockets(protocolTag(p)).length] as [Protocol, number]);
    return this.protocolCounts;
  }

  private socketGone(ws: WebSocket) {
    this.ungreeted.delete(ws);
    this.protocolCounts = null;
    this.openSockets = null;
    this.onlineUsers = null;
    this.schedulePresence([ws]);
    const protocol = this.infoOf(ws)?.protocol ?? "websocket";
    if (this.roomId) this.ctx.waitUntil(this.stats().release(this.roomId, protocol).catch(() => undefined));
    this.scheduleFlush(true);
  }

  override async alarm(): Promise<void> {
    this.flushScheduled = false;
    this.flushSoon = false;
    try {
      await this.flush();
    } catch (err) {
      console.error("room flush to D1 failed; retrying in 5 s", err);
      this.flushScheduled = true;
      await this.ensureAlarm(Date.now() + 5000);
    }
    await this.deleteOrphans();
    await this.dispatchPushes();
    await this.reportStats();
  }

  /**
   * Web push for the messages stored since the last dispatch, to members who are away
   * (docs/push.md). At most one dispatch per PUSH_MIN_INTERVAL_MS per room, so a burst of
   * messages sends each device a bounded number of pushes; run from the alarm, never in the
   * path of a message.
   */
  async dispatchPushes(now = Date.now()): Promise<DispatchResult | null> {
    // Without VAPID keys there is nothing to send and nothing to remember (no write per alarm).
    if (!this.roomId || !vapidFrom(this.env)) return null;
    const pushedMeta = this.getMeta("pushed_seq");
    const pushed = Number(pushedMeta ?? 0);
    if (this.lastSeq <= pushed) return null;
    const due = Number(this.getMeta("last_push_at") ?? 0) + numberVar(this.env.PUSH_MIN_INTERVAL_MS, 10_000);
    if (now < due) {
      await this.ensureAlarm(due);
      return null;
    }
    const upTo = this.lastSeq;
    // The room's first dispatch ever (a new room, or push just configured for an old one):
    // only recent messages, not a backlog of any age presented as new.
    const since = pushedMeta === null ? now - FIRST_PUSH_WINDOW_MS : 0;
    const rows = this.sql
      .exec<MessageRow>(
        `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE seq > ? AND seq <= ? AND ts > ? ORDER BY seq DESC LIMIT 100`,
        pushed,
        upTo,
        since,
      )
      .toArray()
      .reverse();
    this.setMeta("pushed_seq", String(upTo));
    this.setMeta("last_push_at", String(now));
    const present = new Set<string>();
    for (const ws of this.ctx.getWebSockets()) {
      const info = this.infoOf(ws);
      if (info && !info.hidden) present.add(info.userId);
    }
    try {
      return await pushRoomMessages(this.env, this.roomId, rows.map((r) => this.toMessage(r)), present);
    } catch (err) {
      console.error("push dispatch failed", err);
      return null;
    }
  }

  /** Deletes uploads never attached to a message in time, from R2 and from the room. */
  async deleteOrphans(now = Date.now()): Promise<number> {
    let deleted = 0;
    let next = this.uploads.nextOrphanAt();
    // The common case, no upload waiting to be attached: one indexed read.
    while (next !== null && next <= now && this.roomId) {
      const ids = this.uploads.orphans(now);
      if (ids.length === 0) break;
      await this.env.MEDIA.delete(ids.map((id) => mediaKey(this.roomId!, id)));
      this.uploads.delete(ids);
      deleted += ids.length;
      next = this.uploads.nextOrphanAt();
    }
    if (next !== null) await this.ensureAlarm(Math.max(next, now + 1000));
    return deleted;
  }

  // ---- the room core -----------------------------------------------------------------------

  /**
   * Validates, stores and broadcasts one message. `origin`, the socket it came from, is left
   * out of the broadcast: its `ack` carries the message instead (one frame, not two), and goes
   * out first, so a sender waiting for its ack does not wait for the whole room's broadcast.
   */
  private async accept(author: Author, input: MessageInput, via: Via, origin?: WebSocket): Promise<AcceptResult> {
    const valid = validateDraft(input);
    if (!valid.ok) return { ok: false, code: "invalid_message", message: valid.message, clientId: valid.clientId };
    const draft = valid.draft;
    const invalid = (message: string): AcceptResult => ({ ok: false, code: "invalid_message", message, clientId: draft.clientId });

    // A retry of a stored clientId gets the stored message back; nothing is stored or sent again.
    // Ids older than the ones kept in memory are looked up by the insert below, or here before
    // a refusal: a retry must not be refused for what its first attempt changed (its upload
    // is now attached) or for the sender's rate (retries are free).
    const duplicate = this.findByClientId(author.id, draft.clientId, false);
    if (duplicate) return { ok: true, message: duplicate, duplicate: true };
    const refuse = (refusal: AcceptResult): AcceptResult => {
      const filed = this.findByClientId(author.id, draft.clientId);
      return filed ? { ok: true, message: filed, duplicate: true } : refusal;
    };

    let attachment: MessageAttachment | undefined;
    if (draft.attachment) {
      let upload = this.uploads.get(draft.attachment.uploadId);
      if (upload?.status === "pending" && upload.uploader === author.id) upload = await this.checkDirectUpload(upload);
      // The await above lets other frames in: look for a racing retry again.
      const raced = this.findByClientId(author.id, draft.clientId, false);
      if (raced) return { ok: true, message: raced, duplicate: true };
      const resolved = resolveAttachment(upload, author.id, draft.kind, draft.attachment);
      if (!resolved.ok) return refuse(invalid(resolved.message));
      attachment = resolved.attachment;
    }

    const wait = this.limiter.take(author.id);
    if (wait > 0) {
      return refuse({ ok: false, code: "rate_limited", message: `too many messages; retry in ${wait} ms`, clientId: draft.clientId, retryAfterMs: wait });
    }

    // From here on nothing awaits: seq assignment, insert and broadcast happen as one step.
    const seq = this.lastSeq + 1;
    const ts = Date.now();
    // One statement per message: it also finds the retries that the lookups above left to it
    // (a separate SELECT cost as much as the insert, BENCHMARKS.md). Ids older than the ones
    // in memory are in `client_ids`; rooms from before it have a unique index on the log.
    const inserted = this.sql.exec(
      this.legacyClientIds
        ? `INSERT INTO messages (seq, ts, user_id, username, kind, body, client_id, attachment)
           VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT (user_id, client_id) DO NOTHING`
        : `INSERT INTO messages (seq, ts, user_id, username, kind, body, client_id, attachment)
           SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8 WHERE NOT EXISTS (SELECT 1 FROM client_ids WHERE user_id = ?3 AND client_id = ?7)`,
      seq,
      ts,
      author.id,
      author.username,
      draft.kind,
      draft.body,
      draft.clientId,
      attachment ? JSON.stringify(attachment) : null,
    ).rowsWritten;
    if (inserted === 0) {
      const stored = this.findByClientId(author.id, draft.clientId);
      if (stored) {
        this.limiter.refund(author.id);
        return { ok: true, message: stored, duplicate: true };
      }
      throw new Error(`message ${draft.clientId} neither stored nor found`);
    }
    if (!this.legacyClientIds) {
      const recent = this.recentIds();
      recent.set(clientIdKey(author.id, draft.clientId), seq);
      if (recent.size >= MAX_RECENT_CLIENT_IDS_PER_FLUSH * this.flushRows) this.indexClientIds(seq);
    }
    if (attachment) this.uploads.markAttached(attachment.id);
    this.lastSeq = seq;
    this.accepted += 1;
    this.count.in[via] = (this.count.in[via] ?? 0) + 1;
    const message: ChatMessage = {
      roomId: this.roomId!,
      seq,
      ts,
      userId: author.id,
      username: author.username,
      kind: draft.kind,
      body: draft.body,
      clientId: draft.clientId,
    };
    if (attachment) message.attachment = attachment;
    // Both frames are held by the output gate until the insert above is durable.
    if (origin) this.ack(origin, message, false);
    this.broadcast({ type: "message", message }, origin);
    for (const [p, n] of this.socketsByProtocol()) this.count.out[p] = (this.count.out[p] ?? 0) + n;
    if (!this.flushSoon && seq - this.flushedSeq >= this.flushRows) {
      this.flushSoon = true;
      this.ctx.waitUntil(this.ensureAlarm(Date.now()));
    }
    this.scheduleFlush();
    return { ok: true, message, duplicate: false };
  }

  /**
   * The message stored under (user, clientId), if any. Retries are found without a unique
   * index written with every message: the newest messages' ids are kept in memory
   * (`recentClientIds`, rebuilt from the log after a restart) and moved in batches into the
   * `client_ids` table, so a message costs one B-tree insert, not two (BENCHMARKS.md).
   * `filed: false` looks in memory only (the insert checks the table itself; a legacy room's
   * insert checks its unique index).
   */
  private findByClientId(userId: string, clientId: string, filed = true): ChatMessage | null {
    let seq: number | null = this.legacyClientIds ? null : (this.recentIds().get(clientIdKey(userId, clientId)) ?? null);
    if (seq === null && filed) {
      // Legacy rooms: every id is in the log's unique index (they have nothing in memory).
      const table = this.legacyClientIds ? "messages" : "client_ids";
      seq = this.sql.exec<{ seq: number }>(`SELECT seq FROM ${table} WHERE user_id = ? AND client_id = ?`, userId, clientId).toArray()[0]?.seq ?? null;
    }
    if (seq === null) return null;
    const row = this.sql.exec<MessageRow>(`SELECT ${MESSAGE_COLUMNS} FROM messages WHERE seq = ?`, seq).toArray()[0];
    return row ? this.toMessage(row) : null;
  }

  /** The ids of the messages after `clientIdsIndexedTo`, read from the log once per instance. */
  private recentIds(): Map<string, number> {
    if (!this.recentClientIds) {
      const recent = new Map<string, number>();
      for (const r of this.sql.exec<{ seq: number; user_id: string; client_id: string }>(
        "SELECT seq, user_id, client_id FROM messages WHERE seq > ?",
        this.clientIdsIndexedTo,
      )) {
        recent.set(clientIdKey(r.user_id, r.client_id), r.seq);
      }
      this.recentClientIds = recent;
    }
    return this.recentClientIds;
  }

  /** Moves the ids of every message up to `upTo` into `client_ids` (one statement, one batch). */
  private indexClientIds(upTo = this.lastSeq) {
    if (this.legacyClientIds || upTo <= this.clientIdsIndexedTo) return;
    this.sql.exec(
      "INSERT OR IGNORE INTO client_ids (user_id, client_id, seq) SELECT user_id, client_id, seq FROM messages WHERE seq > ? AND seq <= ?",
      this.clientIdsIndexedTo,
      upTo,
    );
    this.clientIdsIndexedTo = upTo;
    this.setMeta("client_ids_seq", String(upTo));
    const recent = this.recentIds();
    for (const [key, seq] of recent) if (seq <= upTo) recent.delete(key);
  }

  /**
   * An upload made straight to R2 with an S3 presigned URL never passed through Hearth:
   * check its size and sniff its first bytes before it may be attached.
   */
  private async checkDirectUpload(upload: UploadRecord): Promise<UploadRecord> {
    const key = mediaKey(this.roomId!, upload.id);
    const object = await this.env.MEDIA.get(key, { range: { offset: 0, length: SNIFF_BYTES } });
    if (!object) return upload;
    const head = new Uint8Array(await object.arrayBuffer());
    const kind = object.size === upload.size ? classify(upload.declaredType, head) : null;
    if (!kind) {
      await this.env.MEDIA.delete(key);
      return upload;
    }
    this.uploads.markStored(upload.id, kind.family, kind.type, object.etag);
    return this.uploads.get(upload.id) ?? upload;
  }

  /**
   * Reports to the stats object when the room's connections changed, and its message
   * counters at most every STATS_REPORT_MS: one object serves every room, so rooms must not
   * call it on every flush.
   */
  private async reportStats(now = Date.now()): Promise<void> {
    if (!this.roomId) return;
    this.protocolCounts = null;
    this.openSockets = null;
    const connections = Object.fromEntries(this.socketsByProtocol()) as Record<Protocol, number>;
    const key = JSON.stringify(connections);
    const pending = this.accepted > 0 || Object.keys(this.count.in).length > 0 || Object.keys(this.count.out).length > 0;
    if (key === this.lastReport.connections && (!pending || now - this.lastReport.at < STATS_REPORT_MS)) {
      if (pending) await this.ensureAlarm(this.lastReport.at + STATS_REPORT_MS);
      return;
    }
    const accepted = this.accepted;
    const count = this.count;
    this.accepted = 0;
    this.count = { in: {}, out: {} };
    try {
      await this.stats().report(this.roomId, connections, accepted, count);
      this.lastReport = { at: now, connections: key };
    } catch (err) {
      this.accepted += accepted;
      console.error("stats report failed", err);
    }
  }

  private stats() {
    return this.env.STATS.getByName("global");
  }

  private refuse(ws: WebSocket, me: SocketInfo, code: ErrorCode, message: string, extra: { clientId?: string; retryAfterMs?: number } = {}) {
    this.send(ws, { type: "error", code, message, ...extra });
    me.strikes += 1;
    if (me.strikes > MAX_STRIKES) {
      ws.close(1008, "too many refused frames");
      return;
    }
    ws.serializeAttachment(me);
  }

  private clearStrikes(ws: WebSocket, me: SocketInfo) {
    if (me.strikes === 0) return;
    me.strikes = 0;
    ws.serializeAttachment(me);
  }

  /**
   * Who is online, one entry per user. Kept between calls: a socket of someone already
   * online changes nothing, a new user is added, and only a departure forces a rebuild
   * (reading every socket's attachment), so filling a room is not O(n²).
   */
  private onlineUsers: Map<string, OnlineUser> | null = null;

  private online(except?: Set<WebSocket>): OnlineUser[] {
    if (!this.onlineUsers || (except && except.size > 0)) {
      const seen = new Map<string, OnlineUser>();
      for (const ws of this.ctx.getWebSockets()) {
        if (except?.has(ws)) continue;
        const a = this.infoOf(ws);
        if (a && !seen.has(a.userId)) seen.set(a.userId, { userId: a.userId, username: a.username });
      }
      this.onlineUsers = seen;
    }
    return [...this.onlineUsers.values()].sort((x, y) => x.username.localeCompare(y.username));
  }

  /** Sends the room's presence soon, once for every change in the window; `gone` are sockets on their way out. */
  private schedulePresence(gone?: Iterable<WebSocket>) {
    if (gone) for (const ws of gone) this.presenceGone.add(ws);
    if (this.presenceTimer) return;
    this.presenceTimer = setTimeout(() => {
      this.presenceTimer = null;
      const except = this.presenceGone;
      this.presenceGone = new Set();
      const online = this.online(except);
      const key = online.map((u) => u.userId).join();
      // A second tab of someone already online changes nothing worth sending.
      if (key === this.lastPresence) return;
      this.lastPresence = key;
      this.broadcast({ type: "presence", online }, undefined, except);
    }, PRESENCE_COALESCE_MS);
  }

  private broadcast(frame: ServerFrame, skip?: WebSocket, except?: Set<WebSocket>) {
    // Nothing more for a socket whose session has ended (one comparison per broadcast).
    if (this.expiryDue === null || Date.now() >= this.expiryDue) this.closeExpired();
    const text = JSON.stringify(frame);
    for (const ws of (this.openSockets ??= this.ctx.getWebSockets())) {
      if (ws === skip || except?.has(ws) || this.ungreeted.has(ws)) continue;
      try {
        ws.send(text);
      } catch {
        // A socket that is closing; its close handler updates presence.
      }
    }
  }

  /** Per socket, the last of its sends still being accepted (see webSocketMessage "send"). */
  private readonly sendsInFlight = new Map<WebSocket, Promise<void>>();

  /** When the first open socket's session ends (ms); null: not known since the last wake or sweep. */
  private expiryDue: number | null = null;

  /**
   * Closes (4001) every socket whose session has ended: a signed-out or expired user gets
   * nothing more; their client reconnects, is refused (401) and shows the sign-in page. Notes
   * when the next of the others ends (`expiryDue`).
   */
  private closeExpired() {
    const now = Date.now();
    let due = Infinity;
    for (const ws of this.ctx.getWebSockets()) {
      const exp = this.infoOf(ws)?.exp;
      if (exp === undefined || ws.readyState !== WebSocket.OPEN) continue;
      if (exp > now) {
        due = Math.min(due, exp);
        continue;
      }
      try {
        ws.close(4001, "session expired; sign in again");
      } catch {
        // already closing
      }
      this.openSockets = null;
    }
    this.expiryDue = due;
  }

  /** The `ack` for a stored message, which carries it (the sending socket gets no `message` frame). */
  private ack(ws: WebSocket, message: ChatMessage, duplicate: boolean) {
    this.send(ws, { type: "ack", clientId: message.clientId, seq: message.seq, ts: message.ts, duplicate, message });
  }

  private send(ws: WebSocket, frame: ServerFrame) {
    try {
      ws.send(JSON.stringify(frame));
    } catch {
      // closing
    }
  }

  /**
   * Arms the alarm that copies to D1, reports to the stats object and sends pushes. A quiet
   * room's first message is copied after flushDelayMs; a room that keeps talking is copied
   * every busyFlushMs (or per flushRows messages): its unread counts move anyway, and D1, one
   * database for every room, gets a few large writes instead of many small ones. A socket
   * opening or closing (`connections: true`) is reported after flushDelayMs, busy or not.
   */
  private scheduleFlush(connections = false) {
    if (this.flushScheduled && !connections) return;
    this.flushScheduled = true;
    const now = Date.now();
    const busy = !connections && now - this.lastFlushAt < this.busyFlushMs;
    const at = busy ? Math.max(now + this.flushDelayMs, this.lastFlushAt + this.busyFlushMs) : now + this.flushDelayMs;
    this.ctx.waitUntil(this.ensureAlarm(at));
  }

  private alarmQueue: Promise<void> = Promise.resolve();

  /**
   * Makes sure the alarm fires at `at` or earlier (one alarm serves flushes and orphan
   * deletion). Calls run one after another: two interleaved read-then-set pairs could let a
   * later time overwrite an earlier one.
   */
  private ensureAlarm(at: number): Promise<void> {
    const next = this.alarmQueue.then(async () => {
      const current = await this.ctx.storage.getAlarm();
      if (current === null || current > at) await this.ctx.storage.setAlarm(at);
    });
    this.alarmQueue = next.catch(() => undefined);
    return next;
  }

  private bind(roomId: string) {
    if (this.roomId === roomId) return;
    if (this.roomId !== null) throw new Error(`room object for ${this.roomId} addressed as ${roomId}`);
    this.roomId = roomId;
    this.setMeta("room_id", roomId);
  }

  private toMessage(r: MessageRow): ChatMessage {
    const message: ChatMessage = {
      roomId: this.roomId!,
      seq: r.seq,
      ts: r.ts,
      userId: r.user_id,
      username: r.username,
      kind: r.kind as ChatMessage["kind"],
      body: r.body,
      clientId: r.client_id,
    };
    if (r.attachment) message.attachment = JSON.parse(r.attachment) as MessageAttachment;
    return message;
  }

  private getMeta(key: string): string | null {
    return this.sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = ?", key).toArray()[0]?.value ?? null;
  }

  private setMeta(key: string, value: string) {
    this.sql.exec("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", key, value);
  }
}
