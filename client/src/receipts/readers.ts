/**
 * Who has read how far in the open room, and under which message each reader shows: the
 * members' `lastReadSeq` from `GET /api/rooms/{id}` (the starting point), raised by the `read`
 * frames the room's socket hears (docs/protocol.md "Read receipts").
 */
import { computed, type ReadonlySignal } from "@preact/signals";
import type { RoomChannel } from "../room-channel";
import { rooms } from "../rooms";
import type { Member } from "../types";
import { placeReaders, type Reader, type Receipt } from "./placement";
import { receiptsOn } from "./setting";

export type { Reader, Receipt } from "./placement";

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
