import { DurableObject } from "cloudflare:workers";
import { MAX_FRAME_BYTES, PING_FRAME, PONG_FRAME } from "../contract/wire";
import { errorResponse } from "../lib/errors";
import { readUpgrade, SHARD_HEADER, type UpgradeAsk } from "../gateway/room-upgrade";
import { textFrameOrClose } from "../sockets/frame-size";
import { closeSocket, reciprocateClose, sendText } from "../sockets/safe-io";
import type { Bindings } from "../bindings";
import type { StatsObject } from "../stats/StatsObject";
import type { RoomObject } from "./RoomObject";
import { RoomSockets, type SocketInfo } from "./room-sockets";
import type { ShardEntry, ShardReport, ShardRpc, ShardUser } from "./shard-entries";
import { StreamFloors } from "./stream-floors";
import { forwardedTexts } from "./message-frames";

/** Why a shard closes a socket that missed messages of the room's stream. */
const MISSED = "this server missed messages of the room; reconnect";

/** What a shard is given: its room objects and the stats object (it releases its sockets' places there). */
export interface ShardEnv extends Bindings {
  ROOMS: DurableObjectNamespace<RoomObject>;
  STATS: DurableObjectNamespace<StatsObject>;
}

/**
 * One shard of a big room (docs/architecture.md "Big rooms"), named `${roomId}/${k}`: it holds
 * up to ROOM_SHARD_CONNECTIONS of the room's sockets (hibernatable, in the same RoomSockets as
 * the room object) and nothing else. The room object keeps the log, the order and every rule:
 * it admits the socket and places it here, computes its greeting (`shardGreeting`), handles
 * every frame its socket sends (`shardFrame`, the same handlers as for its own sockets), and
 * sends this shard one ordered stream of what to fan out (`deliver`, shard-entries.ts). The
 * shard tells the room about its sockets, coalesced (`shardReport`).
 */
export class RoomShard extends DurableObject<ShardEnv> implements ShardRpc {
  private readonly sockets: RoomSockets;
  private readonly floors = new StreamFloors();
  /** Per socket, the last of its frames still being handled by the room: a socket's frames reach it in order. */
  private readonly chains = new Map<WebSocket, Promise<unknown>>();
  private place: { roomId: string; k: number } | null;
  /** A report is on its way to the room; `again`: the sockets changed since it was taken. */
  private reporting: { again: boolean } | null = null;

