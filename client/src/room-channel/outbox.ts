/**
 * Messages typed here that the server has not acknowledged yet, keyed by clientId. They are
 * sent when live, resent with the same clientId after every reconnect (so each is stored
 * exactly once), retried after a rate limit, and settled by the server's ack. They are kept in
 * IndexedDB too (offline/queue.ts): written offline, they go out, in order, once the room is
 * live again, also after a reload.
 */
import type { Signal } from "@preact/signals";
import type { Disposables } from "../disposables";
import type { Attachment, AttachmentRef, ClientFrame, MediaKind, ReplyRef, ServerFrame } from "../types";
import { humanError } from "../errors";
import { keepQueue } from "../offline/queue";
import { perRoom } from "./per-room";

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
  /** The message it answers, quoted as it was when the reply was written. */
  replyTo?: ReplyRef;
}

/** A message as kept across reloads: without its preview's blob URL, which dies with the page. */
function storable(message: PendingMessage): PendingMessage {
  if (!message.local?.previewUrl) return message;
  const { previewUrl: _, ...local } = message.local;
  return { ...message, local };
}

/** Messages sent but not yet acknowledged, per user and room (they outlive a room's channel and the page). */
const store = perRoom<PendingMessage>((list, userId, roomId) => keepQueue("outbox", userId, roomId, list, storable));

let clientIdCounter = 0;
export function newClientId(): string {
  const random =
    typeof crypto.randomUUID === "function"
      ? crypto.randomUUID()
      : `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
  return `c-${random}-${(clientIdCounter++).toString(36)}`;
}

/**
 * When to send a refused frame again under the same clientId: after `retryAfterMs` for a rate
 * limit, a second for a server failure; null when retrying cannot help.
 */
export function retryDelay(frame: Extract<ServerFrame, { type: "error" }>): number | null {
  if (frame.code === "rate_limited" || frame.code === "internal") return frame.retryAfterMs ?? 1_000;
  return null;
}

export interface OutboxHost {
  readonly owner: Disposables;
  isLive(): boolean;
  send(frame: ClientFrame): boolean;
}

export class Outbox {
  /** This user's unacknowledged messages in this room (kept across channels and reloads). */
  readonly pending: Signal<PendingMessage[]>;
  /** Resolves once the messages kept by earlier pages are in `pending`. */
  readonly ready: Promise<void>;
  /** Until then nothing is sent: the kept ones go first. */
  private loaded = false;

  constructor(
    private readonly host: OutboxHost,
    userId: string,
    roomId: string,
  ) {
    const { list, ready } = store(userId, roomId);
    this.pending = list;
    this.ready = ready.then(() => void (this.loaded = true));
  }

  /** Adds a message; `beforeSend` runs between queueing and sending it (the typing stop). */
  queue(message: PendingMessage, beforeSend: () => void): void {
    this.pending.value = [...this.pending.value, message];
    beforeSend();
    if (this.loaded && this.host.isLive()) this.transmit(message);
  }

  /** Sends a refused message again (same clientId). */
  retry(clientId: string): void {
    const message = this.pending.value.find((p) => p.clientId === clientId);
    if (!message) return;
    this.update(clientId, { failed: undefined });
    if (this.loaded && this.host.isLive()) this.transmit(message);
  }

  /** Live (again): everything not refused for good goes out, in order, with its original clientId. */
  flush(): void {
    if (!this.loaded) return;
    for (const message of this.pending.value) {
      if (!message.failed) this.transmit(message);
    }
  }

  /** Takes a message off the outbox (stored, or discarded) and frees its preview. */
  settle(clientId: string): void {
    const gone = this.pending.value.find((p) => p.clientId === clientId);
    if (!gone) return;
    this.pending.value = this.pending.value.filter((p) => p !== gone);
    if (gone.local?.previewUrl) URL.revokeObjectURL(gone.local.previewUrl);
  }

  /** The server refused a frame: retry later if it is a passing problem, else mark it failed. */
  onError(frame: Extract<ServerFrame, { type: "error" }>): void {
    const { clientId } = frame;
    if (!clientId) {
      console.warn("hearth: server refused a frame", frame.code, frame.message);
      return;
    }
    const delay = retryDelay(frame);
    if (delay !== null) {
      this.host.owner.timeout(() => {
        const message = this.pending.value.find((p) => p.clientId === clientId);
        if (message && this.host.isLive()) this.transmit(message);
      }, delay);
      return;
    }
    this.update(clientId, { failed: humanError(frame.code, frame.message || frame.code) });
  }

  private transmit(message: PendingMessage): void {
    const { clientId, body, kind, attachment, replyTo } = message;
    const reply = replyTo ? { replyTo: replyTo.seq } : {};
    this.host.send(
      kind && attachment
        ? { type: "send", clientId, body, kind, attachment, ...reply }
        : { type: "send", clientId, body, ...reply },
    );
  }

  private update(clientId: string, patch: Partial<PendingMessage>): void {
    this.pending.value = this.pending.value.map((p) =>
      p.clientId === clientId ? { ...p, ...patch } : p,
    );
  }
}
