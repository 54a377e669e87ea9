import { batch, signal, type Signal } from "@preact/signals";
import ReconnectingWebSocket from "partysocket/ws";
import { api, ApiError, normalizeMessage } from "./api";
import { noteActivity } from "./rooms";
import { token } from "./session";
import { BEARER_PREFIX, SUBPROTOCOL } from "../../worker/contract/wire";
import type {
  Attachment,
  AttachmentRef,
  CallParticipant,
  ClientFrame,
  MediaKind,
  Message,
  OnlineUser,
  ServerFrame,
  User,
} from "./types";

export type ConnectionState = "connecting" | "online" | "reconnecting" | "closed";

/** A message typed here that the server has not acknowledged yet. */
export interface PendingMessage {
  clientId: string;
  body: string;
  ts: number;
  /** Set when the server refused it for good (e.g. too long). */
  failed?: string;
  /** A media message: its kind, the upload it refers to, and what the sender knows of the file. */
  kind?: MediaKind;
  attachment?: AttachmentRef;
  local?: Omit<Attachment, "id"> & { previewUrl?: string };
}

export interface Typist {
  userId: string;
  username: string;
}

const PAGE_SIZE = 50;
const TYPING_REFRESH_MS = 3_000;
const TYPING_IDLE_MS = 3_000;
const TYPING_EXPIRY_MS = 6_000;
const PING_EVERY_MS = 20_000;
const PONG_TIMEOUT_MS = 10_000;
const MARK_READ_DELAY_MS = 800;

/**
 * Messages sent but not yet acknowledged, per user and room. They outlive a room's channel
 * (opening another room stops it), so a message queued while offline still goes out when its
 * room is opened again (in this tab, like the composer's drafts; not across a reload).
 */
const outboxes = new Map<string, Signal<PendingMessage[]>>();

function outbox(userId: string, roomId: string): Signal<PendingMessage[]> {
  const key = `${userId} ${roomId}`;
  let box = outboxes.get(key);
  if (!box) {
    box = signal<PendingMessage[]>([]);
    outboxes.set(key, box);
  }
  return box;
}

