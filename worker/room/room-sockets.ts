import type { OnlineUser, ServerFrame } from "../contract/wire";
import { AttachmentCache } from "../sockets/attachments";
import { closeSocket, sendText } from "../sockets/safe-io";
import { PROTOCOLS, type Protocol } from "../contract/protocols";
import { FrameTexts, frameText, type ReceiverTexts } from "./message-frames";

/**
 * The sockets one object holds (hibernatable): who each one is, sending and fanning frames
 * out, and closing a socket whose session has ended. It holds no messages: what to send comes
 * from its callers, so the room object and a big room's shards (RoomShard) use the same class.
 */

/** Who a socket belongs to; survives hibernation as the socket's attachment. */
export interface SocketInfo {
  userId: string;
  username: string;
  /** A bot's socket: its messages carry `bot: true`. */
  bot?: true;
  protocol: Protocol;
  /** The socket speaks subprotocol 2 (compact messages: message-frames.ts); absent: version 1. */
  wire?: 2;
  /** The client said its page is hidden: its user gets pushes as if away. */
  hidden?: boolean;
  /** Refused frames in a row; past MAX_STRIKES (socket-origin.ts) the socket is closed with 1008. */
  strikes: number;
  /** When the session that opened the socket ends (ms): the socket is closed with 4001 then. */
  exp?: number;
  /** On a shard: the socket's id, by which the room object addresses it (shard-entries.ts). */
  sid?: string;
}

const protocolTag = (p: Protocol) => `p:${p}`;
const sidTag = (sid: string) => `s:${sid}`;

export class RoomSockets {
  private readonly infos = new AttachmentCache<SocketInfo>();
  /** Every open socket, for broadcasts; re-read after a socket opens or closes. */
  private open: WebSocket[] | null = null;
  /** Open sockets per protocol; recomputed after a socket opens or closes. */
  private protocolCounts: [Protocol, number][] | null = null;
  /** Sockets accepted whose first frames have not gone out yet, with the function that sends them. */
  private readonly ungreeted = new Map<WebSocket, () => void>();
  /** When the first open socket's session ends (ms); null: not known since the last wake or sweep. */
  private expiryDue: number | null = null;

  constructor(private readonly ctx: Pick<DurableObjectState, "acceptWebSocket" | "getWebSockets">) {}

  /** Open sockets in this object. */
  count(): number {
    return this.ctx.getWebSockets().length;
  }

  /**
   * Accepts a new socket for `info`'s user. Its first frames (`greet`) go out just after
   * the 101 has left rather than queued on the socket before it (measured under wrangler
   * dev: ~20 KiB less per socket, BENCHMARKS.md). Until then the socket is left out of
   * broadcasts, and a frame it sends first greets it at once, so the greeting still comes
   * before anything else. `greet` null: the caller greets the socket itself and keeps the
   * frames back until then (a shard: StreamFloors).
   */
  accept(server: WebSocket, info: SocketInfo, greet: ((ws: WebSocket) => void) | null): void {
    this.ctx.acceptWebSocket(server, [info.userId, protocolTag(info.protocol), ...(info.sid ? [sidTag(info.sid)] : [])]);
    this.changed();
    if (info.exp !== undefined && this.expiryDue !== null) this.expiryDue = Math.min(this.expiryDue, info.exp);
    this.infos.set(server, info);
    if (!greet) return;
    const once = () => {
      if (this.ungreeted.delete(server)) greet(server);
    };
    this.ungreeted.set(server, once);
    setTimeout(once, 0);
  }

  /** Sends a socket its greeting now if it has not had it (it sent a frame first). */
  greetNow(ws: WebSocket): void {
    this.ungreeted.get(ws)?.();
  }

  info(ws: WebSocket): SocketInfo | null {
    return this.infos.get(ws);
  }

  /** Stores a changed `info` (strikes, hidden) as the socket's attachment. */
  save(ws: WebSocket, info: SocketInfo): void {
    this.infos.set(ws, info);
  }

