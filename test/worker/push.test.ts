import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { MAX_DEVICES } from "../../worker/push/routes";
import { pushCall } from "../../worker/push/send";
import { api, connect, createRoom, join, signup, type TestUser } from "./helpers";

interface Received {
  subscription: string;
  attempt: number;
  status: number;
  headers: Record<string, string>;
  vapid: { aud: string; sub: string; exp: number; key: string };
  payload: any;
}

const push = (path: string, init?: RequestInit) => env.PUSH_TRANSPORT!.fetch(`https://push.test${path}`, init);

/** A device of `user`, subscribed through Hearth's API, backed by the local push service. */
async function device(user: TestUser, behaviour = "ok") {
  const sub = (await (await push(`/__subscribe?behaviour=${behaviour}`, { method: "POST" })).json()) as { endpoint: string; keys: object };
  const res = await api("/api/push/subscriptions", { token: user.token, body: { ...sub, expirationTime: null } });
  expect(res.status).toBe(201);
  return { id: sub.endpoint.split("/").pop()!, endpoint: sub.endpoint };
}

async function receivedBy(id: string): Promise<Received[]> {
  const all = (await (await push("/__received")).json()) as Received[];
  return all.filter((r) => r.subscription === id);
}

async function roomOf(...names: string[]) {
  const users = [];
  for (const n of names) users.push(await signup(n));
  const room = await createRoom(users[0]!, "public");
  for (const u of users.slice(1)) await join(u, room.id);
  return { users, room, stub: env.ROOMS.getByName(room.id) };
}

const say = (u: TestUser, roomId: string, body: string) =>
  api(`/api/rooms/${roomId}/messages`, { token: u.token, body: { body, clientId: crypto.randomUUID() } });

