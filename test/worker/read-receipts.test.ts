import { describe, expect, it } from "vitest";
import { api, connect, createRoom, join, signup, type TestUser } from "./helpers";

/** Issue #17 item 4: read markers become live read receipts in small rooms and DMs, for members who send them. */

const post = async (user: TestUser, roomId: string, body: string) =>
  (await api(`/api/rooms/${roomId}/messages`, { token: user.token, body: { clientId: crypto.randomUUID(), body } })).json;
const read = (user: TestUser, roomId: string, seq: number) => api(`/api/rooms/${roomId}/read`, { token: user.token, body: { seq } });
const members = async (user: TestUser, roomId: string) =>
  Object.fromEntries(((await api(`/api/rooms/${roomId}`, { token: user.token })).json.members as any[]).map((m) => [m.username, m.lastReadSeq]));

describe("read receipts", () => {
  it("tells the room's sockets when a member reads, and lists how far each member has read", async () => {
    const alice = await signup("alice");
    const bob = await signup("bob");
    const room = await createRoom(alice);
    await join(bob, room.id);
    await post(alice, room.id, "one");
    await post(alice, room.id, "two");
    const a = await connect(alice, room.id);
    expect((await read(bob, room.id, 2)).status).toBe(204);
    expect(await a.socket.nextOfType("read")).toEqual({ type: "read", userId: bob.id, username: bob.username, seq: 2 });
    expect(await members(alice, room.id)).toEqual({ [alice.username]: 0, [bob.username]: 2 });
    a.socket.close();
  });

  it("sends none for a member who turned them off, who then sees no one else's either", async () => {
    const alice = await signup("alice");
    const bob = await signup("bob");
    const room = await createRoom(alice);
    await join(bob, room.id);
    await post(alice, room.id, "one");
    const login = await api("/api/auth/login", { body: { username: bob.username, password: "correct horse battery" } });
    expect(login.json.user.readReceipts).toBe(true);
    const off = await api("/api/me", { method: "PATCH", token: bob.token, body: { readReceipts: false } });
    expect([off.status, off.json.user.readReceipts]).toEqual([200, false]);
    expect((await api("/api/me", { token: bob.token })).json.user.readReceipts).toBe(false);
    expect((await api("/api/auth/login", { body: { username: bob.username, password: "correct horse battery" } })).json.user.readReceipts).toBe(false);
    expect((await api("/api/me", { method: "PATCH", token: bob.token, body: { readReceipts: "no" } })).status).toBe(400);
    expect((await api("/api/me", { method: "PATCH", token: bob.token, body: { shout: true } })).status).toBe(400);

    const a = await connect(alice, room.id);
    await read(bob, room.id, 1);
    await read(alice, room.id, 1);
    // Alice's own read is a receipt (it reaches her socket too); Bob's is not.
    expect(await a.socket.nextOfType("read")).toMatchObject({ userId: alice.id });
    await new Promise((r) => setTimeout(r, 200));
    expect(a.socket.frames.filter((f) => f.type === "read").map((f) => f.userId)).toEqual([alice.id]);
    expect(await members(alice, room.id)).toEqual({ [alice.username]: 1, [bob.username]: undefined });
    expect(await members(bob, room.id)).toEqual({ [alice.username]: undefined, [bob.username]: undefined });
    a.socket.close();
  });

  it("shows none in a room of more than 20 members", async () => {
    const alice = await signup("alice");
    const room = await createRoom(alice);
    const others: TestUser[] = [];
    for (let i = 0; i < 20; i++) {
      const u = await signup("crowd");
      await join(u, room.id);
      others.push(u);
    }
    await post(alice, room.id, "hello all");
    const a = await connect(alice, room.id);
    await read(others[0]!, room.id, 1);
    await new Promise((r) => setTimeout(r, 200));
    expect(a.socket.frames.filter((f) => f.type === "read")).toEqual([]);
    expect(Object.values(await members(alice, room.id)).every((v) => v === undefined)).toBe(true);
    a.socket.close();
  });
});
