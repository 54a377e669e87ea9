import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import { api, connect, createRoom, join, signup } from "./helpers";
import { TEST_RATE_BURST, TEST_RATE_PER_SECOND } from "./limits";

describe("rooms", () => {
  it("creates a room whose creator is its owner, listed in my rooms", async () => {
    const alice = await signup("alice");
    const res = await api("/api/rooms", { token: alice.token, body: { name: "  Book club ", topic: "June: Dune", visibility: "public" } });
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({ name: "Book club", topic: "June: Dune", visibility: "public", role: "owner", unread: 0, lastSeq: 0 });
    expect(res.json.id).toMatch(/^r_[0-9a-z]{25}$/);
    const mine = await api("/api/rooms", { token: alice.token });
    expect(mine.json.rooms.map((r: { id: string }) => r.id)).toContain(res.json.id);
  });

  it("validates room input", async () => {
    const alice = await signup();
    for (const body of [{ name: "", visibility: "public" }, { name: "x".repeat(65), visibility: "public" }, { name: "ok", visibility: "secret" }, { name: "ok" }]) {
      const res = await api("/api/rooms", { token: alice.token, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.json.error.code).toBe("validation_error");
    }
    expect((await api("/api/rooms", { body: { name: "ok", visibility: "public" } })).status).toBe(401);
  });

  it("lists public rooms but never private ones, and lets anyone join a public room", async () => {
    const alice = await signup();
    const bob = await signup();
    const pub = await createRoom(alice, "public", "lobby");
    const priv = await createRoom(alice, "private", "secret plans");
    const list = await api("/api/rooms/public", { token: bob.token });
    const ids = list.json.rooms.map((r: { id: string }) => r.id);
    expect(ids).toContain(pub.id);
    expect(ids).not.toContain(priv.id);
    expect(list.json.rooms.find((r: { id: string }) => r.id === pub.id)).toMatchObject({ joined: false, memberCount: 1 });

    const joined = await api(`/api/rooms/${pub.id}/join`, { method: "POST", token: bob.token });
    expect(joined.status).toBe(200);
    expect(joined.json.role).toBe("member");
    const refused = await api(`/api/rooms/${priv.id}/join`, { method: "POST", token: bob.token });
    expect(refused.status).toBe(403);
    expect(refused.json.error.code).toBe("private_room");
    expect((await api(`/api/rooms/r_doesnotexist/join`, { method: "POST", token: bob.token })).status).toBe(404);
  });

  it("lets a member invite a user into a private room", async () => {
    const alice = await signup();
    const bob = await signup();
    const carol = await signup();
    const priv = await createRoom(alice, "private");
    // A non-member cannot invite.
    expect((await api(`/api/rooms/${priv.id}/members`, { token: carol.token, body: { username: bob.username } })).status).toBe(403);
    const added = await api(`/api/rooms/${priv.id}/members`, { token: alice.token, body: { username: bob.username } });
    expect(added.status).toBe(201);
    expect(added.json.member).toMatchObject({ id: bob.id, username: bob.username, role: "member" });
    expect((await api(`/api/rooms/${priv.id}/members`, { token: alice.token, body: { username: bob.username } })).status).toBe(409);
    expect((await api(`/api/rooms/${priv.id}/members`, { token: alice.token, body: { username: "nobody_here" } })).status).toBe(404);
    const detail = await api(`/api/rooms/${priv.id}`, { token: bob.token });
    expect(detail.status).toBe(200);
    expect(detail.json.members.map((m: { username: string }) => m.username).sort()).toEqual([alice.username, bob.username].sort());
  });

  it("keeps non-members from reading, posting, listing members or getting a socket ticket", async () => {
    const alice = await signup();
    const mallory = await signup("mallory");
    for (const visibility of ["public", "private"] as const) {
      const room = await createRoom(alice, visibility);
      await api(`/api/rooms/${room.id}/messages`, { token: alice.token, body: { body: "secret", clientId: "c1" } });
      const attempts = [
        await api(`/api/rooms/${room.id}`, { token: mallory.token }),
        await api(`/api/rooms/${room.id}/messages`, { token: mallory.token }),
        await api(`/api/rooms/${room.id}/messages`, { token: mallory.token, body: { body: "hi", clientId: "m1" } }),
        await api(`/api/rooms/${room.id}/ticket`, { method: "POST", token: mallory.token }),
        await api(`/api/rooms/${room.id}/read`, { token: mallory.token, body: { seq: 1 } }),
        await api(`/api/rooms/${room.id}/leave`, { method: "POST", token: mallory.token }),
      ];
      for (const res of attempts) {
        expect(res.status).toBe(403);
        expect(res.json.error.code).toBe("not_a_member");
      }
      expect(JSON.stringify(attempts)).not.toContain("secret");
    }
  });

  it("stops serving history to a member who left, even to a worker that still holds a cached 'member'", async () => {
    const alice = await signup();
    const bob = await signup();
    const room = await createRoom(alice, "public");
    await join(bob, room.id);
    await api(`/api/rooms/${room.id}/messages`, { token: alice.token, body: { body: "for members", clientId: "c1" } });
    // Bob reads a page (the worker caches his membership), then leaves.
    expect((await api(`/api/rooms/${room.id}/messages`, { token: bob.token })).json.messages[0].body).toBe("for members");
    expect((await api(`/api/rooms/${room.id}/leave`, { method: "POST", token: bob.token })).status).toBe(204);
    const after = await api(`/api/rooms/${room.id}/messages`, { token: bob.token });
    expect(after.status).toBe(403);
    expect(after.json.error.code).toBe("not_a_member");
    // Another isolate's cache would still say "member": the room itself has the last word.
    const stub = env.ROOMS.getByName(room.id);
    expect(await stub.historyJson(room.id, bob.id, { before: null }, 50)).toBeNull();
    expect(JSON.parse((await stub.historyJson(room.id, alice.id, { before: null }, 50))!)).toHaveLength(1);
    // Back in, he reads again at once.
    await join(bob, room.id);
    expect(JSON.parse((await stub.historyJson(room.id, bob.id, { before: null }, 50))!)).toHaveLength(1);
    expect((await api(`/api/rooms/${room.id}/messages`, { token: bob.token })).status).toBe(200);
  });

  it("refuses a member whose leave is under way: the room hears of it before D1 does", async () => {
    const alice = await signup();
    const bob = await signup();
    const room = await createRoom(alice, "public");
    await join(bob, room.id);
    await api(`/api/rooms/${room.id}/messages`, { token: alice.token, body: { body: "for members", clientId: "c1" } });
    const stub = env.ROOMS.getByName(room.id);
    // The leave route's first step, and no second (say D1 failed after it): the membership is
    // still in D1, so any cached "member" answer looks right, yet the room refuses him.
    await stub.removeMember(room.id, bob.id);
    const membership = await env.DB.prepare("SELECT joined_at FROM memberships WHERE room_id = ? AND user_id = ?").bind(room.id, bob.id).first();
    expect(membership).not.toBeNull();
    expect(await stub.historyJson(room.id, bob.id, { before: null }, 50)).toBeNull();
    expect((await api(`/api/rooms/${room.id}/messages`, { token: bob.token })).status).toBe(403);
    // He is still a member in D1, so he can finish leaving; joining again lets him in at once.
    expect((await api(`/api/rooms/${room.id}/leave`, { method: "POST", token: bob.token })).status).toBe(204);
    await join(bob, room.id);
    expect(JSON.parse((await stub.historyJson(room.id, bob.id, { before: null }, 50))!)).toHaveLength(1);
  });

  it("remembers a departure longer than a cached 'member' answer lives", async () => {
    const alice = await signup();
    const bob = await signup();
    const room = await createRoom(alice, "public");
    await join(bob, room.id);
    const stub = env.ROOMS.getByName(room.id);
    expect(await stub.historyJson(room.id, bob.id, { before: null }, 50)).not.toBeNull();
    // Bob (a member for five minutes) had his leave reach the room 90 s ago, more than the
    // worker's 60 s cache, but not D1: an answer "member" read from D1 in between can still be
    // cached somewhere.
    await env.DB.prepare("UPDATE memberships SET joined_at = ? WHERE room_id = ? AND user_id = ?").bind(Date.now() - 300_000, room.id, bob.id).run();
    await runInDurableObject(stub as unknown as DurableObjectStub, (_instance, state) => {
      state.storage.sql.exec("INSERT INTO departures (user_id, at) VALUES (?, ?)", bob.id, Date.now() - 90_000);
    });
    expect(await stub.historyJson(room.id, bob.id, { before: null }, 50)).toBeNull();
  });

  it("opens one DM room per pair of users, from either side", async () => {
    const alice = await signup();
    const bob = await signup();
    const a = await api("/api/dms", { token: alice.token, body: { username: bob.username } });
    const b = await api("/api/dms", { token: bob.token, body: { username: alice.username } });
    expect(a.status).toBe(200);
    expect(a.json.id).toBe(b.json.id);
    expect(a.json).toMatchObject({ visibility: "dm", name: bob.username, dmWith: { id: bob.id, username: bob.username } });
    expect(b.json).toMatchObject({ name: alice.username, dmWith: { username: alice.username } });
    const carol = await signup();
    expect((await api(`/api/rooms/${a.json.id}/messages`, { token: carol.token })).status).toBe(403);
    expect((await api(`/api/rooms/${a.json.id}/join`, { method: "POST", token: carol.token })).status).toBe(403);
    expect((await api(`/api/rooms/${a.json.id}/members`, { token: alice.token, body: { username: carol.username } })).status).toBe(403);
    expect((await api("/api/dms", { token: alice.token, body: { username: alice.username } })).status).toBe(400);
    expect((await api("/api/dms", { token: alice.token, body: { username: "no_such_user" } })).status).toBe(404);
  });

  it("after leaving, a user can no longer read the room", async () => {
    const alice = await signup();
    const bob = await signup();
    const room = await createRoom(alice);
    await join(bob, room.id);
    expect((await api(`/api/rooms/${room.id}/messages`, { token: bob.token })).status).toBe(200);
    expect((await api(`/api/rooms/${room.id}/leave`, { method: "POST", token: bob.token })).status).toBe(204);
    expect((await api(`/api/rooms/${room.id}/messages`, { token: bob.token })).status).toBe(403);
    const mine = await api("/api/rooms", { token: bob.token });
    expect(mine.json.rooms.map((r: { id: string }) => r.id)).not.toContain(room.id);
  });
});

describe("messages over REST", () => {
  it("stores a message with the next seq and returns it", async () => {
    const alice = await signup();
    const room = await createRoom(alice);
    const first = await api(`/api/rooms/${room.id}/messages`, { token: alice.token, body: { body: " hello 👋 ", clientId: "c-1" } });
    expect(first.status).toBe(201);
    expect(first.json).toMatchObject({ roomId: room.id, seq: 1, body: "hello 👋", clientId: "c-1", userId: alice.id, username: alice.username });
    const second = await api(`/api/rooms/${room.id}/messages`, { token: alice.token, body: { body: "again", clientId: "c-2" } });
    expect(second.json.seq).toBe(2);
  });

  it("stores a retried clientId once and answers with the original", async () => {
    const alice = await signup();
    const room = await createRoom(alice);
    const a = await api(`/api/rooms/${room.id}/messages`, { token: alice.token, body: { body: "once", clientId: "retry-me" } });
    const b = await api(`/api/rooms/${room.id}/messages`, { token: alice.token, body: { body: "once", clientId: "retry-me" } });
    expect(a.status).toBe(201);
    expect(b.status).toBe(200);
    expect(b.json).toEqual(a.json);
    const history = await api(`/api/rooms/${room.id}/messages`, { token: alice.token });
    expect(history.json.messages).toHaveLength(1);
  });

  it("refuses empty, oversize and badly identified messages", async () => {
    const alice = await signup();
    const room = await createRoom(alice);
    const cases = [
      { body: "   ", clientId: "a" },
      { body: "x".repeat(4001), clientId: "b" },
      { body: "ok", clientId: "" },
      { body: "ok", clientId: "has space" },
      { body: "ok", clientId: "x".repeat(65) },
    ];
    for (const body of cases) {
      const res = await api(`/api/rooms/${room.id}/messages`, { token: alice.token, body });
      expect(res.status, JSON.stringify(body).slice(0, 60)).toBe(400);
      expect(res.json.error.code).toBe("invalid_message");
    }
    // 4000 emoji are 4000 characters (8000 UTF-16 units) and fit.
    const emoji = await api(`/api/rooms/${room.id}/messages`, { token: alice.token, body: { body: "😀".repeat(4000), clientId: "emoji" } });
    expect(emoji.status).toBe(201);
    expect((await api(`/api/rooms/${room.id}/messages`, { token: alice.token, body: { body: 42, clientId: "n" } })).status).toBe(400);
  });

  it("pages history newest first with before and limit", async () => {
    const alice = await signup();
    const room = await createRoom(alice);
    for (let i = 1; i <= 5; i++) {
      await api(`/api/rooms/${room.id}/messages`, { token: alice.token, body: { body: `m${i}`, clientId: `c${i}` } });
    }
    const newest = await api(`/api/rooms/${room.id}/messages?limit=2`, { token: alice.token });
    expect(newest.json.messages.map((m: { seq: number }) => m.seq)).toEqual([5, 4]);
    const older = await api(`/api/rooms/${room.id}/messages?limit=2&before=4`, { token: alice.token });
    expect(older.json.messages.map((m: { body: string }) => m.body)).toEqual(["m3", "m2"]);
    const oldest = await api(`/api/rooms/${room.id}/messages?before=2`, { token: alice.token });
    expect(oldest.json.messages.map((m: { seq: number }) => m.seq)).toEqual([1]);
    for (const q of ["limit=101", "limit=0", "before=-1", "before=abc"]) {
      const res = await api(`/api/rooms/${room.id}/messages?${q}`, { token: alice.token });
      expect(res.status, q).toBe(400);
      expect(res.json.error.code).toBe("validation_error");
    }
  });

  it("rate-limits a user per room with 429 and Retry-After, without storing the refused message", async () => {
    const alice = await signup();
    const room = await createRoom(alice);
    // Post until refused. The bucket refills while the posts run (TEST_RATE_PER_SECOND), so on a
    // slow machine a few more than the burst get through: as many as the time taken allows.
    const started = Date.now();
    let accepted = 0;
    let last: Awaited<ReturnType<typeof api>> | null = null;
    for (let i = 0; i < TEST_RATE_BURST + 40; i++) {
      last = await api(`/api/rooms/${room.id}/messages`, { token: alice.token, body: { body: `burst ${i}`, clientId: `b${i}` } });
      if (last.status !== 201) break;
      accepted++;
    }
    const refilled = Math.ceil(((Date.now() - started) / 1000) * TEST_RATE_PER_SECOND);
    expect(accepted).toBeGreaterThanOrEqual(TEST_RATE_BURST);
    expect(accepted).toBeLessThanOrEqual(TEST_RATE_BURST + refilled);
    expect(last!.status).toBe(429);
    expect(last!.json.error.code).toBe("rate_limited");
    expect(Number(last!.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    // The refused message is not stored.
    const history = await api(`/api/rooms/${room.id}/messages?limit=100`, { token: alice.token });
    expect(history.json.messages).toHaveLength(accepted);
    expect(history.json.messages[0].seq).toBe(accepted);
    // Another user in the same room has a bucket of their own.
    const bob = await signup();
    await join(bob, room.id);
    expect((await api(`/api/rooms/${room.id}/messages`, { token: bob.token, body: { body: "me too", clientId: "x" } })).status).toBe(201);
  });
});

describe("history in D1 and unread counts", () => {
  it("copies messages to D1, and counts unread messages from others until marked read", async () => {
    const alice = await signup();
    const bob = await signup();
    const room = await createRoom(alice);
    await join(bob, room.id);
    for (let i = 1; i <= 3; i++) {
      await api(`/api/rooms/${room.id}/messages`, { token: alice.token, body: { body: `hi ${i}`, clientId: `a${i}` } });
    }
    await api(`/api/rooms/${room.id}/messages`, { token: bob.token, body: { body: "bob here", clientId: "b1" } });
    // The test config delays the D1 copy by a minute; flush now, as the alarm would.
    expect(await env.ROOMS.getByName(room.id).flush()).toBe(4);

    const rows = await env.DB.prepare("SELECT seq, body, user_id FROM messages WHERE room_id = ? ORDER BY seq").bind(room.id).all();
    expect(rows.results.map((r) => r.body)).toEqual(["hi 1", "hi 2", "hi 3", "bob here"]);

    const bobRooms = await api("/api/rooms", { token: bob.token });
    expect(bobRooms.json.rooms.find((r: { id: string }) => r.id === room.id)).toMatchObject({ unread: 3, lastSeq: 4 });
    const aliceRooms = await api("/api/rooms", { token: alice.token });
    expect(aliceRooms.json.rooms.find((r: { id: string }) => r.id === room.id).unread).toBe(1);

    expect((await api(`/api/rooms/${room.id}/read`, { token: bob.token, body: { seq: 2 } })).status).toBe(204);
    expect((await api("/api/rooms", { token: bob.token })).json.rooms.find((r: { id: string }) => r.id === room.id).unread).toBe(1);
    // A read mark beyond the newest message is clamped, so later messages still count.
    await api(`/api/rooms/${room.id}/read`, { token: bob.token, body: { seq: 1_000_000 } });
    await api(`/api/rooms/${room.id}/messages`, { token: alice.token, body: { body: "later", clientId: "a9" } });
    await env.ROOMS.getByName(room.id).flush();
    expect((await api("/api/rooms", { token: bob.token })).json.rooms.find((r: { id: string }) => r.id === room.id).unread).toBe(1);
  });

  it("copies a long backlog exactly, in several statements, whatever the text", async () => {
    const alice = await signup();
    const room = await createRoom(alice);
    await api(`/api/rooms/${room.id}/messages`, { token: alice.token, body: { body: "first", clientId: "first" } });
    const stub = env.ROOMS.getByName(room.id);
    // 1,250 more rows straight into the room's log (the API's rate limit would take minutes):
    // more than one read of 1000 and many slices of 100, with quotes, JSON-looking text,
    // emoji, a NUL-free control character and an attachment.
    const odd = ['"quoted"', "[1,2,3]", '{"a":null}', "emoji 👋🏽 and ünïcödé", "tab\there", "\\ backslash"];
    await runInDurableObject(stub as unknown as DurableObjectStub, (instance: unknown) => {
      const sql = (instance as { ctx: DurableObjectState }).ctx.storage.sql;
      for (let seq = 2; seq <= 1251; seq++) {
        sql.exec(
          "INSERT INTO messages (seq, ts, user_id, username, kind, body, client_id, attachment) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
          seq, 1_700_000_000_000 + seq, alice.id, alice.username, seq === 700 ? "file" : "text",
          `${odd[seq % odd.length]} #${seq}`, `bulk-${seq}`, seq === 700 ? JSON.stringify({ id: "f_x", name: "a.txt", size: 3, type: "text/plain" }) : null,
        );
      }
      (instance as unknown as { log: { lastSeq: number } }).log.lastSeq = 1251;
    });
    expect(await stub.flush()).toBe(1251);
    const rows = await env.DB.prepare("SELECT seq, body, kind, attachment, client_id, created_at FROM messages WHERE room_id = ? ORDER BY seq").bind(room.id).all();
    expect(rows.results.length).toBe(1251);
    expect(rows.results.map((r) => r.seq)).toEqual(Array.from({ length: 1251 }, (_, i) => i + 1));
    for (const seq of [2, 3, 4, 5, 6, 7, 1251]) {
      expect(rows.results[seq - 1]).toMatchObject({ body: `${odd[seq % odd.length]} #${seq}`, kind: "text", attachment: null, client_id: `bulk-${seq}`, created_at: 1_700_000_000_000 + seq });
    }
    expect(rows.results[699]).toMatchObject({ kind: "file", attachment: JSON.stringify({ id: "f_x", name: "a.txt", size: 3, type: "text/plain" }) });
    const roomRow = await env.DB.prepare("SELECT last_seq FROM rooms WHERE id = ?").bind(room.id).first<{ last_seq: number }>();
    expect(roomRow?.last_seq).toBe(1251);
  });

  it("copies a quiet room after the short delay, a busy one on the long cadence, a backlog at once", async () => {
    const alice = await signup();
    const room = await createRoom(alice);
    const stub = env.ROOMS.getByName(room.id) as unknown as DurableObjectStub;
    // The test config delays every copy by a minute; give this room the production shape
    // (short delay < busy cadence) with numbers large enough that no alarm fires on its own.
    const SHORT = 30_000;
    const BUSY = 300_000;
    type Tunable = { flushDelayMs: number; busyFlushMs: number; flushRows: number; flushScheduled: boolean };
    await runInDurableObject(stub, async (instance: unknown, state) => {
      const tuned: Tunable = { flushDelayMs: SHORT, busyFlushMs: BUSY, flushRows: 4, flushScheduled: false };
      Object.assign((instance as { background: { d1Copy: Tunable } }).background.d1Copy, tuned);
      await state.storage.deleteAlarm();
    });
    const alarm = () => runInDurableObject(stub, (_i, state) => state.storage.getAlarm());
    /** Runs the alarm by hand, as if it had fired: the stored alarm is gone, its work done. */
    const fire = () =>
      runInDurableObject(stub, async (instance, state) => {
        await state.storage.deleteAlarm();
        await instance.alarm?.();
      });
    const post = async (n: number) => {
      const res = await api(`/api/rooms/${room.id}/messages`, { token: alice.token, body: { body: `m${n}`, clientId: `cad-${n}` } });
      expect(res.status).toBe(201);
    };
    const copied = async () =>
      (await env.DB.prepare("SELECT count(*) AS n FROM messages WHERE room_id = ?").bind(room.id).first<{ n: number }>())?.n;

    // A quiet room: its first message is copied after the short delay.
    let before = Date.now();
    await post(1);
    let at = await alarm();
    expect(at).toBeGreaterThanOrEqual(before + SHORT);
    expect(at).toBeLessThanOrEqual(Date.now() + SHORT);
    await fire();
    expect(await copied()).toBe(1);
    const copiedAt = Date.now();

    // A room that has just been copied is busy: the next copy waits for the long cadence.
    await post(2);
    at = await alarm();
    expect(at).toBeGreaterThanOrEqual(before + BUSY);
    expect(at).toBeLessThanOrEqual(copiedAt + BUSY);

    // A socket opening is reported after the short delay, busy or not.
    before = Date.now();
    const { socket } = await connect(alice, room.id);
    await vi.waitFor(async () => expect(await alarm()).toBeLessThanOrEqual(Date.now() + SHORT));
    expect(await alarm()).toBeGreaterThanOrEqual(before + SHORT);
    socket.close();

    // Four messages waiting (flushRows here) are copied at once, long before either delay.
    await post(3);
    await post(4);
    expect(await copied()).toBe(1);
    await post(5);
    await vi.waitFor(async () => expect(await copied()).toBe(5), { timeout: 5000, interval: 50 });
  });

  it("a flush that runs twice copies each message once", async () => {
    const alice = await signup();
    const room = await createRoom(alice);
    await api(`/api/rooms/${room.id}/messages`, { token: alice.token, body: { body: "one", clientId: "1" } });
    const stub = env.ROOMS.getByName(room.id);
    await stub.flush();
    await stub.flush();
    const count = await env.DB.prepare("SELECT count(*) AS n FROM messages WHERE room_id = ?").bind(room.id).first<{ n: number }>();
    expect(count?.n).toBe(1);
  });
});
