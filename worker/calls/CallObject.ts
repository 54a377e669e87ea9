import { DurableObject } from "cloudflare:workers";
import { pushCall } from "../push/send";
import type { Bindings } from "../bindings";
import type { RoomObject } from "../room/RoomObject";
import { errorResponse } from "../lib/errors";
import { toBase64Url } from "../lib/encoding";
import { isMember } from "../db/rooms";
import { readAttachment, writeAttachment } from "../sockets/attachments";
import { textFrameOrClose } from "../sockets/frame-size";
import { closeSocket, reciprocateClose, sendJson, sendText } from "../sockets/safe-io";
import { REMOVAL_CLOSES, type RemovalReason } from "../contract/wire";
import {
  ALIVE_TIMEOUT_MS,
  EXPIRE_TIMEOUT_MS,
  HEARTBEAT_FRAME,
  HEARTBEAT_REPLY,
  MAX_CALL_PEERS,
  MAX_FRAME_BYTES,
  MAX_IDLE_IDS_PER_USER,
  MAX_QUEUED,
  PEER_ID_TTL_MS,
  REFUSALS,
  errorFrame,
  newPeerId,
  parseClientFrame,
  refusal,
  relayFrame,
  type RelayType,
  type ServerFrame,
} from "./peerjs";

/** What a call is given: the bindings, and the rooms it reads call state into. */
export interface CallEnv extends Bindings {
  ROOMS: DurableObjectNamespace<RoomObject>;
}

/** Who a signaling socket is; survives hibernation as the socket's attachment. */
interface PeerAttachment {
  peerId: string;
  userId: string;
  username: string;
  joinedAt: number;
  /** The last frame the object itself received (heartbeats answered by the runtime are not here). */
  lastSeen: number;
}

export interface Participant {
  peerId: string;
  userId: string;
  username: string;
  joinedAt: string;
}

export type IssueResult = { ok: true; peerId: string; expiresAt: string } | { ok: false; code: "call_full"; message: string };

/** Headers the worker sets on an upgrade it forwards here (never taken from the client). */
export const CALL_UPGRADE_HEADERS = { roomId: "x-hearth-room-id" } as const;

interface PeerRow extends Record<string, SqlStorageValue> {
  peer_id: string;
  user_id: string;
  username: string;
  /** Until when a socket may open the id; NULL while a socket has it open. */
  expires_at: number | null;
  /** SHA-256 of the token of the client that opened the id first; NULL until then. */
  token_hash: string | null;
}

/**
 * One room's call: PeerJS signaling for the room's members (docs/calls.md). It records the
 * peer ids it issued (to members, over REST), accepts the stock client's socket for them
 * (hibernatable; heartbeats answered by the runtime), relays OFFER/ANSWER/CANDIDATE between
 * its own peers only, queues a message for a peer that is not connected and EXPIREs it
 * after 5 s, and drops a peer silent for 90 s. One alarm does all the timing.
 */
export class CallObject extends DurableObject<CallEnv> {
  private readonly sql: SqlStorage;
  private roomId: string | null;

