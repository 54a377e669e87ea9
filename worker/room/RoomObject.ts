import { DurableObject } from "cloudflare:workers";
import { numberVar } from "../config";
import { MAX_FRAME_BYTES, PING_FRAME, PONG_FRAME, type CallParticipant, type RemovalReason } from "../contract/wire";
import { errorResponse } from "../lib/errors";
import type { Family } from "../media/sniff";
import type { DispatchResult } from "../push/send";
import { textFrameOrClose } from "../sockets/frame-size";
import { reciprocateClose } from "../sockets/safe-io";
import { AlarmClock } from "./alarm-clock";
import { CallState } from "./call-state";
import { ClientIdIndex, MAX_RECENT_CLIENT_IDS_PER_FLUSH } from "./client-ids";
import { copyCadence } from "./d1-copy";
import { AlarmWork } from "./alarm-work";
import { Departures } from "./departures";
import { SpentTickets } from "../sockets/spent-tickets";
import { Admission } from "./admission";
import { Watchers, type ChannelAsk, type WatchAnswer } from "./watchers";
import { ringInfo } from "../db/user-channel";
import type { AcceptResult } from "./message-intake";
import type { ChangeResult } from "./message-changes";
import type { ChangeInput } from "../gateway/change";
import type { Author, MessageInput } from "../gateway/draft";
import { MessageLog } from "./message-log";
import type { PageAt } from "../gateway/page";
import { Delivery } from "./delivery";
import { Writes } from "./writes";
import { RoomMeta } from "./meta";
import { RoomStanding } from "./standing";
import { Exits } from "./exits";
import { Presence } from "./presence";
import { RateLimiter } from "./rate-limit";
import { RoomSockets, type SocketInfo } from "./room-sockets";
import { Greeting } from "./greeting";
import { readUpgrade, type UpgradeAsk } from "../gateway/room-upgrade";
import { BigRoom } from "./big-room";
import type { ShardGreeting, ShardReport } from "./shard-entries";
import type { Via } from "../contract/protocols";
import { UploadStore, type UploadRecord } from "./uploads";
import type { RoomEnv } from "./room-env";

export type { ChannelAsk, WatchAnswer, Watcher } from "./watchers";
export type { AcceptResult, ChangeResult, RoomEnv };

/**
 * One chat room: the platform's entry points (RPC from the worker and from a big room's
 * shards, the socket upgrade, the Hibernation API handlers, the alarm), each handed to the part
 * that owns the work. The parts (this folder) own their state and reach the room only through
 * the callbacks given here: the log, the client-id index, the writes (intake, changes, a
 * socket's frames), the delivery, the sockets and shards (BigRoom), presence, standing, exits,
 * admission, the call state, and the alarm's work (D1 copy, orphan uploads, pushes, stats, webhooks).
 */
export class RoomObject extends DurableObject<RoomEnv> {
  private roomId: string | null;
  private readonly meta: RoomMeta;
  private readonly alarms: AlarmClock;
  private readonly log: MessageLog;
  private readonly uploads: UploadStore;
  private readonly writes: Writes;
  private readonly background: AlarmWork;
  private readonly presence: Presence;
  private readonly standing: RoomStanding;
  private readonly exits: Exits;
  private readonly admission: Admission;
  private readonly watchers: Watchers;
  private readonly call: CallState;
  private readonly big: BigRoom;

