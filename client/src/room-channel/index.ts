/**
 * Everything about one open room, as the room screen uses it: its history (REST), its live
 * socket (docs/protocol.md), messages waiting for an ack, who is online and who is typing.
 * Each concern is a part in this folder that owns its own state; this class wires them
 * together, routes the server's frames to them, and frees everything they own in `stop()`.
 */
import { batch, computed } from "@preact/signals";
import { normalizeMessage } from "../api";
import { assertNever } from "../assert-never";
import { Disposables } from "../disposables";
import { noteActivity } from "../rooms";
import type { AttachmentRef, MediaKind, Message, ServerFrame, User } from "../types";
import { Connection } from "./connection";
import { History } from "./history";
import { newClientId, Outbox, type PendingMessage } from "./outbox";
import { connectionStateOf } from "./phase";
import { Presence } from "./presence";
import { ReadMarker } from "./read-marker";
import { Typing } from "./typing";

export type { ConnectionState, Phase } from "./phase";
export type { PendingMessage } from "./outbox";
export type { Typist } from "./typing";

export class RoomChannel {
  private readonly owner = new Disposables();
  private readonly connection: Connection;
  private readonly history: History;
  private readonly outbox: Outbox;
  private readonly typing: Typing;
  private readonly readMarker: ReadMarker;
  private readonly presence = new Presence();

  constructor(
    readonly roomId: string,
    readonly me: User,
  ) {
    const { owner } = this;
    const send = (frame: Parameters<Connection["send"]>[0]) => this.connection.send(frame);
    const isStopped = () => this.phase.value.kind === "stopped";
    this.history = new History({
      roomId,
      isStopped,
      close: (reason) => this.connection.close(reason),
      onNewest: () => this.readMarker.schedule(),
    });
    this.connection = new Connection({
      roomId,
      owner,
      resumePoint: () => this.history.resumePoint(),
      adopt: (lastSeq) => this.history.adopt(lastSeq),
      onFrame: (frame) => this.onFrame(frame),
      onDown: (how) =>
        batch(() => {
          this.presence.online.value = [];
          if (how === "lost") this.typing.clear();
        }),
      onLive: () => this.outbox.flush(),
    });
    this.outbox = new Outbox({ owner, send, isLive: () => this.phase.value.kind === "live" }, me.id, roomId);
    this.typing = new Typing({ owner, send, myId: me.id });
    this.readMarker = new ReadMarker({ roomId, owner, send, isStopped, newestSeq: () => this.history.newestSeq() });
  }

  // ---- what the room screen reads --------------------------------------------------------

  get phase() {
    return this.connection.phase;
  }
  readonly state = computed(() => connectionStateOf(this.phase.value));
  /** Why the room was closed for good (state "closed"). */
  readonly closedReason = computed(() => {
    const phase = this.phase.value;
    return phase.kind === "closed" ? phase.reason : null;
  });
  get messages() {
    return this.history.messages;
  }
  get historyError() {
    return this.history.error;
  }
  get historyLoaded() {
    return this.history.loaded;
  }
  get hasOlder() {
    return this.history.hasOlder;
  }
  get loadingOlder() {
    return this.history.loadingOlder;
  }
  /** This user's unacknowledged messages in this room (kept across channels). */
  get pending() {
    return this.outbox.pending;
  }
  get online() {
    return this.presence.online;
  }
  get call() {
    return this.presence.call;
  }
  get ringingAt() {
    return this.presence.ringingAt;
  }
  get typists() {
    return this.typing.typists;
  }

  // ---- what the room screen does ---------------------------------------------------------

  /** Loads the newest page of history, then opens the socket. */
  async start(): Promise<void> {
    this.readMarker.watch();
    await this.history.loadNewest();
    this.connection.open();
  }

  stop(): void {
    this.readMarker.flush();
    this.typing.farewell();
    this.connection.stop();
    this.owner.dispose();
  }

  /** Queues a message; it is sent now if live, or as soon as the socket is. */
  send(text: string): void {
    const body = text.trim();
    if (!body) return;
    this.outbox.queue({ clientId: newClientId(), body, ts: Date.now() }, () => this.typing.stop());
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
    const message = { clientId: newClientId(), body: caption.trim(), ts: Date.now(), kind, attachment, local };
    this.outbox.queue(message, () => this.typing.stop());
  }

  /** Sends a refused message again (same clientId). */
  retry(clientId: string): void {
    this.outbox.retry(clientId);
  }

  discard(clientId: string): void {
    this.outbox.settle(clientId);
  }

  /** Call on every edit of the composer: sends `typing` at most every 3 s, `false` when idle. */
  noteTyping(hasText: boolean): void {
    this.typing.note(hasText);
  }

  stopTyping(): void {
    this.typing.stop();
  }

  loadOlder(): Promise<void> {
    return this.history.loadOlder();
  }

  /** Retries the first history load after a failure. */
  async reloadHistory(): Promise<void> {
    this.history.error.value = null;
    await this.history.loadNewest();
  }

  // ---- frames ----------------------------------------------------------------------------

  /** One handler per frame type; frames of unknown types never get here (frames.ts). */
  private onFrame(frame: ServerFrame): void {
    switch (frame.type) {
      case "hello":
        this.readMarker.onHello();
        this.presence.onHello(frame);
        return this.connection.onHello(frame.lastSeq);
      case "message":
        return this.onMessage(normalizeMessage(frame.message));
      case "synced":
        return this.connection.onSynced();
      case "ack":
        // The sending socket gets its own message here, not as a `message` frame (protocol §2);
        // frames arrive in seq order, so everything before it has arrived too. A duplicate's
        // message may be older than the resume point: it still settles the pending entry.
        return this.receive(normalizeMessage(frame.message));
      case "typing":
        return this.typing.onFrame(frame);
      case "presence":
        this.presence.online.value = frame.online;
        return;
      case "call":
        return this.presence.onCall(frame);
      case "pong":
        return;
      case "error":
        return this.outbox.onError(frame);
      default:
        return assertNever(frame, "server frame");
    }
  }

  private onMessage(message: Message): void {
    // A stale socket racing a new one: drop what we already have (protocol §4.4).
    if (this.history.isStale(message.seq)) return;
    this.receive(message);
  }

  /** A stored message reached this socket: show it, settle it if it is ours, note the activity. */
  private receive(message: Message): void {
    this.history.advance(message.seq);
    batch(() => {
      this.history.add([message]);
      if (message.userId === this.me.id) this.outbox.settle(message.clientId);
      this.typing.remove(message.userId);
    });
    noteActivity(this.roomId, message.seq, message.ts);
    this.readMarker.schedule();
  }
}
