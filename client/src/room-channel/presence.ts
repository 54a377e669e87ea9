/** Who is in the room right now: online users, the room's call (docs/calls.md), and how far members have read (read receipts). */
import { batch, signal } from "@preact/signals";
import type { CallParticipant, OnlineUser, ServerFrame } from "../types";

export class Presence {
  readonly online = signal<OnlineUser[]>([]);
  /** A big room's count of users online (`presence_count`, docs/protocol.md "Big rooms"), where `online` stays empty; null: a small room. */
  readonly onlineCount = signal<number | null>(null);
  /** Who is in the room's call; empty: no call. */
  readonly call = signal<CallParticipant[]>([]);
  /** When a call has just started here (a `call` frame with `ringing`); 0: none since. */
  readonly ringingAt = signal(0);
  /** Read receipts heard live on this socket: member id → the seq they have read up to (only ever grows). */
  readonly reads = signal<Record<string, number>>({});

  onHello(frame: Extract<ServerFrame, { type: "hello" }>): void {
    this.online.value = frame.online;
    this.onlineCount.value = frame.onlineCount ?? null;
    this.call.value = frame.call ?? [];
  }

  onRead(frame: Extract<ServerFrame, { type: "read" }>): void {
    if ((this.reads.value[frame.userId] ?? 0) >= frame.seq) return;
    this.reads.value = { ...this.reads.value, [frame.userId]: frame.seq };
  }

  onCall(frame: Extract<ServerFrame, { type: "call" }>): void {
    batch(() => {
      this.call.value = frame.participants;
      if (frame.ringing) this.ringingAt.value = Date.now();
      else if (frame.participants.length === 0) this.ringingAt.value = 0;
    });
  }
}