  constructor(ctx: DurableObjectState, env: RoomEnv) {
    super(ctx, env);
    const sql = ctx.storage.sql;
    const roomId = () => this.roomId;
    const ensureAlarm = (at: number) => this.alarms.ensure(at);
    this.meta = new RoomMeta(sql);
    this.roomId = this.meta.get("room_id");
    this.alarms = new AlarmClock(ctx.storage);
    const limiter = new RateLimiter(numberVar(env.RATE_LIMIT_BURST, 20), numberVar(env.RATE_LIMIT_PER_SECOND, 5));
    const limits = { maxConnections: numberVar(env.MAX_ROOM_CONNECTIONS, 1000), maxServerConnections: numberVar(env.MAX_CONNECTIONS, 4500) };
    const stats = () => env.STATS.getByName("global");
    const cadence = copyCadence(env);
    this.log = new MessageLog(sql, roomId);
    const clientIds = new ClientIdIndex(sql, this.meta, this.log.hasUniqueClientIds, MAX_RECENT_CLIENT_IDS_PER_FLUSH * cadence.flushRows);
    this.standing = new RoomStanding(this.meta);
    this.uploads = new UploadStore(sql);
    this.call = new CallState(this.meta);
    const sockets = new RoomSockets(ctx);
    this.big = new BigRoom(sql, env, sockets, {
      roomId,
      frame: (origin, text) => this.writes.frames.handle(origin, text),
      changed: () => this.socketsLeft([]),
    });
    const { audience } = this.big;
    this.presence = new Presence(audience, () => this.watchers.statuses());
    this.background = new AlarmWork(env, this.meta, this.log, clientIds, this.uploads, audience, cadence, {
      roomId,
      ensureAlarm,
      waitUntil: (p) => ctx.waitUntil(p),
      stats,
      reply: (author, input) => this.writes.intake.accept(author, input, "rest"),
    });
    const { d1Copy, orphans } = this.background;
    this.watchers = new Watchers(sql, this.meta, this.log, this.call, {
      roomId,
      presenceChanged: () => this.presence.changed(),
      receipt: (frame) => audience.broadcast(frame),
      roomInfo: () => ringInfo(env.DB, this.roomId!),
      channel: (userId) => env.USERS.getByName(userId),
      waitUntil: (p) => ctx.waitUntil(p),
    });
    const delivery = new Delivery(audience, {
      delivered: (via, to) => this.background.statsReport.delivered(via, to),
      written: (message) => {
        this.background.written(message);
        this.watchers.activity();
      },
    });
    const parts = { log: this.log, clientIds, uploads: this.uploads, limiter, standing: this.standing, sockets, delivery };
    this.writes = new Writes(sql, env, parts, {
      roomId,
      typing: (from, user, typing) => this.presence.typing(from, user, typing),
      releaseAttachment: (uploadId) => ctx.waitUntil(orphans.release(uploadId)),
    });
    const greeting = new Greeting(sockets, this.log, this.presence, this.call, limiter, () => audience.big());
    this.exits = new Exits(sql, env.MEDIA, new Departures(sql, env.DB), this.standing, audience, {
      left: (sockets) => this.socketsLeft(sockets),
      watching: () => this.watchers.all().keys(),
      unwatch: (userId) => this.watchers.unwatch(userId),
    });
    this.admission = new Admission(new SpentTickets(sql), this.exits, sockets, this.big.roster, greeting, limits, {
      admit: (roomId, protocol) => stats().admit(roomId, limits.maxServerConnections, protocol),
      release: (roomId, protocol) => ctx.waitUntil(stats().release(roomId, protocol).catch(() => undefined)),
      joined: (user) => {
        this.presence.joined(user);
        d1Copy.schedule(true);
      },
      left: (gone) => this.socketsLeft(gone),
    });
    // Heartbeats are answered by the runtime without waking a hibernated room.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(PING_FRAME, PONG_FRAME));
  }

  // ---- RPC used by the worker ------------------------------------------------------------

  /** Stores a message (or finds the one already stored under its clientId) and broadcasts it. */
  async post(roomId: string, author: Author, input: MessageInput, via: Via = "rest"): Promise<AcceptResult> {
    this.bind(roomId);
    return this.writes.intake.accept(author, input, via);
  }

  /** Edits, deletes or reacts to a message, and broadcasts its new state (MessageChanges). */
  async change(roomId: string, actor: Author, input: ChangeInput, via: Via = "rest"): Promise<ChangeResult> {
    this.bind(roomId);
    return this.writes.changes.apply(actor, input, via);
  }