  /** The shard socket with this id, if it is still open here. */
  bySid(sid: string): WebSocket | undefined {
    return this.ctx.getWebSockets(sidTag(sid))[0];
  }

  /** The user of every socket (one entry per socket), leaving out `except`. */
  *users(except?: Set<WebSocket>): Iterable<OnlineUser & { hidden: boolean }> {
    for (const ws of this.ctx.getWebSockets()) {
      if (except?.has(ws)) continue;
      const a = this.infos.get(ws);
      if (a) yield { userId: a.userId, username: a.username, hidden: a.hidden === true };
    }
  }

  /** Open sockets per protocol (re-read from the runtime when `fresh`). */
  byProtocol(fresh = false): [Protocol, number][] {
    if (fresh) this.changed();
    this.protocolCounts ??= PROTOCOLS.map((p) => [p, this.ctx.getWebSockets(protocolTag(p)).length] as [Protocol, number]);
    return this.protocolCounts;
  }

  send(ws: WebSocket, frame: ServerFrame): void {
    sendText(ws, frameText(frame, this.infos.get(ws)));
  }

  /** Sends `frame` to every greeted socket but `skip` and `except`. */
  broadcast(frame: ServerFrame, skip?: WebSocket, except?: Set<WebSocket>): void {
    this.broadcastTexts(new FrameTexts(frame), skip, except);
  }

  /** Sends a frame already serialized (once per subprotocol variant for the whole room) to every greeted socket but `skip` and `except`. */
  broadcastTexts(texts: ReceiverTexts, skip?: WebSocket, except?: Set<WebSocket>): void {
    // Nothing more for a socket whose session has ended (one comparison per broadcast).
    if (this.expiryDue === null || Date.now() >= this.expiryDue) this.closeExpired();
    for (const ws of (this.open ??= this.ctx.getWebSockets())) {
      if (ws === skip || except?.has(ws) || this.ungreeted.has(ws)) continue;
      // A socket that is closing is skipped; its close handler updates presence.
      sendText(ws, texts.to(texts.varies ? this.infos.get(ws) : null));
    }
  }

  /** Whether `me`'s session has ended; if so every expired socket is closed. */
  expired(me: SocketInfo): boolean {
    if (me.exp === undefined || Date.now() < me.exp) return false;
    this.closeExpired();
    return true;
  }

  /** Closes every socket of `userId`; returns them (on their way out). */
  closeUser(userId: string, code: number, reason: string): WebSocket[] {
    const sockets = this.ctx.getWebSockets(userId);
    for (const ws of sockets) closeSocket(ws, code, reason);
    this.changed();
    return sockets;
  }

  /** Closes every socket of the room (it was deleted), or every one but those `keep` picks; returns them (on their way out). */
  closeAll(code: number, reason: string, keep?: (ws: WebSocket) => boolean): WebSocket[] {
    const sockets = keep ? this.ctx.getWebSockets().filter((ws) => !keep(ws)) : this.ctx.getWebSockets();
    for (const ws of sockets) closeSocket(ws, code, reason);
    this.changed();
    return sockets;
  }

  /** A socket closed or failed: forget it. */
  gone(ws: WebSocket): void {
    this.ungreeted.delete(ws);
    this.changed();
  }

  private changed() {
    this.protocolCounts = null;
    this.open = null;
  }

  /**
   * Closes (4001) every socket whose session has ended: a signed-out or expired user gets
   * nothing more; their client reconnects, is refused (401) and shows the sign-in page. Notes
   * when the next of the others ends (`expiryDue`).
   */
  private closeExpired() {
    const now = Date.now();
    let due = Infinity;
    for (const ws of this.ctx.getWebSockets()) {
      const exp = this.infos.get(ws)?.exp;
      if (exp === undefined || ws.readyState !== WebSocket.OPEN) continue;
      if (exp > now) {
        due = Math.min(due, exp);
        continue;
      }
      closeSocket(ws, 4001, "session expired; sign in again");
      this.open = null;
    }
    this.expiryDue = due;
  }
}
