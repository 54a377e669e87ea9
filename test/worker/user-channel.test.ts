import { env, runDurableObjectAlarm } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { api, bearerProtocols, connect, createRoom, forgeToken, join, signup, upgrade, TestSocket, type TestUser } from "./helpers";

/** Issue #17: the per-user channel (GET /api/me/ws) — counts, calls, membership, presence. */

async function channel(user: TestUser) {
  const res = await upgrade("/api/me/ws", bearerProtocols(user));
  if (res.status !== 101 || !res.webSocket) throw new Error(`channel upgrade failed: ${res.status} ${await res.text()}`);
  expect(res.headers.get("Sec-WebSocket-Protocol")).toBe("hearth.v1");
  res.webSocket.accept();
  const socket = new TestSocket(res.webSocket);
  const hello = await socket.nextOfType("hello");
  return { socket, hello };
}

const post = async (user: TestUser, roomId: string, body: string) => {
  const res = await api(`/api/rooms/${roomId}/messages`, { token: user.token, body: { clientId: crypto.randomUUID(), body } });
  expect(res.status, res.text).toBe(201);
  return res.json;
};

/** The next counts frame for `roomId` that satisfies `check`. */
const countsOf = (s: TestSocket, roomId: string, check: (c: any) => boolean = () => true) =>
  s.next((f) => f.type === "counts" && f.counts.roomId === roomId && check(f.counts), `counts for ${roomId}`, 4000);

