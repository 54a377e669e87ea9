import { DurableObject } from "cloudflare:workers";
import type { Room } from "../contract/rest";
import { PING_FRAME, PONG_FRAME, type RemovalReason } from "../contract/wire";
import type { PresenceStatus, RoomCounts, UserServerFrame } from "../contract/user-wire";
import { channelRooms, notifyMode } from "../db/user-channel";
import type { UserChannel } from "../gateway/user-channel";
import { errorResponse } from "../lib/errors";
import { textFrameOrClose } from "../sockets/frame-size";
import { reciprocateClose } from "../sockets/safe-io";
import { SpentTickets } from "../sockets/spent-tickets";
import { ChannelSockets } from "./channel-sockets";
import { readUpgrade } from "../gateway/room-upgrade";
import type { UserEnv } from "./user-env";

/** Frames a channel client may send are small. */
const MAX_FRAME_BYTES = 4096;

/**
 * One user's channel (docs/protocol.md "The per-user channel"): the sockets of their tabs, and
 * what every room they belong to tells them. While a socket is open the user watches each of
 * their rooms (RoomObject.watch); the rooms then send counts, rings and DM presence here
 * (the UserChannel RPCs), and this object fans them out to every tab. When the last socket
 * closes the rooms are told to stop. It keeps the counts in memory only: a fresh instance asks
 * the rooms again.
 */
export class UserObject extends DurableObject<UserEnv> implements UserChannel {
  private readonly sockets: ChannelSockets;
  private readonly spentTickets: SpentTickets;
  private userId: string | null = null;
  /** The last counts of each room (null: not asked since this instance started). */
  private counts: Map<string, RoomCounts> | null = null;
  private presence: Record<string, PresenceStatus> = {};
  /** The user's status in the app, as last told to the rooms. */
  private told: PresenceStatus = "offline";

