/**
 * A shard's view of the room's stream (worker/room/stream-floors.ts): messages the stream
 * skipped (a batch lost on the way) are noticed by their seqs, and exactly the sockets whose
 * greeting is older than the skipped messages count as having missed them.
 */
import { describe, expect, it } from "vitest";
import { StreamFloors } from "../../worker/room/stream-floors";
import type { ShardEntry } from "../../worker/room/shard-entries";

/** Stand-ins for sockets: StreamFloors only uses them as keys. */
const socket = (name: string) => ({ name }) as unknown as WebSocket;
const message = (seq: number): ShardEntry => ({ op: "all", seq, text: `{"seq":${seq}}` });
const update = (changeSeq: number): ShardEntry => ({ op: "all", changeSeq, text: `{"changeSeq":${changeSeq}}` });
const greeting = (lastSeq: number) => ({ ok: true as const, frames: [], lastSeq, lastChangeSeq: 0 });

/** Takes `entry` as RoomShard.apply does: the skip check first, then the floors. */
function take(floors: StreamFloors, entry: ShardEntry): number | null {
  const lost = floors.skipped(entry as { seq?: number });
  floors.except(entry as { seq?: number });
  return lost;
}

describe("StreamFloors", () => {
  it("sees no loss in a stream without holes, in its first entry, or in a batch sent twice", () => {
    const floors = new StreamFloors();
    expect(take(floors, message(7))).toBeNull(); // a shard joins the stream anywhere
    expect(take(floors, message(8))).toBeNull();
    expect(take(floors, update(3))).toBeNull();
    expect(take(floors, message(9))).toBeNull();
    expect(take(floors, message(8))).toBeNull(); // sent again: dropped, not a loss
    expect(take(floors, update(9))).toBeNull(); // changes are not checked: their seqs may jump
  });

  it("keeps the sockets of a shard that left the roster and came back: greeted since, they hold what the jump skipped", () => {
    const floors = new StreamFloors();
    for (const seq of [1, 2, 3]) take(floors, message(seq));
    // The shard emptied and was out of the room's roster while messages 4-9 were stored; a
    // socket placed on it now is greeted with everything up to 9, then a reaction comes (its
    // floor gives way to the stream), then message 10.
    const fresh = socket("greeted with seq 9");
    floors.waiting(fresh);
    expect(floors.greeted(fresh, greeting(9))).toEqual([]);
    take(floors, update(1));
    expect(floors.skipped(message(10) as { seq: number })).toBe(9);
    expect(floors.holds(fresh, 9)).toBe(true);
  });

  it("names the skipped messages, and only sockets greeted before them missed them", () => {
    const floors = new StreamFloors();
    const old = socket("greeted long ago");
    const recent = socket("greeted with seq 6");
    const early = socket("waiting, greeting made before the loss");
    const late = socket("waiting, greeting made after the loss");
    floors.waiting(old);
    expect(floors.greeted(old, greeting(1))).toEqual([]);
    for (const seq of [2, 3, 4]) take(floors, message(seq));
    floors.waiting(recent);
    floors.waiting(early);
    floors.waiting(late);
    expect(floors.greeted(recent, greeting(6))).toEqual([]);
    // Messages 5 and 6 were lost on the way; 7 arrives (RoomShard asks before the floors take it).
    expect(floors.skipped(message(7) as { seq: number })).toBe(6);
    expect(floors.holds(old, 6)).toBe(false);
    expect(floors.holds(recent, 6)).toBe(true);
    floors.except(message(7) as { seq: number });
    // Waiting sockets are decided by their greeting.
    expect(floors.holds(early, 6)).toBe(true);
    expect(floors.greeted(early, greeting(4))).toBeNull();
    expect(floors.greeted(late, greeting(7))).toEqual([]);
    expect(take(floors, message(8))).toBeNull();
  });
});
