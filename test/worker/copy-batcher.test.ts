/**
 * The copy batcher (worker/copy/CopyBatcher.ts; issue 20 item 1): rooms' copies to D1 share
 * transactions. Rooms copying at the same time all reach D1, each row once with its own search
 * id, each room's `last_seq` raised; a copy repeated after it landed changes nothing; and a
 * batch that fails fails its callers without stopping the batches after it.
 */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { api, createRoom, signup, type TestUser } from "./helpers";

let counter = 0;
async function post(user: TestUser, roomId: string, body: string): Promise<void> {
  const res = await api(`/api/rooms/${roomId}/messages`, { token: user.token, body: { body, clientId: `cb${++counter}` } });
  expect(res.status, res.text).toBe(201);
}

interface D1Row {
  room_id: string;
  seq: number;
  body: string;
  search_id: number;
}

describe("the copy batcher", () => {
  it("copies several rooms flushing at once, each row once with its own search id, and raises each room's last_seq", async () => {
    const alice = await signup("copier");
    const rooms = await Promise.all([0, 1, 2].map(() => createRoom(alice)));
    for (const [i, room] of rooms.entries()) for (let n = 1; n <= 5 + i; n++) await post(alice, room.id, `room ${i} line ${n} pelican`);

    const flushed = await Promise.all(rooms.map((r) => env.ROOMS.getByName(r.id).flush()));
    expect(flushed).toEqual([5, 6, 7]);

    const ids = rooms.map((r) => r.id);
    const { results } = await env.DB.prepare(`SELECT room_id, seq, body, search_id FROM messages WHERE room_id IN (?, ?, ?) ORDER BY room_id, seq`)
      .bind(...ids)
      .all<D1Row>();
    expect(results.length).toBe(18);
    for (const [i, room] of rooms.entries()) {
      const mine = results.filter((r) => r.room_id === room.id);
      expect(mine.map((r) => r.seq)).toEqual(Array.from({ length: 5 + i }, (_, k) => k + 1));
      expect(mine.map((r) => r.body)).toEqual(Array.from({ length: 5 + i }, (_, k) => `room ${i} line ${k + 1} pelican`));
    }
    expect(new Set(results.map((r) => r.search_id)).size).toBe(18);
    const last = await env.DB.prepare("SELECT id, last_seq FROM rooms WHERE id IN (?, ?, ?)").bind(...ids).all<{ id: string; last_seq: number }>();
    expect(Object.fromEntries(last.results.map((r) => [r.id, r.last_seq]))).toEqual({ [ids[0]!]: 5, [ids[1]!]: 6, [ids[2]!]: 7 });

    // Indexed once each: a search finds every line, no more.
    const found = await api(`/api/search?q=pelican&limit=50`, { token: alice.token });
    expect(found.status).toBe(200);
    expect(found.json.hits.length).toBe(18);

    // A copy repeated (a room that retries a batch that did land) adds nothing.
    const row = [ids[0], 1, alice.id, alice.username, "text", "room 0 line 1 pelican", "cb-again", null, Date.now(), null, 0, "room 0 line 1 pelican"];
    await env.COPIER.getByName("global").copy([{ kind: "rows", json: JSON.stringify([row]), rows: 1 }]);
    const again = await env.DB.prepare("SELECT count(*) AS n FROM messages WHERE room_id = ?").bind(ids[0]).first<{ n: number }>();
    expect(again?.n).toBe(5);
    const refound = await api(`/api/search?q=pelican&limit=50`, { token: alice.token });
    expect(refound.json.hits.length).toBe(18);
  });

  it("writes a batch larger than one transaction as several, paced, every row once and each room's in order", async () => {
    const copier = env.COPIER.getByName("global");
    const user = await signup("copier");
    // 3 rooms × 250 rows: 750 rows, 3 transactions of at most 300 rows (COPY_TRANSACTION_ROWS)
    // with the batcher's pause after each (COPY_PACE), all handed over at once.
    const rooms = [0, 1, 2].map((i) => `paced-${i}-${crypto.randomUUID()}`);
    const part = (room: string) => {
      const rows = Array.from({ length: 250 }, (_, k) => [room, k + 1, user.id, user.username, "text", `line ${k + 1}`, `p${k}`, null, Date.now(), null, 0, `line ${k + 1}`]);
      return { kind: "rows" as const, json: JSON.stringify(rows), rows: rows.length };
    };
    await Promise.all(rooms.map((r) => copier.copy([part(r)])));

    for (const room of rooms) {
      const { results } = await env.DB.prepare("SELECT seq, search_id FROM messages WHERE room_id = ? ORDER BY seq").bind(room).all<{ seq: number; search_id: number }>();
      expect(results.map((r) => r.seq)).toEqual(Array.from({ length: 250 }, (_, k) => k + 1));
      // Search ids follow each room's seqs (copy order).
      expect(results.every((r, k) => k === 0 || r.search_id > results[k - 1]!.search_id)).toBe(true);
    }
    const ids = await env.DB.prepare("SELECT count(DISTINCT search_id) AS n FROM messages WHERE room_id IN (?, ?, ?)").bind(...rooms).first<{ n: number }>();
    expect(ids?.n).toBe(750);
  });

  it("fails the callers of a batch D1 refused, and writes the next batch", async () => {
    const copier = env.COPIER.getByName("global");
    // Not JSON: D1 refuses the statement, and with it the whole batch.
    let refused = "";
    try {
      await copier.copy([{ kind: "rows", json: "[not json]", rows: 1 }]);
    } catch (err) {
      refused = String(err);
    }
    expect(refused).toMatch(/malformed JSON/);

    const alice = await signup("copier");
    const room = await createRoom(alice);
    await post(alice, room.id, "after a failed batch");
    expect(await env.ROOMS.getByName(room.id).flush()).toBe(1);
    const row = await env.DB.prepare("SELECT body FROM messages WHERE room_id = ? AND seq = 1").bind(room.id).first<{ body: string }>();
    expect(row?.body).toBe("after a failed batch");
  });
});
