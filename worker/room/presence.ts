import type { OnlineUser, ServerFrame } from "../contract/wire";
import type { SocketOrigin } from "./socket-origin";

/**
 * Who is online in the room, and who is typing: the `presence` and `typing` frames; in a big
 * room (`host.big()`, docs/protocol.md "Big rooms") a `presence_count` frame instead of the
 * list, and no typing at all: thousands of sockets would each get every change. Presence
 * changes within PRESENCE_COALESCE_MS go out as one frame, so filling a room costs O(n)
 * frames, not O(n²). It owns the list of online users (kept between calls: a socket of
 * someone already online changes nothing, a new user is added, and only a departure forces a
 * rebuild from every socket) and the pending change; the sockets are the host's.
 */

const PRESENCE_COALESCE_MS = 200;

/** What presence needs of the room's sockets (the Audience). */
export interface PresenceHost {
  /** The user of every socket (one entry per socket), leaving out `except`. */
  users(except?: Set<WebSocket>): Iterable<OnlineUser>;
  broadcast(frame: ServerFrame, skip?: SocketOrigin, except?: Set<WebSocket>): void;
  /** Whether the room is big (Audience.big). */
  big(): boolean;
}

/** Members in the app elsewhere (a per-user channel open), online or away. */
type Elsewhere = () => Iterable<{ userId: string; username: string; status: "online" | "away" }>;

export class Presence {
  private onlineUsers: Map<string, OnlineUser> | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  /** Sockets on their way out, left out of the next presence frame. */
  private gone = new Set<WebSocket>();
  /** The users (or, in a big room, their count) of the last presence frame sent. */
  private lastSent = "";

  constructor(
    private readonly host: PresenceHost,
    private readonly elsewhere: Elsewhere,
  ) {}

  /** Who is online, one entry per user, by name. */
  online(except?: Set<WebSocket>): OnlineUser[] {
    if (!this.onlineUsers || (except && except.size > 0)) {
      const seen = new Map<string, OnlineUser>();
      for (const u of this.host.users(except)) if (!seen.has(u.userId)) seen.set(u.userId, { userId: u.userId, username: u.username });
      // In the app but not in this room's sockets: shown as they are in the app.
      for (const u of this.elsewhere()) {
        if (!seen.has(u.userId)) seen.set(u.userId, { userId: u.userId, username: u.username, ...(u.status === "away" ? { status: "away" as const } : {}) });
      }
      this.onlineUsers = seen;
    }
    return [...this.onlineUsers.values()].sort((x, y) => x.username.localeCompare(y.username));
  }

  /** How many users are online (the `online` list's length, without sorting it). */
  count(): number {
    if (!this.onlineUsers) this.online();
    return this.onlineUsers!.size;
  }

  /** A socket of `user` opened. */
  joined(user: OnlineUser): void {
    if (this.onlineUsers && !this.onlineUsers.has(user.userId)) this.onlineUsers.set(user.userId, user);
    this.schedule();
  }

  /** These sockets closed or are closing. */
  left(sockets: Iterable<WebSocket>): void {
    this.onlineUsers = null;
    this.schedule(sockets);
  }

  /** Someone's status elsewhere in the app changed: presence is read again. */
  changed(): void {
    this.onlineUsers = null;
    this.schedule();
  }

  /** Tells the room (but `from`) that `user` started or stopped typing; nobody, in a big room. */
  typing(from: SocketOrigin, user: OnlineUser, typing: boolean): void {
    if (this.host.big()) return;
    this.host.broadcast({ type: "typing", userId: user.userId, username: user.username, typing }, from);
  }

  /** Sends the room's presence soon, once for every change in the window. */
  private schedule(gone?: Iterable<WebSocket>) {
    if (gone) for (const ws of gone) this.gone.add(ws);
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      const except = this.gone;
      this.gone = new Set();
      if (this.host.big()) return this.sendCount(except);
      const online = this.online(except);
      const key = online.map((u) => `${u.userId}${u.status ? `:${u.status}` : ""}`).join();
      // A second tab of someone already online changes nothing worth sending.
      if (key === this.lastSent) return;
      this.lastSent = key;
      this.host.broadcast({ type: "presence", online }, undefined, except);
    }, PRESENCE_COALESCE_MS);
  }

  private sendCount(except: Set<WebSocket>) {
    this.onlineUsers = null;
    this.online(except);
    const online = this.onlineUsers!.size;
    if (`#${online}` === this.lastSent) return;
    this.lastSent = `#${online}`;
    this.host.broadcast({ type: "presence_count", online }, undefined, except);
  }
}
