/**
 * Everything about one open room, as the room screen uses it: its history (REST), its live
 * socket (docs/protocol.md), messages and changes (edit, delete, reactions) waiting for an ack,
 * who is online and who is typing, and the room's copy kept for offline use.
 * Each concern is a part in this folder that owns its own state; this class wires them
 * together, routes the server's frames to them, and frees everything they own in `stop()`.
 */
import { batch, computed, signal } from "@preact/signals";
import { normalizeMessage } from "../api";
import { assertNever } from "../assert-never";
import { Disposables } from "../disposables";
import { RoomCopy } from "../offline/room-copy";
import { noteReachable } from "../offline/status";
import { noteActivity } from "../rooms";
import type { AttachmentRef, MediaKind, Message, ReplyRef, ServerFrame, User } from "../types";
import { Changes } from "./changes";
import { Connection } from "./connection";
import { History } from "./history";
import { newClientId, Outbox, type PendingMessage } from "./outbox";
import { overlay } from "./overlay";
import { connectionStateOf } from "./phase";
import { Presence } from "./presence";
import { ReadMarker } from "./read-marker";
import { Typing } from "./typing";

export type { ConnectionState, Phase } from "./phase";
export type { Focus } from "./history";
export type { PendingMessage } from "./outbox";
export type { Typist } from "./typing";

export class RoomChannel {
  private readonly owner = new Disposables();
  private readonly connection: Connection;
  private readonly history: History;
  private readonly outbox: Outbox;
  private readonly changes: Changes;
  private readonly typing: Typing;
  private readonly readMarker: ReadMarker;
  private readonly presence = new Presence();
  private readonly copy: RoomCopy;
  /** The first load of the newest page (settles, failed or not); resolved before `start`. */
  private firstPage: Promise<void> = Promise.resolve();