  constructor(ctx: DurableObjectState, env: CallEnv) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(`
      CREATE TABLE IF NOT EXISTS peers (
        peer_id    TEXT PRIMARY KEY,
        user_id    TEXT NOT NULL,
        username   TEXT NOT NULL,
        issued_at  INTEGER NOT NULL,
        expires_at INTEGER,
        token_hash TEXT
      );
      CREATE INDEX IF NOT EXISTS peers_by_user ON peers (user_id, issued_at);
      CREATE TABLE IF NOT EXISTS queue (
        id        INTEGER PRIMARY KEY AUTOINCREMENT,
        dst       TEXT NOT NULL,
        src       TEXT NOT NULL,
        frame     TEXT NOT NULL,
        queued_at INTEGER NOT NULL
      );
      CREATE INDEX IF NOT EXISTS queue_by_dst ON queue (dst, id);
      CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    `);
    this.roomId = this.sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = 'room_id'").toArray()[0]?.value ?? null;
    // The stock client's heartbeat, answered by the runtime without waking a hibernated call.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(HEARTBEAT_FRAME, HEARTBEAT_REPLY));
  }

  // ---- RPC used by the worker ------------------------------------------------------------

  /**
   * A new peer id for a member (the worker has checked membership). Refused while the call
   * is full. A user keeps at most MAX_IDLE_IDS_PER_USER ids that no socket holds open.
   */
  async issuePeer(roomId: string, user: { id: string; username: string }): Promise<IssueResult> {
    this.bind(roomId);
    if (this.openPeerIds().size >= MAX_CALL_PEERS) return { ok: false, code: "call_full", message: REFUSALS.callFull };
    const now = Date.now();
    const peerId = newPeerId(roomId);
    const expiresAt = now + PEER_ID_TTL_MS;
    this.sql.exec(
      "INSERT INTO peers (peer_id, user_id, username, issued_at, expires_at) VALUES (?, ?, ?, ?, ?)",
      peerId,
      user.id,
      user.username,
      now,
      expiresAt,
    );
    const idle = this.sql
      .exec<{ peer_id: string }>("SELECT peer_id FROM peers WHERE user_id = ? AND expires_at IS NOT NULL ORDER BY issued_at DESC", user.id)
      .toArray();
    for (const { peer_id } of idle.slice(MAX_IDLE_IDS_PER_USER)) this.forgetPeer(peer_id);
    await this.scheduleAlarm();
    return { ok: true, peerId, expiresAt: new Date(expiresAt).toISOString() };
  }

  /** Who is in the call now: one entry per open peer, in the order they joined. */
  async participants(roomId: string): Promise<Participant[]> {
    if (this.roomId === null) return []; // no id was ever issued here: nothing to store for a look
    this.bind(roomId);
    return this.openSockets()
      .map(({ att }) => ({ peerId: att.peerId, userId: att.userId, username: att.username, joinedAt: att.joinedAt }))
      .sort((a, b) => a.joinedAt - b.joinedAt)
      .map((p) => ({ ...p, joinedAt: new Date(p.joinedAt).toISOString() }));
  }

  /**
   * A member left, was removed or banned (or, with `userId` null, the room was deleted): closes
   * their call sockets with the room socket's code for it (REMOVAL_CLOSES) and forgets their peer ids.
   */
  async removeMember(roomId: string, userId: string | null, reason: RemovalReason = "left"): Promise<number> {
    if (userId === null && this.roomId === null) return 0; // no id was ever issued here: no call to end
    this.bind(roomId);
    const sockets = userId === null ? this.ctx.getWebSockets() : this.ctx.getWebSockets(userId);
    for (const ws of sockets) closeSocket(ws, REMOVAL_CLOSES[reason].code, REMOVAL_CLOSES[reason].reason);
    const ids = this.sql.exec<{ peer_id: string }>("SELECT peer_id FROM peers WHERE ?1 IS NULL OR user_id = ?1", userId).toArray();
    for (const { peer_id } of ids) this.forgetPeer(peer_id);
    await this.scheduleAlarm();
    this.announce();
    return sockets.length;
  }

  // ---- the signaling socket ----------------------------------------------------------------

  /**
   * The upgrade `GET /peerjs/peerjs?key=…&id=…&token=…` after the worker has checked the
   * parameters and the key. Refusals are protocol frames on an accepted socket (see `refusal`).
   */
  override async fetch(request: Request): Promise<Response> {
    const roomId = request.headers.get(CALL_UPGRADE_HEADERS.roomId);
    const params = new URL(request.url).searchParams;
    const peerId = params.get("id");
    const token = params.get("token");
    if (!roomId || !peerId || !token || request.headers.get("Upgrade")?.toLowerCase() !== "websocket") {
      return errorResponse(400, "bad_request", "expected a signaling upgrade from the Hearth worker");
    }
    // An object for a room that never issued an id has nothing to look up; don't bind it.
    if (this.roomId !== roomId) return refusal(errorFrame(REFUSALS.unknownId));

    const tokenHash = await sha256(token);
    const first = this.peerRow(peerId);
    if (!first) return refusal(errorFrame(REFUSALS.unknownId));
    if (first.token_hash !== null && first.token_hash !== tokenHash) return refusal({ type: "ID-TAKEN", payload: { msg: REFUSALS.idTaken } });
    // The user may have left the room since the id was issued.
    if (!(await isMember(this.env.DB, roomId, first.user_id))) return refusal(errorFrame(REFUSALS.notAMember));

    // From here on no await: nothing can change between these checks and the accept.
    const now = Date.now();
    const row = this.peerRow(peerId);
    if (!row) return refusal(errorFrame(REFUSALS.unknownId));
    if (row.token_hash !== null && row.token_hash !== tokenHash) return refusal({ type: "ID-TAKEN", payload: { msg: REFUSALS.idTaken } });
    const previous = this.openSockets(peerId).map((s) => s.ws);
    if (previous.length === 0 && row.expires_at !== null && row.expires_at <= now) return refusal(errorFrame(REFUSALS.unknownId));
    const others = this.openPeerIds();
    others.delete(peerId);
    if (others.size >= MAX_CALL_PEERS) return refusal(errorFrame(REFUSALS.callFull));

    // An id that had a socket before is a reconnect (`peer.reconnect()`), not someone joining.
    const reopened = row.token_hash !== null;
    const { 0: client, 1: server } = new WebSocketPair();
    this.ctx.acceptWebSocket(server, [peerId, row.user_id]);
    const attachment: PeerAttachment = { peerId, userId: row.user_id, username: row.username, joinedAt: now, lastSeen: now };
    writeAttachment(server, attachment);
    this.sql.exec("UPDATE peers SET token_hash = ?, expires_at = NULL WHERE peer_id = ?", tokenHash, peerId);
    sendJson(server, { type: "OPEN" });
    this.deliverQueued(server, peerId);
    // The same client again (same token): the new socket replaces a stale one, as in the reference server.
    for (const ws of previous) closeSocket(ws, 1000, "replaced by a newer connection of this peer");
    await this.scheduleAlarm();
    this.announce(reopened ? undefined : { id: row.user_id, username: row.username });
    return new Response(null, { status: 101, webSocket: client });
  }

  override async webSocketMessage(ws: WebSocket, data: string | ArrayBuffer): Promise<void> {
    const text = textFrameOrClose(ws, data, { maxBytes: MAX_FRAME_BYTES, binaryReason: "signaling frames are JSON text" });
    if (text === null) return;
    const me = readAttachment<PeerAttachment>(ws)!;
    me.lastSeen = Date.now();
    writeAttachment(ws, me);

    const frame = parseClientFrame(text);
    if (frame.kind !== "relay") return;
    if (frame.dst === null) {
      // LEAVE without a destination: the peer signs off (the reference server forgets it).
      if (frame.type === "LEAVE") closeSocket(ws, 1000, "left");
      return;
    }
    await this.relay(me.peerId, frame.type, frame.dst, frame.payload);
  }

  override async webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> {
    reciprocateClose(ws, code, reason);
    await this.socketGone(ws);
  }

  override async webSocketError(ws: WebSocket): Promise<void> {
    await this.socketGone(ws);
  }

  /** Expires queued messages, drops silent peers, forgets unused ids, then sets the next alarm. */
  override async alarm(): Promise<void> {
    const now = Date.now();
    this.expireQueued(now);
    this.dropSilentPeers(now);
    this.forgetExpiredIds(now);
    await this.scheduleAlarm();
    this.announce();
  }

  // ---- relay and queue ---------------------------------------------------------------------

  /**
   * Sends a frame to `dst` with `src` set by the server. Only this room's sockets are
   * looked at, so a peer of another room is never reached: its messages wait here and expire.
   */
  private async relay(src: string, type: RelayType, dst: string, payload: unknown): Promise<void> {
    const text = JSON.stringify(relayFrame(type, src, dst, payload));
    const target = this.openSockets(dst)[0]?.ws;
    if (target) {
      if (sendText(target, text)) return;
      // The peer vanished without closing: tell the sender to stop trying, as the reference server does.
      closeSocket(target, 1011, "unreachable");
      this.sendTo(src, relayFrame("LEAVE", dst, src));
      return;
    }
    // LEAVE and EXPIRE are only worth anything to a connected peer.
    if (type === "LEAVE" || type === "EXPIRE") return;
    const queued = this.sql.exec<{ n: number }>("SELECT count(*) AS n FROM queue").one().n;
    if (queued >= MAX_QUEUED) {
      this.sendTo(src, relayFrame("EXPIRE", dst, src));
      return;
    }
    this.sql.exec("INSERT INTO queue (dst, src, frame, queued_at) VALUES (?, ?, ?, ?)", dst, src, text, Date.now());
    await this.scheduleAlarm();
  }

  private deliverQueued(ws: WebSocket, peerId: string) {
    const rows = this.sql.exec<{ frame: string }>("SELECT frame FROM queue WHERE dst = ? ORDER BY id", peerId).toArray();
    // A socket closing meanwhile takes the messages with it.
    for (const { frame } of rows) sendText(ws, frame);
    this.sql.exec("DELETE FROM queue WHERE dst = ?", peerId);
  }

  /**
   * Gives up on every (src, dst) conversation whose oldest queued message is 5 s old: one
   * EXPIRE to the sender (`src` is the peer that could not be reached), the rest dropped.
   */
  private expireQueued(now: number) {
    const pairs = this.sql
      .exec<{ src: string; dst: string }>("SELECT DISTINCT src, dst FROM queue WHERE queued_at <= ?", now - EXPIRE_TIMEOUT_MS)
      .toArray();
    for (const { src, dst } of pairs) {
      this.sql.exec("DELETE FROM queue WHERE src = ? AND dst = ?", src, dst);
      this.sendTo(src, relayFrame("EXPIRE", dst, src));
    }
  }

  // ---- liveness and ids --------------------------------------------------------------------

  /** The last sign of life of a socket: a frame it sent, or a heartbeat the runtime answered. */
  private lastSeen(ws: WebSocket, att: PeerAttachment): number {
    const heartbeat = this.ctx.getWebSocketAutoResponseTimestamp(ws)?.getTime() ?? 0;
    return Math.max(att.lastSeen, heartbeat);
  }

  private dropSilentPeers(now: number) {
    for (const { ws, att } of this.openSockets()) {
      if (now - this.lastSeen(ws, att) < ALIVE_TIMEOUT_MS) continue;
      // Its close handshake will likely never finish, so the peer is let go right here.
      closeSocket(ws, 1001, "no heartbeat for 90 s");
      this.peerGone(att.peerId, now);
      this.sql.exec("DELETE FROM queue WHERE dst = ?", att.peerId);
    }
  }

  private async socketGone(ws: WebSocket) {
    const att = readAttachment<PeerAttachment>(ws);
    if (att && this.openSockets(att.peerId).length === 0) this.peerGone(att.peerId, Date.now());
    await this.scheduleAlarm();
    this.announce();
  }

  /** Who is in the call after a change; as the room's members see it. */
  private lastAnnounced = "";

  /**
   * Tells the room who is in the call (its members see it live). `joined`: someone new opened
   * their first socket, and if that starts the call it rings (the room's `ringing`, and a web
   * push to the other members' devices). A reconnect passes nothing: a lone caller whose
   * socket blipped must not ring everyone again.
   */
  private announce(joined?: { id: string; username: string }) {
    const roomId = this.roomId;
    if (!roomId) return;
    this.ctx.waitUntil(
      (async () => {
        const participants = await this.participants(roomId);
        const key = JSON.stringify(participants.map((p) => p.peerId));
        if (key === this.lastAnnounced) return;
        const started = this.lastAnnounced === "" || this.lastAnnounced === "[]";
        this.lastAnnounced = key;
        await this.env.ROOMS.getByName(roomId).callChanged(roomId, participants, joined !== undefined);
        if (joined && started && participants.length === 1) await pushCall(this.env, roomId, joined);
      })().catch((err) => console.error("call announcement failed", err)),
    );
  }

  /** No socket holds the id any more: it can be reopened (`peer.reconnect()`) for PEER_ID_TTL_MS. */
  private peerGone(peerId: string, now: number) {
    this.sql.exec("UPDATE peers SET expires_at = ? WHERE peer_id = ? AND expires_at IS NULL", now + PEER_ID_TTL_MS, peerId);
  }

  private forgetExpiredIds(now: number) {
    const open = this.openPeerIds();
    // Ids marked open whose socket is gone (an eviction without close events) start their reconnect window.
    for (const { peer_id } of this.sql.exec<{ peer_id: string }>("SELECT peer_id FROM peers WHERE expires_at IS NULL").toArray()) {
      if (!open.has(peer_id)) this.peerGone(peer_id, now);
    }
    for (const { peer_id } of this.sql.exec<{ peer_id: string }>("SELECT peer_id FROM peers WHERE expires_at <= ?", now).toArray()) {
      if (!open.has(peer_id)) this.forgetPeer(peer_id);
    }
  }

  private forgetPeer(peerId: string) {
    this.sql.exec("DELETE FROM peers WHERE peer_id = ?", peerId);
    this.sql.exec("DELETE FROM queue WHERE dst = ?", peerId);
  }

  /** One alarm for every deadline: the oldest queued message, the quietest socket, the next id to forget. */
  private async scheduleAlarm() {
    const deadlines: number[] = [];
    const oldest = this.sql.exec<{ t: number | null }>("SELECT min(queued_at) AS t FROM queue").one().t;
    if (oldest !== null) deadlines.push(oldest + EXPIRE_TIMEOUT_MS);
    for (const { ws, att } of this.openSockets()) deadlines.push(this.lastSeen(ws, att) + ALIVE_TIMEOUT_MS);
    const nextId = this.sql.exec<{ t: number | null }>("SELECT min(expires_at) AS t FROM peers").one().t;
    if (nextId !== null) deadlines.push(nextId);
    if (deadlines.length === 0) return;
    const at = Math.max(Math.min(...deadlines), Date.now() + 10);
    const current = await this.ctx.storage.getAlarm();
    if (current === null || current > at || current < Date.now()) await this.ctx.storage.setAlarm(at);
  }

  // ---- sockets -----------------------------------------------------------------------------

  /**
   * Open signaling sockets (a socket being closed is not in the call any more): all, or those
   * of one peer id. Sockets are tagged with their peer id and their user id, so a tag alone
   * could name a user: the attachment decides.
   */
  private openSockets(peerId?: string): { ws: WebSocket; att: PeerAttachment }[] {
    const out: { ws: WebSocket; att: PeerAttachment }[] = [];
    for (const ws of this.ctx.getWebSockets(peerId)) {
      if (ws.readyState !== WebSocket.OPEN) continue;
      const att = readAttachment<PeerAttachment>(ws);
      if (att && (peerId === undefined || att.peerId === peerId)) out.push({ ws, att });
    }
    return out;
  }

  private openPeerIds(): Set<string> {
    return new Set(this.openSockets().map((s) => s.att.peerId));
  }

  private sendTo(peerId: string, frame: ServerFrame) {
    const target = this.openSockets(peerId)[0]?.ws;
    if (target) sendJson(target, frame);
  }

  private peerRow(peerId: string): PeerRow | null {
    return (
      this.sql
        .exec<PeerRow>("SELECT peer_id, user_id, username, expires_at, token_hash FROM peers WHERE peer_id = ?", peerId)
        .toArray()[0] ?? null
    );
  }

  private bind(roomId: string) {
    if (this.roomId === roomId) return;
    if (this.roomId !== null) throw new Error(`call object for ${this.roomId} addressed as ${roomId}`);
    this.roomId = roomId;
    this.sql.exec("INSERT INTO meta (key, value) VALUES ('room_id', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", roomId);
  }
}

async function sha256(text: string): Promise<string> {
  return toBase64Url(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
}