  /** Records an upload about to be made into this room; unattached, it is deleted at `orphanAt`. */
  async createUpload(roomId: string, record: Omit<UploadRecord, "status" | "family" | "type" | "etag">): Promise<void> {
    this.bind(roomId);
    this.uploads.create(record);
    await this.alarms.ensure(record.orphanAt);
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
   * A page of history, newest first (the newest, or before, after or around a seq), as the JSON text of a `ChatMessage[]`
   * (MessageLog.historyJson); null if `reader` left since the worker's (maybe cached) check; "not_found": no such seq to page around.
   */
  async historyJson(roomId: string, reader: string, at: PageAt, limit: number): Promise<string | null | "not_found"> {
    this.bind(roomId);
    if (!(await this.exits.stillMember(roomId, reader))) return null;
    if ("around" in at && (at.around < 1 || at.around > this.log.lastSeq)) return "not_found";
    return this.log.historyJson(at, limit);
  }

  /** The newest seq in the room's log (D1's copy may lag by the flush delay). */
  async latestSeq(roomId: string): Promise<number> {
    this.bind(roomId);
    return this.log.lastSeq;
  }

  /** Closes every socket of a user who left (1008), was removed (4003) or banned (4004) (Exits). */
  async removeMember(roomId: string, userId: string, reason: Exclude<RemovalReason, "deleted"> = "left"): Promise<number> {
    this.bind(roomId);
    return this.exits.remove(userId, reason);
  }

  /** The owner archived (read-only) or unarchived the room: before D1 hears it (RoomStanding). */
  async setArchived(roomId: string, archived: boolean): Promise<void> {
    this.bind(roomId);
    this.standing.set(archived ? "archived" : "open");
  }

  /** The room is deleted: sockets closed (4005), storage emptied, uploads' bytes gone from R2 (Exits). */
  async deleteRoom(roomId: string): Promise<number> {
    this.bind(roomId);
    return this.exits.delete(roomId);
  }

  /** Closes every socket of a user whose sessions ended (a bot revoked, or its token rotated) with 4001. */
  async endSessions(roomId: string, userId: string): Promise<void> {
    this.bind(roomId);
    this.presence.left(this.big.audience.closeUser(userId, 4001, "session ended; sign in again"));
  }

  /** The call object's word on who is in the room's call; broadcast as a `call` frame (CallState). */
  async callChanged(roomId: string, participants: CallParticipant[], mayRing = true): Promise<void> {
    this.bind(roomId);
    const frame = this.call.change(participants, mayRing);
    this.big.audience.broadcast(frame);
    this.ctx.waitUntil(this.watchers.callChanged(participants, frame.ringing));
  }

  /** What a member's per-user channel asks (worker/users/): watch, unwatch, status, read (Watchers). */
  async channel(roomId: string, ask: ChannelAsk): Promise<WatchAnswer | null> {
    this.bind(roomId);
    return this.standing.deleted ? null : this.watchers.handle(ask);
  }

  /** Copies every message not yet in D1 now (also run by the alarm); returns the highest seq copied. */
  async flush(): Promise<number> {
    return this.background.d1Copy.flush();
  }

  /** Web push for the messages stored since the last dispatch, to members who are away (PushDispatch). */
  async dispatchPushes(now = Date.now()): Promise<DispatchResult | null> {
    return this.background.pushes.dispatch(now);
  }

  /** Deletes uploads never attached to a message in time, from R2 and from the room. */
  async deleteOrphans(now = Date.now()): Promise<number> {
    return this.background.orphans.delete(now);
  }

  // ---- RPC used by a big room's shards (RoomShard; BigRoom) ----------------------------------

  async shardGreeting(roomId: string, k: number, ask: UpgradeAsk): Promise<ShardGreeting> {
    this.bind(roomId);
    return this.admission.shardGreeting(k, ask);
  }

  async shardFrame(roomId: string, k: number, info: SocketInfo, text: string): Promise<Pick<SocketInfo, "strikes" | "hidden">> {
    return this.big.frame(roomId, k, info, text);
  }

  async shardReport(roomId: string, k: number, report: ShardReport): Promise<void> {
    this.big.report(roomId, k, report);
  }

  // ---- the socket upgrade and the Hibernation API handlers ---------------------------------

  override async fetch(request: Request): Promise<Response> {
    const ask = readUpgrade(request);
    if (typeof ask === "string") return errorResponse(400, "bad_request", ask);
    this.bind(ask.roomId);
    return this.admission.upgrade(ask);
  }

  override async webSocketMessage(ws: WebSocket, data: string | ArrayBuffer): Promise<void> {
    const text = textFrameOrClose(ws, data, { maxBytes: MAX_FRAME_BYTES, binaryReason: "binary frames are not supported" });
    if (text !== null) await this.writes.frames.handleLocal(ws, text);
  }

  override async webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> {
    reciprocateClose(ws, code, reason);
    this.admission.gone(ws, this.roomId);
  }

  override async webSocketError(ws: WebSocket): Promise<void> {
    this.admission.gone(ws, this.roomId);
  }

  override async alarm(): Promise<void> {
    // A deleted room's parts may still hold in memory what the deletion wiped: nothing is due.
    if (!this.standing.deleted) await this.background.run();
  }

  // ---- wiring between the parts --------------------------------------------------------------

  /** Sockets closed or closing: presence changes, and the connection report is due. */
  private socketsLeft(sockets: WebSocket[]) {
    this.presence.left(sockets);
    this.background.d1Copy.schedule(true);
  }

  private bind(roomId: string) {
    if (this.roomId === roomId) return;
    if (this.roomId !== null) throw new Error(`room object for ${this.roomId} addressed as ${roomId}`);
    this.roomId = roomId;
    this.meta.set("room_id", roomId);
  }
}
