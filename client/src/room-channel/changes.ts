/**
 * Changes this user asked for (edit, delete, reaction) that the server has not answered yet,
 * keyed by clientId, like the outbox's messages: sent when live, resent with the same clientId
 * after every reconnect (a retried clientId gets the same answer, so each is applied once),
 * retried after a rate limit, settled by their `ack`, or dropped on a refusal, which the screen
 * shows as a sentence. Meanwhile the screen shows them applied (overlay.ts). Like messages,
 * they are kept in IndexedDB until answered (offline/queue.ts).
 */
import type { Signal } from "@preact/signals";
import type { Disposables } from "../disposables";
import { humanError } from "../errors";
import { keepQueue } from "../offline/queue";
import type { ClientFrame, ServerFrame } from "../types";
import { newClientId, retryDelay } from "./outbox";
import type { ChangeAsk, PendingChange } from "./overlay";
import { perRoom } from "./per-room";

export type { ChangeAsk, PendingChange } from "./overlay";

/** Changes asked but not answered, per user and room (they outlive a room's channel and the page). */
const store = perRoom<PendingChange>((list, userId, roomId) => keepQueue("changes", userId, roomId, list));

export interface ChangesHost {
  readonly owner: Disposables;
  isLive(): boolean;
  send(frame: ClientFrame): boolean;
  /** A change was refused for good: tell the user why (a sentence). */
  notify(text: string): void;
}

export class Changes {
  /** This user's unanswered changes in this room, in the order asked. */
  readonly pending: Signal<PendingChange[]>;
  /** Resolves once the changes kept by earlier pages are in `pending`. */
  readonly ready: Promise<void>;
  /** Until then nothing is sent: the kept ones go first. */
  private loaded = false;

  constructor(
    private readonly host: ChangesHost,
    userId: string,
    roomId: string,
  ) {
    const { list, ready } = store(userId, roomId);
    this.pending = list;
    this.ready = ready.then(() => void (this.loaded = true));
  }

  /** Asks for a change: sent now if live, or as soon as the socket is. */
  ask(change: ChangeAsk): void {
    const pending: PendingChange = { ...change, clientId: newClientId(), ts: Date.now() };
    this.pending.value = [...this.pending.value, pending];
    if (this.loaded && this.host.isLive()) this.transmit(pending);
  }

  /** Live (again): every unanswered change goes out, in order, with its original clientId. */
  flush(): void {
    if (!this.loaded) return;
    for (const change of this.pending.value) this.transmit(change);
  }

  /** Whether `clientId` is one of these changes' (an `ack` under it answers a change, not a message). */
  owns(clientId: string): boolean {
    return this.pending.value.some((change) => change.clientId === clientId);
  }

  /** Takes a change off the list (answered). */
  settle(clientId: string): void {
    this.pending.value = this.pending.value.filter((change) => change.clientId !== clientId);
  }

  /** An `error` arrived: true when it is about one of these changes (retried later, or dropped and told). */
  onError(frame: Extract<ServerFrame, { type: "error" }>): boolean {
    const { clientId } = frame;
    const change = this.pending.value.find((c) => c.clientId === clientId);
    if (!change) return false;
    const delay = retryDelay(frame);
    if (delay === null) {
      this.settle(change.clientId);
      this.host.notify(humanError(frame.code, frame.message || frame.code));
      return true;
    }
    this.host.owner.timeout(() => {
      if (this.pending.value.includes(change) && this.host.isLive()) this.transmit(change);
    }, delay);
    return true;
  }

  private transmit(change: PendingChange): void {
    const { clientId, seq } = change;
    switch (change.op) {
      case "edit":
        this.host.send({ type: "edit", clientId, seq, body: change.body });
        return;
      case "delete":
        this.host.send({ type: "delete", clientId, seq });
        return;
      case "react":
        this.host.send({ type: "react", clientId, seq, emoji: change.emoji, on: change.on });
        return;
    }
  }
}
