/**
 * Who has read how far in the open room, and under which message each reader shows: the
 * members' `lastReadSeq` from `GET /api/rooms/{id}` (the starting point), raised by the `read`
 * frames the room's socket hears (docs/protocol.md "Read receipts").
 */
import { computed, type ReadonlySignal } from "@preact/signals";
import type { RoomChannel } from "../room-channel";
import { rooms } from "../rooms";
import type { Member, Message } from "../types";
import { receiptsOn } from "./setting";

export interface Reader {
  id: string;
  username: string;
}

/** The readers shown under one message; a DM's "Seen" when `dm`. */
export interface Receipt {
  dm: boolean;
  readers: Reader[];
}

/**
 * Where each reader shows: under the newest loaded message at or below how far they have read,
 * each reader once, never me. In a DM only my own messages (still standing) carry a "Seen".
 * A reader past the loaded messages while newer ones are not loaded (a jump's page) is left
 * out: where they are is not on screen.
 *
 * @example
 * placeReaders(messages, new Map([["u_b", 42]]), names, "u_a", { dm: true, complete: true })
 * // Map { 41 => [{ id: "u_b", username: "bob" }] } when 41 is my newest message at or below 42
 */
export function placeReaders(
  messages: readonly Message[],
  reads: ReadonlyMap<string, number>,
  names: ReadonlyMap<string, string>,
  myId: string,
  { dm, complete }: { dm: boolean; complete: boolean },
): Map<number, Reader[]> {
  const bySeq = new Map<number, Reader[]>();
  const shown = dm ? messages.filter((m) => m.userId === myId && !m.deleted) : messages;
  const newest = messages[messages.length - 1]?.seq ?? 0;
  for (const [id, seq] of reads) {
    if (id === myId || (!complete && seq > newest)) continue;
    const at = shown.findLast((m) => m.seq <= seq);
    if (!at) continue;
    const readers = bySeq.get(at.seq) ?? [];
    readers.push({ id, username: names.get(id) ?? "someone" });
    bySeq.set(at.seq, readers);
  }
  for (const readers of bySeq.values()) readers.sort((a, b) => a.username.localeCompare(b.username));
  return bySeq;
}

/** The read receipts of one room screen: empty while my own receipts are off. */
export class RoomReceipts {
  /** Message seq → who shows under it. */
  readonly bySeq = computed(() => {
    if (!receiptsOn.value) return new Map<number, Reader[]>();
    const reads = new Map<string, number>();
    for (const m of this.members.value) if (m.lastReadSeq !== undefined) reads.set(m.id, m.lastReadSeq);
    // The live receipts on top: a read marker only moves forward.
    for (const [id, seq] of Object.entries(this.channel.reads.value)) reads.set(id, Math.max(seq, reads.get(id) ?? 0));
    return placeReaders(this.channel.messages.value, reads, this.names.value, this.channel.me.id, {
      dm: this.dm.value,
      complete: !this.channel.hasNewer.value,
    });
  });

  private readonly dm = computed(() => rooms.value.find((r) => r.id === this.channel.roomId)?.visibility === "dm");

  /**
   * `members`: the room's members as its details list them (with `lastReadSeq` when shown);
   * `names`: usernames by user id.
   */
  constructor(
    private readonly channel: RoomChannel,
    private readonly members: ReadonlySignal<Member[]>,
    private readonly names: ReadonlySignal<ReadonlyMap<string, string>>,
  ) {}

  /** What shows under the message `seq`; null: nothing. */
  at(seq: number): Receipt | null {
    const readers = this.bySeq.value.get(seq);
    return readers ? { dm: this.dm.value, readers } : null;
  }
}
