/**
 * Messages typed here that the server has not acknowledged yet, keyed by clientId. They are
 * sent when live, resent with the same clientId after every reconnect (so each is stored
 * exactly once), retried after a rate limit, and settled by the server's ack.
 */
import { signal, type Signal } from "@preact/signals";
import type { Disposables } from "../disposables";
import type { Attachment, AttachmentRef, ClientFrame, MediaKind, ServerFrame } from "../types";
import { humanError } from "../errors";

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

/**
 * Messages sent but not yet acknowledged, per user and room. They outlive a room's channel
 * (opening another room stops it), so a message queued while offline still goes out when its
 * room is opened again (in this tab, like the composer's drafts; not across a reload).
 */
const stores = new Map<string, Signal<PendingMessage[]>>();

function store(userId: string, roomId: string): Signal<PendingMessage[]> {
  const key = `${userId} ${roomId}`;
  let box = stores.get(key);
  if (!box) {
    box = signal<PendingMessage[]>([]);
    stores.set(key, box);
  }
  return box;
}

let clientIdCounter = 0;
export function newClientId(): string {
  const random =
    typeof crypto.randomUUID === "function"
      ? crypto.randomUUID()
      : `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
  return `c-${random}-${(clientIdCounter++).toString(36)}`;
}

export interface OutboxHost {
  readonly owner: Disposables;
  isLive(): boolean;
  send(frame: ClientFrame): boolean;
}

export class Outbox {
  /** This user's unacknowledged messages in this room (kept across channels). */
  readonly pending: Signal<PendingMessage[]>;

  constructor(
    private readonly host: OutboxHost,
    userId: string,
    roomId: string,
  ) {
    this.pending = store(userId, roomId);
  }

  /** Adds a message; `beforeSend` runs between queueing and sending it (the typing stop). */
  queue(message: PendingMessage, beforeSend: () => void): void {
    this.pending.value = [...this.pending.value, message];
    beforeSend();
    if (this.host.isLive()) this.transmit(message);
  }

  /** Sends a refused message again (same clientId). */
  retry(clientId: string): void {
    const message = this.pending.value.find((p) => p.clientId === clientId);
    if (!message) return;
    this.update(clientId, { failed: undefined });
    if (this.host.isLive()) this.transmit(message);
  }

  /** Live (again): everything not refused for good goes out, with its original clientId. */
  flush(): void {
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
    if (frame.code === "rate_limited" || frame.code === "internal") {
      this.host.owner.timeout(() => {
        const message = this.pending.value.find((p) => p.clientId === clientId);
        if (message && this.host.isLive()) this.transmit(message);
      }, frame.retryAfterMs ?? 1_000);
      return;
    }
    this.update(clientId, { failed: humanError(frame.code, frame.message || frame.code) });
  }

  private transmit(message: PendingMessage): void {
    const { clientId, body, kind, attachment } = message;
    this.host.send(
      kind && attachment
        ? { type: "send", clientId, body, kind, attachment }
        : { type: "send", clientId, body },
    );
  }

  private update(clientId: string, patch: Partial<PendingMessage>): void {
    this.pending.value = this.pending.value.map((p) =>
      p.clientId === clientId ? { ...p, ...patch } : p,
    );
  }
}