describe("the per-user channel", () => {
  it("says every room's counts at hello, then live: unread and mentions, not my own or deleted messages", async () => {
    const alice = await signup("alice");
    const bob = await signup("bob");
    const one = await createRoom(bob, "public", "one");
    const two = await createRoom(bob, "public", "two");
    await join(alice, one.id);
    await join(alice, two.id);
    await post(bob, one.id, "before the channel");

    const a = await channel(alice);
    expect(a.hello.user).toEqual({ id: alice.id, username: alice.username });
    const byRoom = Object.fromEntries(a.hello.rooms.map((r: any) => [r.roomId, r]));
    expect(byRoom[one.id]).toEqual({ roomId: one.id, lastSeq: 1, lastReadSeq: 0, unread: 1, mentions: 0, inCall: 0 });
    expect(byRoom[two.id]).toMatchObject({ unread: 0, mentions: 0 });

    await post(bob, one.id, "second");
    await post(alice, one.id, "mine do not count");
    expect((await countsOf(a.socket, one.id, (c) => c.lastSeq === 3)).counts).toMatchObject({ unread: 2, mentions: 0 });
    const doomed = await post(bob, two.id, `hey @${alice.username}, look`);
    await post(bob, two.id, `@${alice.username}x is someone else`);
    // Candidates for a mention leave SQLite as JSON: quotes, backslashes, newlines and case survive.
    await post(bob, two.id, `a "quote" \\ and\n\t"@${alice.username.toUpperCase()}": émoji 👋🏽`);
    expect((await countsOf(a.socket, two.id, (c) => c.lastSeq === 3)).counts).toMatchObject({ unread: 3, mentions: 2 });
    await api(`/api/rooms/${two.id}/messages/${doomed.seq}`, { method: "DELETE", token: bob.token });
    expect((await countsOf(a.socket, two.id, (c) => c.unread === 2)).counts).toMatchObject({ mentions: 1 });
    a.socket.close();
  });

  it("clears a room's badge on every device when it is read on one, and many messages cost one update", async () => {
    const alice = await signup("alice");
    const bob = await signup("bob");
    const room = await createRoom(bob);
    await join(alice, room.id);
    const phone = await channel(alice);
    const laptop = await channel(alice);
    for (let i = 0; i < 10; i++) await post(bob, room.id, `burst ${i}`);
    await countsOf(phone.socket, room.id, (c) => c.unread === 10);
    // The burst came in well within the coalescing window: a handful of updates, not one per message.
    expect(phone.socket.frames.filter((f) => f.type === "counts").length).toBeLessThan(10);

    expect((await api(`/api/rooms/${room.id}/read`, { token: alice.token, body: { seq: 10 } })).status).toBe(204);
    for (const s of [phone.socket, laptop.socket]) expect((await countsOf(s, room.id, (c) => c.unread === 0)).counts.lastReadSeq).toBe(10);
    phone.socket.close();
    laptop.socket.close();
  });

  it("rings a member with no room socket open when a call starts, and stops when answered, declined or ended", async () => {
    const alice = await signup("alice");
    const bob = await signup("bob");
    const room = await createRoom(bob, "private", "small");
    await api(`/api/rooms/${room.id}/members`, { token: bob.token, body: { username: alice.username } });
    const a1 = await channel(alice);
    const a2 = await channel(alice);
    const stub = env.ROOMS.getByName(room.id);
    const bobInCall = { peerId: "p-bob", userId: bob.id, username: bob.username, joinedAt: new Date().toISOString() };
    await stub.callChanged(room.id, [bobInCall], true);
    const ring = await a1.socket.nextOfType("ring");
    expect(ring).toEqual({ type: "ring", roomId: room.id, roomName: "small", from: { userId: bob.id, username: bob.username } });
    await a2.socket.nextOfType("ring");
    expect((await countsOf(a1.socket, room.id, (c) => c.inCall === 1)).counts.inCall).toBe(1);

    // Declined on one device: every device stops.
    a1.socket.send({ type: "decline", roomId: room.id });
    for (const s of [a1.socket, a2.socket]) expect(await s.nextOfType("ring-stop")).toEqual({ type: "ring-stop", roomId: room.id, reason: "declined" });

    // A new call; Alice answers on some device: her channel stops ringing (answered).
    await stub.callChanged(room.id, [], false);
    await stub.callChanged(room.id, [bobInCall], true);
    await a2.socket.nextOfType("ring");
    await stub.callChanged(room.id, [bobInCall, { peerId: "p-alice", userId: alice.id, username: alice.username, joinedAt: new Date().toISOString() }], false);
    expect(await a2.socket.next((f) => f.type === "ring-stop" && f.reason === "answered", "answered")).toMatchObject({ roomId: room.id });

    // A third call that ends unanswered.
    await stub.callChanged(room.id, [], false);
    await stub.callChanged(room.id, [bobInCall], true);
    await a1.socket.next((f) => f.type === "ring" && a1.socket.frames.filter((x) => x.type === "ring").length === 3, "third ring");
    await stub.callChanged(room.id, [], false);
    expect(await a1.socket.next((f) => f.type === "ring-stop" && f.reason === "ended", "ended")).toMatchObject({ roomId: room.id });
    a1.socket.close();
    a2.socket.close();
  });

  it("tells of rooms added and removed: a join, an invitation, a new DM on both sides, a leave", async () => {
    const alice = await signup("alice");
    const bob = await signup("bob");
    const a = await channel(alice);
    const b = await channel(bob);
    const open = await createRoom(bob, "public", "open");
    expect((await b.socket.nextOfType("room-added")).room).toMatchObject({ id: open.id, role: "owner" });
    await join(alice, open.id);
    expect((await a.socket.nextOfType("room-added")).room).toMatchObject({ id: open.id, role: "member", name: "open" });
    await countsOf(a.socket, open.id);

    const secret = await createRoom(bob, "private", "secret");
    await api(`/api/rooms/${secret.id}/members`, { token: bob.token, body: { username: alice.username } });
    expect((await a.socket.next((f) => f.type === "room-added" && f.room.id === secret.id, "invited")).room.visibility).toBe("private");

    const dm = await api("/api/dms", { token: alice.token, body: { username: bob.username } });
    expect((await b.socket.next((f) => f.type === "room-added" && f.room.id === dm.json.id, "dm")).room.dmWith).toEqual({ id: alice.id, username: alice.username });
    await a.socket.next((f) => f.type === "room-added" && f.room.id === dm.json.id, "own dm");

    expect((await api(`/api/rooms/${open.id}/leave`, { method: "POST", token: alice.token })).status).toBe(204);
    expect(await a.socket.nextOfType("room-removed")).toEqual({ type: "room-removed", roomId: open.id, reason: "left" });
    // Gone from the room: its messages no longer reach her counts.
    const before = a.socket.frames.length;
    await post(bob, open.id, "after she left");
    await new Promise((r) => setTimeout(r, 600));
    expect(a.socket.frames.slice(before).filter((f) => f.type === "counts" && f.counts.roomId === open.id)).toEqual([]);
    a.socket.close();
    b.socket.close();
  });

  it("shows a member who is in the app elsewhere in the room's presence (away when their tabs are hidden), and DM presence on the channel", async () => {
    const alice = await signup("alice");
    const bob = await signup("bob");
    const room = await createRoom(bob);
    await join(alice, room.id);
    const dm = (await api("/api/dms", { token: alice.token, body: { username: bob.username } })).json;
    const b = await connect(bob, room.id);
    const bobChannel = await channel(bob);
    const a = await channel(alice);
    const present = await b.socket.next((f) => f.type === "presence" && f.online.some((u: any) => u.userId === alice.id), "alice online");
    expect(present.online.find((u: any) => u.userId === alice.id)).toEqual({ userId: alice.id, username: alice.username });
    expect(await bobChannel.socket.next((f) => f.type === "presence" && f.presence[alice.id] === "online", "dm presence")).toBeTruthy();

    a.socket.send({ type: "visibility", hidden: true });
    const away = await b.socket.next((f) => f.type === "presence" && f.online.some((u: any) => u.userId === alice.id && u.status === "away"), "alice away");
    expect(away).toBeTruthy();
    expect(await bobChannel.socket.next((f) => f.type === "presence" && f.presence[alice.id] === "away", "dm away")).toBeTruthy();

    a.socket.close();
    await b.socket.next((f) => f.type === "presence" && !f.online.some((u: any) => u.userId === alice.id), "alice gone");
    expect(await bobChannel.socket.next((f) => f.type === "presence" && f.presence[alice.id] === "offline", "dm offline")).toBeTruthy();
    void dm;
    b.socket.close();
    bobChannel.socket.close();
  });

  it("opens only the caller's own channel: no token 401, a ticket once, unknown frames answered", async () => {
    const alice = await signup("alice");
    expect((await upgrade("/api/me/ws")).status).toBe(401);
    expect((await upgrade("/api/me/ws", ["hearth.v1", "bearer.nonsense"])).status).toBe(401);
    const t = await api("/api/me/ticket", { method: "POST", token: alice.token });
    expect(t.status).toBe(200);
    const first = await upgrade(`/api/me/ws?ticket=${encodeURIComponent(t.json.ticket)}`);
    expect(first.status).toBe(101);
    first.webSocket!.accept();
    const s = new TestSocket(first.webSocket!);
    expect((await upgrade(`/api/me/ws?ticket=${encodeURIComponent(t.json.ticket)}`)).status).toBe(401);
    // A room's ticket does not open the channel.
    const room = await createRoom(alice);
    const roomTicket = await api(`/api/rooms/${room.id}/ticket`, { method: "POST", token: alice.token });
    expect((await upgrade(`/api/me/ws?ticket=${encodeURIComponent(roomTicket.json.ticket)}`)).status).toBe(401);
    await s.nextOfType("hello");
    s.send({ type: "shout" });
    expect(await s.nextOfType("error")).toMatchObject({ code: "unknown_type" });
    s.send("not json");
    expect(await s.nextOfType("error")).toMatchObject({ code: "bad_frame" });
    s.close();
  });

  it("closes the channel with 4001 when the session that opened it ends", async () => {
    const alice = await signup("alice");
    const now = Math.floor(Date.now() / 1000);
    const token = await forgeToken({ sub: alice.id, name: alice.username, typ: "session", iat: now, exp: now + 1 });
    const a = await channel({ ...alice, token });
    await new Promise((r) => setTimeout(r, 1100));
    await runDurableObjectAlarm(env.USERS.getByName(alice.id));
    expect(await a.socket.waitClose()).toMatchObject({ code: 4001 });
  });
});