  constructor(ctx: DurableObjectState, env: UserEnv) {
    super(ctx, env);
    this.sockets = new ChannelSockets(ctx);
    this.spentTickets = new SpentTickets(ctx.storage.sql);
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(PING_FRAME, PONG_FRAME));
  }

  // ---- the upgrade, from the worker's /api/me/ws --------------------------------------------

  override async fetch(request: Request): Promise<Response> {
    const ask = readUpgrade(request);
    if (typeof ask === "string") return errorResponse(400, "bad_request", ask);
    this.userId = ask.userId;
    if (ask.ticket && !this.spentTickets.spend(ask.ticket.id, ask.ticket.expMs)) {
      return errorResponse(401, "invalid_ticket", "this ticket was already used: ask for a new one (each ticket opens one socket)");
    }
    const { 0: client, 1: server } = new WebSocketPair();
    this.sockets.accept(server, { userId: ask.userId, username: ask.username, hidden: false, ...(ask.sessionExpMs ? { exp: ask.sessionExpMs } : {}) });
    if (ask.sessionExpMs) await this.ctx.storage.setAlarm(Math.min(ask.sessionExpMs, (await this.ctx.storage.getAlarm()) ?? Infinity));
    this.ctx.waitUntil(this.greet(server, ask.userId, ask.username));
    return new Response(null, { status: 101, webSocket: client, headers: ask.subprotocol ? { "Sec-WebSocket-Protocol": ask.subprotocol } : {} });
  }

  /** `hello` with every room's counts (asked of the rooms when this instance has none). */
  private async greet(ws: WebSocket, userId: string, username: string): Promise<void> {
    if (!this.counts) await this.watchAll(userId, username);
    this.sockets.send(ws, { type: "hello", user: { id: userId, username }, rooms: [...this.counts!.values()], presence: this.presence });
    await this.statusChanged();
  }

  /** Watches every room of the user: each answers its counts (and, for a DM, the other member's status). */
  private async watchAll(userId: string, username: string): Promise<void> {
    const rooms = await channelRooms(this.env.DB, userId);
    const status = this.sockets.status();
    const answers = await Promise.all(
      rooms.map((r) =>
        this.env.ROOMS.getByName(r.id)
          .channel(r.id, { op: "watch", watcher: { userId, username, lastReadSeq: r.lastReadSeq, status: status === "offline" ? "online" : status }, dm: r.dm })
          .catch(() => null),
      ),
    );
    this.counts = new Map();
    // The rooms were told the status with the watch.
    this.told = status === "offline" ? "online" : status;
    for (const a of answers) {
      if (!a) continue;
      this.counts.set(a.counts.roomId, a.counts);
      Object.assign(this.presence, a.presence);
    }
  }

  // ---- what rooms and the worker tell this channel (UserChannel) -----------------------------

  async roomCounts(userId: string, counts: RoomCounts): Promise<boolean> {
    if (!this.open(userId)) return false;
    this.counts?.set(counts.roomId, counts);
    this.sockets.broadcast({ type: "counts", counts });
    return true;
  }

  async ring(userId: string, ring: { roomId: string; roomName: string; from: { userId: string; username: string } }): Promise<boolean> {
    if (!this.open(userId)) return false;
    if ((await notifyMode(this.env.DB, ring.roomId, userId)) === "muted") return true;
    this.sockets.broadcast({ type: "ring", ...ring });
    return true;
  }

  async ringStop(userId: string, roomId: string, reason: "answered" | "ended"): Promise<boolean> {
    if (!this.open(userId)) return false;
    this.sockets.broadcast({ type: "ring-stop", roomId, reason });
    return true;
  }

  async presenceOf(userId: string, presence: Record<string, PresenceStatus>): Promise<boolean> {
    if (!this.open(userId)) return false;
    Object.assign(this.presence, presence);
    this.sockets.broadcast({ type: "presence", presence });
    return true;
  }

  /** The user became a member of `room` (joined, added, a DM opened): watch it and tell every tab. */
  async roomAdded(userId: string, room: Room, username: string): Promise<void> {
    if (!this.open(userId)) return;
    const status = this.sockets.status();
    const answer = await this.env.ROOMS.getByName(room.id).channel(room.id, {
      op: "watch",
      watcher: { userId, username, lastReadSeq: 0, status: status === "offline" ? "online" : status },
      dm: room.visibility === "dm",
    });
    if (!answer) return;
    this.counts?.set(room.id, answer.counts);
    this.sockets.broadcast({ type: "room-added", room });
    this.sockets.broadcast({ type: "counts", counts: answer.counts });
    if (Object.keys(answer.presence).length > 0) await this.presenceOf(userId, answer.presence);
  }

  /** The user is no longer a member of `roomId`, and why (the room already stopped watching for them). */
  async roomRemoved(userId: string, roomId: string, reason: RemovalReason = "left"): Promise<void> {
    if (!this.open(userId)) return;
    this.counts?.delete(roomId);
    this.sockets.broadcast({ type: "room-removed", roomId, reason });
  }

  /** The account was deactivated (or a bot's token rotated: docs/bots.md): every tab's channel closes (4001) at once. */
  async endSessions(reason = "this account is deactivated"): Promise<void> {
    if (this.sockets.closeAll(reason)) await this.statusChanged();
  }

  // ---- the tabs' frames ----------------------------------------------------------------------

  override async webSocketMessage(ws: WebSocket, data: string | ArrayBuffer): Promise<void> {
    const text = textFrameOrClose(ws, data, { maxBytes: MAX_FRAME_BYTES, binaryReason: "binary frames are not supported" });
    if (text === null || this.sockets.closeExpired()) return;
    let frame: { type?: unknown; hidden?: unknown; roomId?: unknown };
    try {
      frame = JSON.parse(text);
    } catch {
      return this.sockets.send(ws, { type: "error", code: "bad_frame", message: "frame is not valid JSON" });
    }
    if (frame.type === "ping") return this.sockets.send(ws, { type: "pong" });
    if (frame.type === "visibility" && typeof frame.hidden === "boolean") {
      this.sockets.setHidden(ws, frame.hidden);
      return this.statusChanged();
    }
    if (frame.type === "decline" && typeof frame.roomId === "string") {
      return this.sockets.broadcast({ type: "ring-stop", roomId: frame.roomId, reason: "declined" });
    }
    const known = frame.type === "visibility" || frame.type === "decline";
    this.sockets.send(ws, known ? { type: "error", code: "bad_frame", message: `bad fields for \`${String(frame.type)}\`` } : unknownType(frame.type));
  }

  override async webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> {
    reciprocateClose(ws, code, reason);
    this.sockets.gone(ws);
    await this.statusChanged();
  }

  override async webSocketError(ws: WebSocket): Promise<void> {
    this.sockets.gone(ws);
    await this.statusChanged();
  }

  /** Closes the sockets whose session ended (4001), then waits for the next to end. */
  override async alarm(): Promise<void> {
    this.sockets.closeExpired();
    const next = this.sockets.nextExpiry();
    if (next !== null) await this.ctx.storage.setAlarm(next);
    await this.statusChanged();
  }

  // ---- status ------------------------------------------------------------------------------

  /**
   * Online while a tab is visible, away while all are hidden, offline with none: the rooms
   * hear of a change (and stop watching for the user when the last tab closed).
   */
  private async statusChanged(): Promise<void> {
    const status = this.sockets.status();
    const userId = (this.userId ??= this.sockets.userId());
    if (status === this.told || !userId) return;
    this.told = status;
    // After a wake the counts are gone, but the rooms still watch: D1 says which they are.
    const roomIds = this.counts ? [...this.counts.keys()] : (await channelRooms(this.env.DB, userId)).map((r) => r.id);
    if (status === "offline") this.counts = null;
    await Promise.all(
      roomIds.map((roomId) => {
        const room = this.env.ROOMS.getByName(roomId);
        return room.channel(roomId, status === "offline" ? { op: "unwatch", userId } : { op: "status", userId, status }).catch(() => undefined);
      }),
    );
  }

  /** Whether this is `userId`'s channel and a tab is open. */
  private open(userId: string): boolean {
    this.userId ??= this.sockets.userId() ?? userId;
    return this.userId === userId && this.sockets.count() > 0;
  }
}

function unknownType(type: unknown): UserServerFrame {
  return { type: "error", code: "unknown_type", message: `unknown frame type \`${String(type).slice(0, 40)}\`` };
}
