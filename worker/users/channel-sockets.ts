import type { PresenceStatus, UserServerFrame } from "../contract/user-wire";
import { AttachmentCache } from "../sockets/attachments";
import { closeSocket, sendJson } from "../sockets/safe-io";

/** Who a channel socket belongs to; survives hibernation as the socket's attachment. */
export interface ChannelSocketInfo {
  userId: string;
  username: string;
  /** The tab said it is in the background. */
  hidden: boolean;
  /** When the session that opened the socket ends (ms): closed with 4001 then. */
  exp?: number;
}

/**
 * The sockets of one user's tabs (hibernatable): sending to one or all, the user's status in
 * the app that follows from them, and closing the ones whose session ended.
 */
export class ChannelSockets {
  private readonly infos = new AttachmentCache<ChannelSocketInfo>();

  constructor(private readonly ctx: Pick<DurableObjectState, "acceptWebSocket" | "getWebSockets">) {}

  accept(ws: WebSocket, info: ChannelSocketInfo): void {
    this.ctx.acceptWebSocket(ws);
    this.infos.set(ws, info);
  }

  count(): number {
    return this.open().length;
  }

  /** The user of these sockets (null: none open). */
  userId(): string | null {
    const first = this.open()[0];
    return first ? (this.infos.get(first)?.userId ?? null) : null;
  }

  send(ws: WebSocket, frame: UserServerFrame): void {
    sendJson(ws, frame);
  }

  broadcast(frame: UserServerFrame): void {
    const text = JSON.stringify(frame);
    for (const ws of this.open()) {
      try {
        ws.send(text);
      } catch {
        // Closing already: its close handler tidies up.
      }
    }
  }

  setHidden(ws: WebSocket, hidden: boolean): void {
    const info = this.infos.get(ws);
    if (info && info.hidden !== hidden) this.infos.set(ws, { ...info, hidden });
  }

  /** A socket closed: it no longer counts (the runtime may still list it until its handler returns). */
  gone(ws: WebSocket): void {
    this.closing.add(ws);
  }

  /** Online with a visible tab, away with only hidden ones, offline with none. */
  status(): PresenceStatus {
    const open = this.open();
    if (open.length === 0) return "offline";
    return open.some((ws) => this.infos.get(ws)?.hidden === false) ? "online" : "away";
  }

  /** Closes (4001) every socket whose session has ended; true if any was. */
  closeExpired(now = Date.now()): boolean {
    return this.closeWhere((exp) => exp !== undefined && exp <= now, "session expired; sign in again");
  }

  /** Closes (4001) every socket: the account was deactivated (docs/admin.md). */
  closeAll(reason: string): boolean {
    return this.closeWhere(() => true, reason);
  }

  private closeWhere(ended: (exp: number | undefined) => boolean, reason: string): boolean {
    let closed = false;
    for (const ws of this.open()) {
      if (ended(this.infos.get(ws)?.exp)) {
        closeSocket(ws, 4001, reason);
        this.closing.add(ws);
        closed = true;
      }
    }
    return closed;
  }

  /** When the next open socket's session ends, if any has an end. */
  nextExpiry(): number | null {
    const exps = this.open().flatMap((ws) => this.infos.get(ws)?.exp ?? []);
    return exps.length ? Math.min(...exps) : null;
  }

  private readonly closing = new WeakSet<WebSocket>();

  private open(): WebSocket[] {
    return this.ctx.getWebSockets().filter((ws) => !this.closing.has(ws) && ws.readyState === WebSocket.OPEN);
  }
}