  constructor(
    readonly roomId: string,
    readonly me: User,
  ) {
    const { owner } = this;
    const send = (frame: Parameters<Connection["send"]>[0]) => this.connection.send(frame);
    const isStopped = () => this.phase.value.kind === "stopped";
    const isLive = () => this.phase.value.kind === "live";
    const notify = (text: string) => (this.notice.value = text);
    this.history = new History({
      roomId,
      isStopped,
      close: (reason) => this.connection.close(reason),
      onNewest: () => this.readMarker.schedule(),
      notify,
      saved: () => this.copy.saved(),
    });
    this.copy = new RoomCopy({ owner, userId: me.id, roomId, newestPage: () => this.history.newestPage() });
    owner.add(this.history.messages.subscribe(() => this.copy.schedule()));
    this.connection = new Connection({
      roomId,
      owner,
      resumePoint: () => this.history.resumePoint(),
      changeResumePoint: () => this.history.changeResumePoint(),
      adopt: (lastSeq, lastChangeSeq) => this.history.adopt(lastSeq, lastChangeSeq),
      onFrame: (frame) => this.onFrame(frame),
      onDown: (how) =>
        batch(() => {
          this.presence.online.value = [];
          if (how === "lost") this.typing.clear();
          else this.copy.forget();
        }),
      onLive: () => {
        noteReachable();
        // What earlier pages kept goes out first, in order (offline/queue.ts).
        void Promise.all([this.outbox.ready, this.changes.ready]).then(() => {
          if (!isLive()) return;
          this.outbox.flush();
          this.changes.flush();
        });
      },
    });
    this.outbox = new Outbox({ owner, send, isLive }, me.id, roomId);
    this.changes = new Changes({ owner, send, isLive, notify }, me.id, roomId);
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
  /** Stored messages shown, oldest first, with this user's unanswered changes applied. */
  readonly messages = computed(() => overlay(this.history.messages.value, this.changes.pending.value, this.me.id));
  /** A short sentence about something that failed (a refused change, a failed jump); null: none. */
  readonly notice = signal<string | null>(null);
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
  /** The messages shown are a jump's page: newer ones can be paged toward, or jumped back to. */
  get detached() {
    return this.history.detached;
  }
  get hasNewer() {
    return this.history.hasNewer;
  }
  get loadingNewer() {
    return this.history.loadingNewer;
  }
  /** The message to bring into view (after a jump), or "latest". */
  get focus() {
    return this.history.focus;
  }
  /** This user's unacknowledged messages in this room (kept across channels). */
  get pending() {
    return this.outbox.pending;
  }
  get online() {
    return this.presence.online;
  }
  get onlineCount() {
    return this.presence.onlineCount;
  }
  get call() {
    return this.presence.call;
  }
  get ringingAt() {
    return this.presence.ringingAt;
  }
  /** Read receipts heard live: member id → the seq they have read up to. */
  get reads() {
    return this.presence.reads;
  }
  get typists() {
    return this.typing.typists;
  }

  // ---- what the room screen does ---------------------------------------------------------

  /** Loads the newest page of history, then opens the socket. */
  async start(): Promise<void> {
    this.readMarker.watch();
    this.firstPage = this.history.loadNewest();
    await this.firstPage;
    this.connection.open();
  }

  stop(): void {
    this.readMarker.flush();
    this.copy.flush();
    this.typing.farewell();
    this.connection.stop();
    this.owner.dispose();
  }

  /** Queues a message (a reply to `replyTo`, if given); it is sent now if live, or as soon as the socket is. */
  send(text: string, replyTo?: ReplyRef): void {
    const body = text.trim();
    if (!body) return;
    const reply = replyTo ? { replyTo } : {};
    this.outbox.queue({ clientId: newClientId(), body, ts: Date.now(), ...reply }, () => this.typing.stop());
  }

  /** Asks to change a message's body (or caption) to `text`. */
  edit(seq: number, text: string): void {
    this.changes.ask({ op: "edit", seq, body: text.trim() });
  }

  /** Asks to delete a message (mine, or anyone's in a room I own). */
  deleteMessage(seq: number): void {
    this.changes.ask({ op: "delete", seq });
  }

  /** Puts my `emoji` reaction on a message, or takes it off. */
  react(seq: number, emoji: string, on: boolean): void {
    this.changes.ask({ op: "react", seq, emoji, on });
  }

  /**
   * Queues a media message for an upload that has finished (docs/media.md §3); `caption` may
   * be empty. `local` describes the file for the "Sending…" line; `replyTo`, the message it answers.
   */
  sendMedia(
    kind: MediaKind,
    attachment: AttachmentRef,
    caption: string,
    local: NonNullable<PendingMessage["local"]>,
    replyTo?: ReplyRef,
  ): void {
    const reply = replyTo ? { replyTo } : {};
    const message = { clientId: newClientId(), body: caption.trim(), ts: Date.now(), kind, attachment, local, ...reply };
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

  loadNewer(): Promise<void> {
    return this.history.loadNewer();
  }

  /**
   * Shows message `seq`: scrolled to if loaded, else the page around it is loaded first. Asked
   * as the room opens (a link to a message), it waits for the newest page: the socket follows
   * that one, and the message may be on it.
   */
  async jumpTo(seq: number): Promise<void> {
    await this.firstPage;
    if (this.phase.value.kind !== "stopped") await this.history.jumpTo(seq);
  }

  /** Back to the newest messages. */
  jumpToLatest(): void {
    this.history.jumpToLatest();
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
        return this.connection.onHello(frame);
      case "message":
        return this.onMessage(normalizeMessage(frame.message));
      case "update":
        return this.onChanged(normalizeMessage(frame.message), frame.changeSeq);
      case "synced":
        // The replay is over: every change up to the room's newest has arrived.
        this.history.noteChange(frame.lastChangeSeq);
        return this.connection.onSynced();
      case "ack":
        // The answer to one of my changes carries that change's clientId and the message's new state.
        if (this.changes.owns(frame.clientId)) {
          return batch(() => {
            this.changes.settle(frame.clientId);
            this.onChanged(normalizeMessage(frame.message), frame.changeSeq);
          });
        }
        // The sending socket gets its own message here, not as a `message` frame (protocol §2);
        // frames arrive in seq order, so everything before it has arrived too. A duplicate's
        // message may be older than the resume point: it still settles the pending entry.
        return this.receive(normalizeMessage(frame.message));
      case "typing":
        return this.typing.onFrame(frame);
      case "presence":
        return batch(() => {
          this.presence.online.value = frame.online;
          this.presence.onlineCount.value = null;
        });
      case "presence_count":
        this.presence.onlineCount.value = frame.online;
        return;
      case "read":
        return this.presence.onRead(frame);
      case "call":
        return this.presence.onCall(frame);
      case "pong":
        return;
      case "error":
        if (this.changes.onError(frame)) return;
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

  /** A message changed (`update`, or the answer to my change): show its new state. */
  private onChanged(message: Message, changeSeq: number | undefined): void {
    this.history.noteChange(changeSeq);
    this.history.update(message);
  }

  /** A stored message reached this socket: show it, settle it if it is ours, note the activity. */
  private receive(message: Message): void {
    this.history.advance(message.seq);
    batch(() => {
      this.history.receive(message);
      if (message.userId === this.me.id) this.outbox.settle(message.clientId);
      this.typing.remove(message.userId);
    });
    noteActivity(this.roomId, message.seq, message.ts);
    this.readMarker.schedule();
  }
}