describe("push subscriptions", () => {
  it("hands out the VAPID key and stores, replaces and removes a device's subscription", async () => {
    const alice = await signup();
    const key = await api("/api/push/key", { token: alice.token });
    expect(key.status).toBe(200);
    expect(key.json.publicKey).toMatch(/^B[\w-]{86}$/);
    expect((await api("/api/push/key")).status).toBe(401);
    const d = await device(alice);
    expect((await api("/api/push/subscriptions", { method: "DELETE", token: alice.token, body: { endpoint: d.endpoint } })).status).toBe(204);
    expect((await api("/api/push/subscriptions", { method: "DELETE", token: alice.token, body: { endpoint: d.endpoint } })).status).toBe(404);
  });

  it("keeps at most 20 devices per user: the 21st is refused with 409, a known one may renew, a freed slot is reusable", async () => {
    const alice = await signup();
    const devices = [];
    for (let i = 0; i < MAX_DEVICES; i++) devices.push(await device(alice));
    const extra = (await (await push("/__subscribe?behaviour=ok", { method: "POST" })).json()) as { endpoint: string; keys: object };
    const refused = await api("/api/push/subscriptions", { token: alice.token, body: extra });
    expect(refused.status).toBe(409);
    expect(refused.json.error.code).toBe("too_many_devices");
    // A device already subscribed may send its (renewed) subscription again.
    const renewed = (await (await push("/__subscribe?behaviour=ok", { method: "POST" })).json()) as { keys: object };
    expect((await api("/api/push/subscriptions", { token: alice.token, body: { endpoint: devices[0]!.endpoint, keys: renewed.keys } })).status).toBe(201);
    // Another user is not affected, and unsubscribing one device frees its slot.
    await device(await signup());
    expect((await api("/api/push/subscriptions", { method: "DELETE", token: alice.token, body: { endpoint: devices[1]!.endpoint } })).status).toBe(204);
    expect((await api("/api/push/subscriptions", { token: alice.token, body: extra })).status).toBe(201);
  });

  it("refuses endpoints that are not https and keys that are not keys", async () => {
    const alice = await signup();
    const keys = { p256dh: "B" + "A".repeat(86), auth: "A".repeat(22) };
    for (const body of [
      { endpoint: "http://push.test/x", keys },
      { endpoint: "not a url", keys },
      { endpoint: "https://push.test/x", keys: { ...keys, p256dh: "short" } },
      { endpoint: "https://push.test/x", keys: { ...keys, auth: "!!" } },
      { endpoint: "https://push.test/x" },
    ]) {
      const res = await api("/api/push/subscriptions", { token: alice.token, body });
      expect(res.status, JSON.stringify(body).slice(0, 60)).toBe(400);
      expect(res.json.error.code).toBe("validation_error");
    }
  });

  it("refuses endpoints on IP addresses and local names, which Hearth would otherwise POST to", async () => {
    const alice = await signup();
    const keys = { p256dh: "B" + "A".repeat(86), auth: "A".repeat(22) };
    for (const endpoint of [
      "https://127.0.0.1/x",
      "https://2130706433/x", // 127.0.0.1 spelt as one number
      "https://0x7f.1/x",
      "https://10.0.0.5:8443/x",
      "https://[::1]/x",
      "https://localhost/x",
      "https://api.localhost/x",
      "https://printer.local/x",
      "https://metadata.internal/x",
      "https://localhost.localdomain/x",
      "https://LOCALHOST../x",
      "https://router/x",
    ]) {
      const res = await api("/api/push/subscriptions", { token: alice.token, body: { endpoint, keys } });
      expect(res.status, endpoint).toBe(400);
      expect(res.json.error.code).toBe("validation_error");
    }
    // The push services' own hosts are accepted.
    for (const endpoint of ["https://fcm.googleapis.com/fcm/send/abc", "https://updates.push.services.mozilla.com/wpush/v2/abc", "https://web.push.apple.com/abc"]) {
      expect((await api("/api/push/subscriptions", { token: alice.token, body: { endpoint, keys } })).status, endpoint).toBe(201);
    }
  });

  it("only lets a member change a room's notification setting", async () => {
    const { users, room } = await roomOf("alice", "bob");
    const mallory = await signup("mallory");
    expect((await api(`/api/rooms/${room.id}/notifications`, { method: "PUT", token: users[1]!.token, body: { mode: "mentions" } })).json).toEqual({ mode: "mentions" });
    const mine = await api("/api/rooms", { token: users[1]!.token });
    expect(mine.json.rooms.find((r: { id: string }) => r.id === room.id).notify).toBe("mentions");
    expect((await api(`/api/rooms/${room.id}/notifications`, { method: "PUT", token: mallory.token, body: { mode: "all" } })).status).toBe(403);
    expect((await api(`/api/rooms/${room.id}/notifications`, { method: "PUT", token: users[1]!.token, body: { mode: "loud" } })).status).toBe(400);
  });
});