  constructor(ctx: DurableObjectState, env: ShardEnv) {
    super(ctx, env);
    this.sockets = new RoomSockets(ctx);
    ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS shard_meta (room_id TEXT NOT NULL, k INTEGER NOT NULL)");
    this.place = ctx.storage.sql.exec<{ room_id: string; k: number }>("SELECT room_id, k FROM shard_meta").toArray().map((r) => ({ roomId: r.room_id, k: r.k }))[0] ?? null;
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(PING_FRAME, PONG_FRAME));
  }

  /** The upgrade the room object admitted and placed here (the worker forwards it; never a client). */
  override async fetch(request: Request): Promise<Response> {
    const ask = readUpgrade(request);
    const k = Number(request.headers.get(SHARD_HEADER));
    if (typeof ask === "string" || !Number.isInteger(k) || k < 0) return errorResponse(400, "bad_request", "expected a placed upgrade from the Hearth worker");
    this.bind(ask.roomId, k);
    const { 0: client, 1: server } = new WebSocketPair();
    const info: SocketInfo = { userId: ask.userId, username: ask.username, protocol: ask.protocol, strikes: 0, sid: crypto.randomUUID() };
    if (ask.wire === 2) info.wire = 2;
    if (ask.sessionExpMs !== undefined) info.exp = ask.sessionExpMs;
    if (ask.bot) info.bot = true;
    this.sockets.accept(server, info, null);
    this.floors.waiting(server);
    this.chains.set(server, this.greet(server, ask, k));
    this.report();
    return new Response(null, { status: 101, webSocket: client, headers: ask.subprotocol ? { "Sec-WebSocket-Protocol": ask.subprotocol } : {} });
  }

  /** The room's stream: entries applied in order (one call at a time per shard, ShardFanout). */
  async deliver(roomId: string, k: number, batch: ShardEntry[]): Promise<void> {
    this.bind(roomId, k);
    for (const entry of batch) this.apply(entry);
  }

  override async webSocketMessage(ws: WebSocket, data: string | ArrayBuffer): Promise<void> {
    const text = textFrameOrClose(ws, data, { maxBytes: MAX_FRAME_BYTES, binaryReason: "binary frames are not supported" });
    const info = this.sockets.info(ws);
    if (text === null || !info || !this.place || this.sockets.expired(info)) return;
    const { roomId, k } = this.place;
    // After the greeting and the socket's frames before this one: the room sees them in order.
    const run = (this.chains.get(ws) ?? Promise.resolve())
      .then(() => this.env.ROOMS.getByName(roomId).shardFrame(roomId, k, info, text))
      .then((after) => {
        if (after.strikes === info.strikes && after.hidden === info.hidden) return;
        const hiddenChanged = after.hidden !== info.hidden;
        this.sockets.save(ws, Object.assign(info, { strikes: after.strikes, hidden: after.hidden }));
        if (hiddenChanged) this.report();
      })
      .catch((err) => {
        console.error("shard: the room did not take a frame", err);
        closeSocket(ws, 1011, "the room is unreachable; reconnect");
      });
    this.chains.set(ws, run);
    await run;
    if (this.chains.get(ws) === run) this.chains.delete(ws);
  }

  override async webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> {
    reciprocateClose(ws, code, reason);
    this.gone(ws);
  }

  override async webSocketError(ws: WebSocket): Promise<void> {
    this.gone(ws);
  }

  // ---- the greeting and the stream -------------------------------------------------------------

  /** Sends a new socket the frames the room computed, then what the stream brought meanwhile and the greeting does not hold. */
  private async greet(ws: WebSocket, ask: UpgradeAsk, k: number): Promise<void> {
    try {
      const greeting = await this.env.ROOMS.getByName(ask.roomId).shardGreeting(ask.roomId, k, ask);
      if (!greeting.ok) return closeSocket(ws, greeting.code, greeting.reason);
      const queued = this.floors.greeted(ws, greeting);
      if (queued === null) return closeSocket(ws, 1011, MISSED);
      for (const frame of greeting.frames) sendText(ws, frame);
      for (const entry of queued) this.applyTo(ws, entry);
    } catch (err) {
      console.error("shard: greeting failed", err);
      closeSocket(ws, 1011, "the room is unreachable; reconnect");
    }
  }

  private apply(entry: ShardEntry): void {
    switch (entry.op) {
      case "all": {
        const lost = this.floors.skipped(entry);
        if (lost !== null) this.missed(lost);
        const except = this.floors.except(entry);
        if (except === null) return; // already delivered (a batch sent twice)
        const skip = entry.skip === undefined ? undefined : this.sockets.bySid(entry.skip);
        this.sockets.broadcastTexts(forwardedTexts(entry), skip, except);
        this.floors.queue(entry, skip);
        return;
      }
      case "to": {
        const ws = this.sockets.bySid(entry.sid);
        if (ws && !this.floors.queue(entry, undefined, ws)) sendText(ws, entry.text);
        return;
      }
      case "close": {
        const ws = this.sockets.bySid(entry.sid);
        if (ws) closeSocket(ws, entry.code, entry.reason);
        return;
      }
      case "closeUser":
        this.sockets.closeUser(entry.userId, entry.code, entry.reason);
        return this.report();
      case "closeAll":
        this.sockets.closeAll(entry.code, entry.reason);
        return this.report();
    }
  }

  /**
   * Messages up to `upTo` never reached this shard: its sockets that were greeted before them
   * close (1011) and come back with `since` (the room's stream gives up a batch after retries,
   * and a restarted room object has lost what it had queued; shard-fanout.ts).
   */
  private missed(upTo: number): void {
    console.error(`shard: the room's stream skipped messages up to seq ${upTo}; closing the sockets that missed them`);
    this.sockets.closeAll(1011, MISSED, (ws) => this.floors.holds(ws, upTo));
    this.report();
  }

  /** One queued entry, for one socket just greeted. */
  private applyTo(ws: WebSocket, entry: ShardEntry): void {
    if (entry.op === "all") sendText(ws, forwardedTexts(entry).to(this.sockets.info(ws)));
    else if (entry.op === "to") sendText(ws, entry.text);
  }

  // ---- bookkeeping --------------------------------------------------------------------------------

  private gone(ws: WebSocket) {
    this.sockets.gone(ws);
    this.floors.gone(ws);
    this.chains.delete(ws);
    const protocol = this.sockets.info(ws)?.protocol ?? "websocket";
    // The room admitted the socket's place under its own id (Admission): it is released there.
    if (this.place) this.ctx.waitUntil(this.env.STATS.getByName("global").release(this.place.roomId, protocol).catch(() => undefined));
    this.report();
  }

  /**
   * Tells the room about this shard's sockets: at once when no report is on its way, else once
   * more when it has arrived, with every change made meanwhile. So a shard filling up sends a
   * report per round trip to the room, not per socket (no timer: a report is due only when
   * something changed, and a hibernated shard has nothing to tell).
   */
  private report() {
    if (!this.place) return;
    if (this.reporting) {
      this.reporting.again = true;
      return;
    }
    const { roomId, k } = this.place;
    const reporting = (this.reporting = { again: false });
    const sent = this.env.ROOMS.getByName(roomId)
      .shardReport(roomId, k, this.snapshot())
      .catch((err) => console.error("shard: report failed", err))
      .finally(() => {
        this.reporting = null;
        if (reporting.again) this.report();
      });
    this.ctx.waitUntil(sent);
  }

  private snapshot(): ShardReport {
    const users = new Map<string, ShardUser>();
    let sockets = 0;
    for (const u of this.sockets.users()) {
      sockets += 1;
      const seen = users.get(u.userId);
      if (seen) seen.hidden &&= u.hidden;
      else users.set(u.userId, { userId: u.userId, username: u.username, hidden: u.hidden });
    }
    return { sockets, byProtocol: this.sockets.byProtocol(true), users: [...users.values()] };
  }

  private bind(roomId: string, k: number) {
    if (this.place) {
      if (this.place.roomId !== roomId || this.place.k !== k) throw new Error(`shard ${this.place.roomId}/${this.place.k} addressed as ${roomId}/${k}`);
      return;
    }
    this.place = { roomId, k };
    this.ctx.storage.sql.exec("INSERT INTO shard_meta (room_id, k) VALUES (?, ?)", roomId, k);
  }
}