let clientIdCounter = 0;
function newClientId(): string {
  const random =
    typeof crypto.randomUUID === "function"
      ? crypto.randomUUID()
      : `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
  return `c-${random}-${(clientIdCounter++).toString(36)}`;
}

/**
 * Everything about one open room: its history (REST), its live socket (docs/protocol.md),
 * messages waiting for an ack, who is online and who is typing.
 *
 * The socket authenticates with the session token as a subprotocol (one request per connect)
 * and reconnects by itself with backoff (0.5 s doubling to 10 s), resuming with
 * `since=lastSeq`; once `synced` arrives, every unacknowledged message is resent with its
 * original clientId so it is stored exactly once. An attempt after one that never opened
 * goes through a ticket instead: a refused upgrade tells a browser nothing, while the
 * ticket request answers why (signed out, removed from the room, room gone).
 */
export class RoomChannel {
  /** Stored messages, oldest first. */
  readonly messages = signal<Message[]>([]);
  /** This user's unacknowledged messages in this room (kept across channels: `outbox`). */
  readonly pending: Signal<PendingMessage[]>;
  readonly state = signal<ConnectionState>("connecting");
  /** Why the room was closed for good (state "closed"). */
  readonly closedReason = signal<string | null>(null);
  readonly online = signal<OnlineUser[]>([]);
  /** Who is in the room's call (docs/calls.md); empty: no call. */
  readonly call = signal<CallParticipant[]>([]);
  /** When a call has just started here (a `call` frame with `ringing`); 0: none since. */
  readonly ringingAt = signal(0);
  readonly typists = signal<Typist[]>([]);
  readonly historyError = signal<string | null>(null);
  readonly historyLoaded = signal(false);
  readonly hasOlder = signal(true);
  readonly loadingOlder = signal(false);

  /** Highest seq received in a `message` frame (or from the history page). */
  private lastSeq = 0;
  private seqKnown = false;
  private readonly bySeq = new Map<number, Message>();
  private socket: ReconnectingWebSocket | null = null;
  private stopped = false;
  private everOnline = false;
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  private readonly typingTimers = new Map<string, ReturnType<typeof setTimeout>>();
  private pingTimer: ReturnType<typeof setInterval> | null = null;
  private pongDeadline: ReturnType<typeof setTimeout> | null = null;
  private typingSentAt = 0;
  private typingIdleTimer: ReturnType<typeof setTimeout> | null = null;
  private markReadTimer: ReturnType<typeof setTimeout> | null = null;
  private lastMarkedSeq = 0;

  constructor(
    readonly roomId: string,
    readonly me: User,
  ) {
    this.pending = outbox(me.id, roomId);
  }

  /** Loads the newest page of history, then opens the socket. */
  async start(): Promise<void> {
    document.addEventListener("visibilitychange", this.onVisibility);
    addEventListener("online", this.onNetworkBack);
    await this.loadNewest();
    if (!this.stopped && this.state.value !== "closed") this.connect();
  }

  stop(): void {
    if (this.markReadTimer) this.markRead(); // do not lose a pending read marker
    this.stopped = true;
    if (this.typingSentAt) this.sendFrame({ type: "typing", typing: false });
    this.socket?.close(1000, "room closed");
    this.socket = null;
    this.stopHeartbeat();
    for (const timer of this.timers) clearTimeout(timer);
    for (const timer of this.typingTimers.values()) clearTimeout(timer);
    if (this.typingIdleTimer) clearTimeout(this.typingIdleTimer);
    if (this.markReadTimer) clearTimeout(this.markReadTimer);
    document.removeEventListener("visibilitychange", this.onVisibility);
    removeEventListener("online", this.onNetworkBack);
  }

  /** Queues a message; it is sent now if online, or as soon as the socket is back. */
  send(text: string): void {
    const body = text.trim();
    if (!body) return;
    const message: PendingMessage = { clientId: newClientId(), body, ts: Date.now() };
    this.pending.value = [...this.pending.value, message];
    this.stopTyping();
    if (this.state.value === "online") this.transmit(message);
  }

  /**
   * Queues a media message for an upload that has finished (docs/media.md §3); `caption` may
   * be empty. `local` describes the file for the "Sending…" line.
   */
  sendMedia(
    kind: MediaKind,
    attachment: AttachmentRef,
    caption: string,
    local: NonNullable<PendingMessage["local"]>,
  ): void {
    const message: PendingMessage = {
      clientId: newClientId(),
      body: caption.trim(),
      ts: Date.now(),
      kind,
      attachment,
      local,
    };
    this.pending.value = [...this.pending.value, message];
    this.stopTyping();
    if (this.state.value === "online") this.transmit(message);
  }

  /** Sends a refused message again (same clientId). */
  retry(clientId: string): void {
    const message = this.pending.value.find((p) => p.clientId === clientId);
    if (!message) return;
    this.updatePending(clientId, { failed: undefined });
    if (this.state.value === "online") this.transmit(message);
  }

  discard(clientId: string): void {
    this.settle(clientId);
  }

  /** Call on every edit of the composer: sends `typing` at most every 3 s, `false` when idle. */
  noteTyping(hasText: boolean): void {
    if (!hasText) {
      this.stopTyping();
      return;
    }
    const now = Date.now();
    if (now - this.typingSentAt >= TYPING_REFRESH_MS) {
      if (this.sendFrame({ type: "typing", typing: true })) this.typingSentAt = now;
    }
    if (this.typingIdleTimer) clearTimeout(this.typingIdleTimer);
    this.typingIdleTimer = setTimeout(() => this.stopTyping(), TYPING_IDLE_MS);
  }

  stopTyping(): void {
    if (this.typingIdleTimer) clearTimeout(this.typingIdleTimer);
    this.typingIdleTimer = null;
    if (!this.typingSentAt) return;
    this.typingSentAt = 0;
    this.sendFrame({ type: "typing", typing: false });
  }

  /** Loads the page of history before the oldest message shown. */
  async loadOlder(): Promise<void> {
    if (this.loadingOlder.value || !this.hasOlder.value || !this.historyLoaded.value) return;
    const oldest = this.messages.value[0];
    if (!oldest) {
      this.hasOlder.value = false;
      return;
    }
    this.loadingOlder.value = true;
    try {
      const page = await api.messages(this.roomId, { before: oldest.seq, limit: PAGE_SIZE });
      if (this.stopped) return;
      batch(() => {
        this.addMessages(page);
        if (page.length < PAGE_SIZE || page[0]?.seq === 1) this.hasOlder.value = false;
      });
    } catch (error) {
      this.historyError.value = describe(error);
    } finally {
      this.loadingOlder.value = false;
    }
  }

  /** Retries the first history load after a failure. */
  async reloadHistory(): Promise<void> {
    this.historyError.value = null;
    await this.loadNewest();
  }

  // ---- history -------------------------------------------------------------------------

  private async loadNewest(): Promise<void> {
    try {
      const page = await api.messages(this.roomId, { limit: PAGE_SIZE });
      if (this.stopped) return;
      batch(() => {
        this.addMessages(page);
        const newest = page[page.length - 1];
        if (newest && newest.seq > this.lastSeq) this.lastSeq = newest.seq;
        this.seqKnown = true;
        this.hasOlder.value = page.length >= PAGE_SIZE && page[0]?.seq !== 1;
        this.historyLoaded.value = true;
        this.historyError.value = null;
      });
      this.scheduleMarkRead();
    } catch (error) {
      if (error instanceof ApiError && (error.status === 403 || error.status === 404)) {
        this.close(error.message);
        return;
      }
      this.historyError.value = describe(error);
    }
  }

  private addMessages(list: Message[]): void {
    let changed = false;
    for (const message of list) {
      const known = this.bySeq.get(message.seq);
      if (known && known.clientId === message.clientId && known.body === message.body) continue;
      this.bySeq.set(message.seq, message);
      changed = true;
    }
    if (!changed) return;
    this.messages.value = [...this.bySeq.values()].sort((a, b) => a.seq - b.seq);
  }

  // ---- socket --------------------------------------------------------------------------

  private connect(): void {
    const socket = new ReconnectingWebSocket(() => this.socketUrl(), () => this.socketProtocols(), {
      minReconnectionDelay: 500,
      reconnectionDelayGrowFactor: 2,
      maxReconnectionDelay: 10_000,
      connectionTimeout: 8_000,
      // Sends wait in `pending` and go out after `synced`, never from partysocket's queue.
      maxEnqueuedMessages: 0,
      // 1008: removed from the room. Reconnecting cannot help.
      shouldReconnectOnClose: (event) => event.code !== 1008,
    });
    socket.addEventListener("open", () => (this.lastAttemptOpened = true));
    socket.addEventListener("message", (event) => this.onFrame(event.data));
    socket.addEventListener("close", (event) => this.onClose(event.code));
    this.socket = socket;
  }

  /** Whether the current attempt asked for a replay (`since`): its `synced` brings us online. */
  private askedSince = false;
  /** Did the last connection attempt open? If not, the next one asks for a ticket (see above). */
  private lastAttemptOpened = true;
  private viaTicket = false;

  /** Called by partysocket right before `socketProtocols`, once per attempt. */
  private async socketUrl(): Promise<string> {
    this.viaTicket = !this.lastAttemptOpened;
    this.lastAttemptOpened = false;
    const query = new URLSearchParams();
    if (this.viaTicket) {
      try {
        const { ticket } = await api.ticket(this.roomId);
        query.set("ticket", ticket);
      } catch (error) {
        if (
          error instanceof ApiError &&
          (error.status === 401 || error.status === 403 || error.status === 404)
        ) {
          this.close(error.message);
        }
        throw error;
      }
    }
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    this.askedSince = this.seqKnown;
    if (this.askedSince) query.set("since", String(this.lastSeq));
    return `${scheme}//${location.host}/api/rooms/${encodeURIComponent(this.roomId)}/ws?${query}`;
  }

  private socketProtocols(): string[] | null {
    const sessionToken = token.value;
    return this.viaTicket || !sessionToken ? null : [SUBPROTOCOL, `${BEARER_PREFIX}${sessionToken}`];
  }

  private onClose(code: number): void {
    this.stopHeartbeat();
    if (this.stopped || this.state.value === "closed") return;
    if (code === 1008) {
      this.close("You are no longer a member of this room.");
      return;
    }
    batch(() => {
      this.state.value = this.everOnline ? "reconnecting" : "connecting";
      this.online.value = [];
      this.clearTypists();
    });
  }

  private close(reason: string): void {
    batch(() => {
      this.state.value = "closed";
      this.closedReason.value = reason;
      this.online.value = [];
    });
    this.socket?.close(1000);
    this.stopHeartbeat();
  }

  private onFrame(data: unknown): void {
    if (typeof data !== "string") return;
    let frame: ServerFrame;
    try {
      frame = JSON.parse(data) as ServerFrame;
    } catch {
      return;
    }
    this.alive();
    switch (frame.type) {
      case "hello":
        return this.onHello(frame);
      case "message":
        return this.onMessage(normalizeMessage(frame.message));
      case "synced":
        return this.goOnline();
      case "ack":
        return this.onAck(frame);
      case "typing":
        return this.onTyping(frame);
      case "presence":
        this.online.value = frame.online;
        return;
      case "call":
        batch(() => {
          this.call.value = frame.participants;
          if (frame.ringing) this.ringingAt.value = Date.now();
          else if (frame.participants.length === 0) this.ringingAt.value = 0;
        });
        return;
      case "pong":
        return;
      case "error":
        return this.onError(frame);
    }
  }

  private onHello(frame: Extract<ServerFrame, { type: "hello" }>): void {
    // A socket counts as visible until told otherwise.
    if (document.visibilityState === "hidden") this.reportVisibility();
    this.online.value = frame.online;
    this.call.value = frame.call ?? [];
    // We asked for a replay (`since`): online once `synced` arrives.
    if (this.askedSince) return;
    if (this.seqKnown && frame.lastSeq > this.lastSeq) {
      // The history page arrived (a retry) while this socket was opening without `since`:
      // open again with it, so that nothing between the page and the socket is skipped.
      this.socket?.reconnect();
      return;
    }
    // No history page (it failed), or nothing after it: live from the room's newest message.
    this.lastSeq = Math.max(this.lastSeq, frame.lastSeq);
    this.seqKnown = true;
    this.goOnline();
  }

  private goOnline(): void {
    this.state.value = "online";
    this.everOnline = true;
    this.startHeartbeat();
    for (const message of this.pending.value) {
      if (!message.failed) this.transmit(message);
    }
  }

  private onMessage(message: Message): void {
    // A stale socket racing a new one: drop what we already have (protocol §4.4).
    if (message.seq <= this.lastSeq) return;
    this.receive(message);
  }

  private onAck(frame: Extract<ServerFrame, { type: "ack" }>): void {
    // The sending socket gets its own message here, not as a `message` frame (protocol §2);
    // frames arrive in seq order, so everything before it has arrived too. A duplicate's
    // message may be older than lastSeq: it still settles the pending entry.
    this.receive(normalizeMessage(frame.message));
  }

  /** A stored message reached this socket: show it, settle it if it is ours, note the activity. */
  private receive(message: Message): void {
    if (message.seq > this.lastSeq) this.lastSeq = message.seq;
    batch(() => {
      this.addMessages([message]);
      if (message.userId === this.me.id) this.settle(message.clientId);
      this.removeTypist(message.userId);
    });
    noteActivity(this.roomId, message.seq, message.ts);
    this.scheduleMarkRead();
  }

  private onError(frame: Extract<ServerFrame, { type: "error" }>): void {
    const { clientId } = frame;
    if (!clientId) {
      console.warn("hearth: server refused a frame", frame.code, frame.message);
      return;
    }
    if (frame.code === "rate_limited" || frame.code === "internal") {
      const delay = frame.retryAfterMs ?? 1_000;
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        const message = this.pending.value.find((p) => p.clientId === clientId);
        if (message && this.state.value === "online") this.transmit(message);
      }, delay);
      this.timers.add(timer);
      return;
    }
    this.updatePending(clientId, { failed: frame.message || frame.code });
  }

  private onTyping(frame: Extract<ServerFrame, { type: "typing" }>): void {
    if (frame.userId === this.me.id) return;
    if (!frame.typing) {
      this.removeTypist(frame.userId);
      return;
    }
    const previous = this.typingTimers.get(frame.userId);
    if (previous) clearTimeout(previous);
    this.typingTimers.set(
      frame.userId,
      setTimeout(() => this.removeTypist(frame.userId), TYPING_EXPIRY_MS),
    );
    if (!this.typists.value.some((t) => t.userId === frame.userId)) {
      this.typists.value = [
        ...this.typists.value,
        { userId: frame.userId, username: frame.username },
      ];
    }
  }

  private removeTypist(userId: string): void {
    const timer = this.typingTimers.get(userId);
    if (timer) clearTimeout(timer);
    this.typingTimers.delete(userId);
    if (this.typists.value.some((t) => t.userId === userId)) {
      this.typists.value = this.typists.value.filter((t) => t.userId !== userId);
    }
  }

  private clearTypists(): void {
    for (const timer of this.typingTimers.values()) clearTimeout(timer);
    this.typingTimers.clear();
    this.typists.value = [];
  }

  private transmit(message: PendingMessage): void {
    const { clientId, body, kind, attachment } = message;
    this.sendFrame(
      kind && attachment
        ? { type: "send", clientId, body, kind, attachment }
        : { type: "send", clientId, body },
    );
  }

  private sendFrame(frame: ClientFrame): boolean {
    const socket = this.socket;
    if (!socket || socket.readyState !== WebSocket.OPEN) return false;
    return socket.send(JSON.stringify(frame));
  }

  /** Takes a message off the outbox (stored, or discarded) and frees its preview. */
  private settle(clientId: string): void {
    const gone = this.pending.value.find((p) => p.clientId === clientId);
    if (!gone) return;
    this.pending.value = this.pending.value.filter((p) => p !== gone);
    if (gone.local?.previewUrl) URL.revokeObjectURL(gone.local.previewUrl);
  }

  private updatePending(clientId: string, patch: Partial<PendingMessage>): void {
    this.pending.value = this.pending.value.map((p) =>
      p.clientId === clientId ? { ...p, ...patch } : p,
    );
  }

  // ---- heartbeat: notice a dead connection the browser has not reported yet ------------

  private startHeartbeat(): void {
    this.stopHeartbeat();
    this.pingTimer = setInterval(() => {
      if (!this.sendFrame({ type: "ping" })) return;
      if (this.pongDeadline) return;
      this.pongDeadline = setTimeout(() => {
        this.pongDeadline = null;
        this.socket?.reconnect(4000, "heartbeat timeout");
      }, PONG_TIMEOUT_MS);
    }, PING_EVERY_MS);
  }

  private alive(): void {
    if (this.pongDeadline) clearTimeout(this.pongDeadline);
    this.pongDeadline = null;
  }

  private stopHeartbeat(): void {
    if (this.pingTimer) clearInterval(this.pingTimer);
    this.pingTimer = null;
    this.alive();
  }

  private readonly onNetworkBack = () => {
    if (this.state.value === "reconnecting" || this.state.value === "connecting") {
      this.socket?.reconnect();
    }
  };

  // ---- read marker ---------------------------------------------------------------------

  private readonly onVisibility = () => {
    this.reportVisibility();
    this.scheduleMarkRead();
  };

  /** Tells the room whether this page is in the background: away users get web pushes. */
  private reportVisibility(): void {
    this.sendFrame({ type: "visibility", hidden: document.visibilityState === "hidden" });
  }

  /** Tells the server what has been seen, debounced, only while the page is visible. */
  private scheduleMarkRead(): void {
    if (this.markReadTimer || document.visibilityState !== "visible") return;
    this.markReadTimer = setTimeout(() => this.markRead(), MARK_READ_DELAY_MS);
  }

  private markRead(): void {
    if (this.markReadTimer) clearTimeout(this.markReadTimer);
    this.markReadTimer = null;
    if (this.stopped || document.visibilityState !== "visible") return;
    const newest = this.messages.value[this.messages.value.length - 1];
    if (!newest || newest.seq <= this.lastMarkedSeq) return;
    this.lastMarkedSeq = newest.seq;
    api.markRead(this.roomId, newest.seq).catch(() => {
      this.lastMarkedSeq = 0;
    });
  }
}

function describe(error: unknown): string {
  return error instanceof ApiError ? error.message : "Something went wrong.";
}
