/**
 * A big room's stream to one shard when calls fail (worker/room/shard-fanout.ts): the entries
 * of a call that failed MAX_TRIES times are lost, so the shard must close its sockets (1011,
 * they reconnect with `since`) before it gets anything later; nothing reaches it out of order,
 * and a shard that stays unreachable does not keep the stream busy forever.
 */
import { describe, expect, it } from "vitest";
import { ShardFanout } from "../../worker/room/shard-fanout";
import type { ShardEntry } from "../../worker/room/shard-entries";

const to = (n: number): ShardEntry => ({ op: "to", sid: "s1", text: `frame ${n}` });

/** A fan-out to shard 0 whose deliver fails `failures` times, then records what it gets. */
function fanout(failures: number) {
  const got: ShardEntry[][] = [];
  let calls = 0;
  const host = {
    live: () => [0],
    async deliver(_k: number, batch: ShardEntry[]) {
      calls += 1;
      if (calls <= failures) throw new Error("shard unreachable");
      got.push(batch);
    },
  };
  const idle = () => new Promise<void>((ok) => setTimeout(ok, 20));
  return { f: new ShardFanout(host), got, calls: () => calls, idle };
}

describe("a shard's stream when calls fail", () => {
  it("retries a failed call: the entries arrive once, in order, with nothing else", async () => {
    const t = fanout(2);
    t.f.to(0, to(1));
    await t.idle();
    expect(t.got).toEqual([[to(1)]]);
  });

  it("after three failed calls, closes the shard's sockets (1011) before anything later reaches it", async () => {
    const t = fanout(3);
    t.f.to(0, to(1)); // lost: tried three times
    t.f.to(0, to(2)); // queued behind it
    await t.idle();
    const all = t.got.flat();
    expect(all[0]).toMatchObject({ op: "closeAll", code: 1011 });
    expect(all.slice(1)).toEqual([to(2)]);
    expect(all).not.toContainEqual(to(1));
  });

  it("keeps the resync for a shard that stays unreachable until a call reaches it", async () => {
    const t = fanout(6); // entry 1's three tries, then entry 2's (with the RESYNC before it)
    t.f.to(0, to(1));
    await t.idle();
    expect(t.calls()).toBe(3);
    t.f.to(0, to(2));
    await t.idle();
    expect(t.calls()).toBe(6);
    expect(t.got).toEqual([]);
    // The shard answers again: its sockets may have missed entries 1 and 2, so they are closed first.
    t.f.to(0, to(3));
    await t.idle();
    expect(t.got.flat()[0]).toMatchObject({ op: "closeAll", code: 1011 });
    expect(t.got.flat().slice(1)).toEqual([to(3)]);
  });
});