describe("pushes for messages", () => {
  it("sends an away member one encrypted, VAPID-signed push with the room, sender and preview", async () => {
    const { users, room, stub } = await roomOf("alice", "bob");
    const [alice, bob] = users as [TestUser, TestUser];
    const bobsPhone = await device(bob);
    const alicesPhone = await device(alice);
    await say(alice, room.id, "dinner at 8? 🍝");
    expect(await stub.dispatchPushes()).toMatchObject({ sent: 1 });

    const [got, ...more] = await receivedBy(bobsPhone.id);
    expect(more).toHaveLength(0);
    expect(got!.payload).toEqual({
      kind: "message",
      title: `#${room.name}`,
      body: `${alice.username}: dinner at 8? 🍝`,
      tag: `room-${room.id}`,
      roomId: room.id,
      seq: 1,
      url: `/rooms/${room.id}`,
    });
    expect(got!.vapid).toMatchObject({ aud: "https://push.test", sub: "mailto:tests@hearth.test" });
    expect(got!.headers.topic).toBe(room.id);
    expect(Number(got!.headers.ttl)).toBeGreaterThan(0);
    // Nobody is pushed their own message.
    expect(await receivedBy(alicesPhone.id)).toHaveLength(0);
  });

  it("sends nothing to a member with the room open and visible; the page going hidden counts as away", async () => {
    const { users, room, stub } = await roomOf("alice", "bob");
    const [alice, bob] = users as [TestUser, TestUser];
    const phone = await device(bob);
    const { socket } = await connect(bob, room.id);
    await say(alice, room.id, "you there?");
    expect(await stub.dispatchPushes()).toMatchObject({ sent: 0, skipped: 1 });
    expect(await receivedBy(phone.id)).toHaveLength(0);

    socket.send({ type: "visibility", hidden: true });
    await socket.sendMessage("ping", "vis-check"); // an ack proves the frame before it was handled
    await say(alice, room.id, "hello?");
    expect(await stub.dispatchPushes(Date.now() + 10_001)).toMatchObject({ sent: 1 });
    expect((await receivedBy(phone.id)).map((r) => r.payload.body)).toEqual([`${alice.username}: hello?`]);
  });

  it("does not push a backlog of old messages as new when a room dispatches for the first time", async () => {
    const { users, room, stub } = await roomOf("alice", "bob");
    const [alice, bob] = users as [TestUser, TestUser];
    const phone = await device(bob);
    // A room from before push was configured: five messages a month old, never pushed.
    await runInDurableObject(stub as unknown as DurableObjectStub, (instance: unknown, state) => {
      const old = Date.now() - 30 * 86_400_000;
      for (let seq = 1; seq <= 5; seq++) {
        state.storage.sql.exec(
          "INSERT INTO messages (seq, ts, user_id, username, kind, body, client_id) VALUES (?, ?, ?, ?, 'text', ?, ?)",
          seq, old + seq, alice.id, alice.username, `@${bob.username} old news ${seq}`, `old-${seq}`,
        );
      }
      (instance as { log: { lastSeq: number } }).log.lastSeq = 5;
    });
    await say(alice, room.id, "fresh");
    expect(await stub.dispatchPushes()).toMatchObject({ sent: 1 });
    expect((await receivedBy(phone.id)).map((r) => [r.payload.body, r.payload.seq])).toEqual([[`${alice.username}: fresh`, 6]]);
  });

  it("turns a burst of 50 messages into at most one push per device per 10 seconds", async () => {
    const { users, room, stub } = await roomOf("alice", "bob");
    const [alice, bob] = users as [TestUser, TestUser];
    const phone = await device(bob);
    const laptop = await device(bob);
    const t0 = Date.now();
    for (let i = 1; i <= 50; i++) expect((await say(alice, room.id, `burst ${i}`)).status).toBe(201);
    expect(await stub.dispatchPushes(t0)).toMatchObject({ sent: 2 });
    // More messages within the interval: the dispatch waits for it to pass.
    for (let i = 1; i <= 2; i++) await say(bob, room.id, `reply ${i}`);
    await say(alice, room.id, "more");
    expect(await stub.dispatchPushes(t0 + 5_000)).toBeNull();
    expect(await stub.dispatchPushes(t0 + 10_001)).toMatchObject({ sent: 2 });
    for (const d of [phone, laptop]) {
      const got = await receivedBy(d.id);
      expect(got.map((r) => r.payload.body)).toEqual([`${alice.username}: burst 50 (+49 more)`, `${alice.username}: more`]);
      expect(got.map((r) => r.payload.seq)).toEqual([50, 53]);
    }
  });

  it("deletes a subscription its push service says is gone (410)", async () => {
    const { users, room, stub } = await roomOf("alice", "bob");
    const gone = await device(users[1]!, "gone");
    await say(users[0]!, room.id, "anyone?");
    expect(await stub.dispatchPushes()).toMatchObject({ gone: 1 });
    expect(await env.DB.prepare("SELECT count(*) AS n FROM push_subscriptions WHERE endpoint = ?").bind(gone.endpoint).first("n")).toBe(0);
  });

  it("drops a subscription saved before local endpoints were refused, without sending to it", async () => {
    const { users, room, stub } = await roomOf("alice", "bob");
    const ok = await device(users[1]!, "ok");
    // As if stored by an older Hearth: the same device, on a loopback address (the local push
    // service answers any host, so without the check this push would be delivered).
    const local = `https://127.0.0.1:8787/push/${ok.id}`;
    await env.DB.prepare("UPDATE push_subscriptions SET endpoint = ? WHERE endpoint = ?").bind(local, ok.endpoint).run();
    await say(users[0]!, room.id, "anyone?");
    expect(await stub.dispatchPushes()).toMatchObject({ sent: 0, gone: 1 });
    expect(await receivedBy(ok.id)).toEqual([]);
    expect(await env.DB.prepare("SELECT count(*) AS n FROM push_subscriptions WHERE endpoint = ?").bind(local).first("n")).toBe(0);
  });

  it("retries a failing push service a bounded number of times", async () => {
    const { users, room, stub } = await roomOf("alice", "bob");
    const flaky = await device(users[1]!, "flaky-2");
    const down = await device(users[1]!, "down");
    await say(users[0]!, room.id, "retry me");
    expect(await stub.dispatchPushes()).toMatchObject({ sent: 1, failed: 1 });
    expect((await receivedBy(flaky.id)).map((r) => r.status)).toEqual([503, 503, 201]);
    expect((await receivedBy(down.id)).map((r) => r.status)).toEqual([503, 503, 503]);
    expect(await env.DB.prepare("SELECT failures FROM push_subscriptions WHERE endpoint = ?").bind(down.endpoint).first("failures")).toBe(1);
  });

  it("honours mentions-only and muted rooms", async () => {
    const { users, room, stub } = await roomOf("alice", "bob", "carol");
    const [alice, bob, carol] = users as [TestUser, TestUser, TestUser];
    const bobs = await device(bob);
    const carols = await device(carol);
    await api(`/api/rooms/${room.id}/notifications`, { method: "PUT", token: bob.token, body: { mode: "mentions" } });
    await api(`/api/rooms/${room.id}/notifications`, { method: "PUT", token: carol.token, body: { mode: "muted" } });
    await say(alice, room.id, "general chatter");
    await stub.dispatchPushes();
    expect(await receivedBy(bobs.id)).toHaveLength(0);
    await say(alice, room.id, `hey @${bob.username}, look`);
    await stub.dispatchPushes(Date.now() + 10_001);
    expect((await receivedBy(bobs.id)).map((r) => r.payload.body)).toEqual([`${alice.username}: hey @${bob.username}, look`]);
    expect(await receivedBy(carols.id)).toHaveLength(0);
    // `@room` counts as a mention from the room's owner only (contract/mentions.ts).
    await say(carol, room.id, "@room carol is no owner");
    await stub.dispatchPushes(Date.now() + 20_002);
    expect(await receivedBy(bobs.id)).toHaveLength(1);
    await say(alice, room.id, "@room the owner asks");
    await stub.dispatchPushes(Date.now() + 30_003);
    expect((await receivedBy(bobs.id)).map((r) => r.payload.body)).toEqual([`${alice.username}: hey @${bob.username}, look`, `${alice.username}: @room the owner asks`]);
  });

  it("titles a direct message with the sender's name", async () => {
    const alice = await signup("alice");
    const bob = await signup("bob");
    const dm = (await api("/api/dms", { token: alice.token, body: { username: bob.username } })).json;
    const phone = await device(bob);
    await say(alice, dm.id, "psst");
    await env.ROOMS.getByName(dm.id).dispatchPushes();
    expect((await receivedBy(phone.id))[0]!.payload).toMatchObject({ title: alice.username, body: "psst" });
  });
});

describe("pushes for calls", () => {
  it("rings the other members' devices with an urgent push", async () => {
    const { users, room } = await roomOf("alice", "bob");
    const [alice, bob] = users as [TestUser, TestUser];
    const phone = await device(bob);
    const own = await device(alice);
    expect(await pushCall(env, room.id, alice)).toMatchObject({ sent: 1, skipped: 1 });
    const [got] = await receivedBy(phone.id);
    expect(got!.payload).toMatchObject({ kind: "call", title: `${alice.username} is calling`, roomId: room.id, tag: `call-${room.id}` });
    expect(got!.headers.urgency).toBe("high");
    expect(await receivedBy(own.id)).toHaveLength(0);
  });
});
