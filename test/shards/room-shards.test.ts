/**
 * Big rooms (docs/architecture.md "Big rooms"; docs/protocol.md "Big rooms") at a small scale:
 * the room object holds 2 sockets, each shard 2, and a room has 3 shards at most
 * (vitest.shards.config.ts), so sockets 3-4 of a room land on shard 0, 5-6 on shard 1, 7-8 on
 * shard 2, and the 9th is refused. A socket on a shard must behave as one on the room object.
 */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { HubClient } from "../worker/hub-client";
import { api, bearerProtocols, connect, createRoom, join, signup, upgrade, TestSocket, type TestUser } from "../worker/helpers";

type Frame = { type: string; [k: string]: any };

/** A room with `n` members besides its owner. */
async function roomOf(n: number) {
  const owner = await signup("owner");
  const room = await createRoom(owner);
  const members: TestUser[] = [];
  for (let i = 0; i < n; i++) {
    const m = await signup("member");
    await join(m, room.id);
    members.push(m);
  }
  return { owner, room, members };
}

/** The seqs a socket saw, in order: `message` frames and the messages of its own acks (not duplicates, not changes). */
function seqsSeen(socket: TestSocket): number[] {
  return socket.frames
    .filter((f) => f.type === "message" || (f.type === "ack" && !f.duplicate && f.changeSeq === undefined))
    .map((f) => f.message.seq as number);
}

const range = (from: number, to: number) => Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);

async function until(check: () => boolean, what: string, timeoutMs = 4000) {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("a room larger than its object", () => {
  it("delivers every message exactly once, in seq order, to sockets on the room object and on shards; senders get acks, not their own messages", async () => {
    const { owner, room, members } = await roomOf(5);
    const people = [owner, ...members];
    // Sockets 0-1 on the room object, 2-3 on shard 0, 4-5 on shard 1.
    const sockets: TestSocket[] = [];
    for (const p of people) sockets.push((await connect(p, room.id)).socket);
    const senders = [0, 3, 5];
    const perSender = 8;
    await Promise.all(
      senders.map(async (i) => {
        for (let n = 0; n < perSender; n++) sockets[i]!.send({ type: "send", clientId: `s${i}-${n}`, body: `from ${i}: ${n}` });
      }),
    );
    const total = senders.length * perSender;
    for (const s of sockets) await until(() => seqsSeen(s).length >= total, "every message");
    await new Promise((r) => setTimeout(r, 200)); // nothing more may come
    sockets.forEach((s, i) => {
      expect(seqsSeen(s), `socket ${i}`).toEqual(range(1, total));
      // The sender's own messages came as acks, never as `message` frames.
      const own = s.frames.filter((f) => f.type === "message" && f.message.clientId?.startsWith(`s${i}-`));
      expect(own, `socket ${i}`).toEqual([]);
      expect(s.frames.filter((f) => f.type === "ack").length, `socket ${i}`).toBe(senders.includes(i) ? perSender : 0);
    });
    // Each sender's messages keep their order.
    const stored = (await api(`/api/rooms/${room.id}/messages?limit=100`, { token: owner.token })).json.messages.reverse();
    for (const i of senders) {
      const bodies = stored.filter((m: { clientId: string }) => m.clientId.startsWith(`s${i}-`)).map((m: { body: string }) => m.body);
      expect(bodies).toEqual(range(0, perSender - 1).map((n) => `from ${i}: ${n}`));
    }
  });

  it("handles a shard socket's changes and refused frames as the room object's: ack to the sender, update to the others, error frames", async () => {
    const { owner, room, members } = await roomOf(3);
    const socks: TestSocket[] = [];
    for (const p of [owner, ...members]) socks.push((await connect(p, room.id)).socket);
    const onShard = socks[3]!;
    const ack = await onShard.sendMessage("edit me", "m-1");
    expect(ack).toMatchObject({ type: "ack", seq: 1 });
    const edited = await onShard.ask({ type: "edit", clientId: "e-1", seq: 1, body: "edited" });
    expect(edited).toMatchObject({ type: "ack", clientId: "e-1", changeSeq: 1, message: { body: "edited" } });
    for (const s of socks.slice(0, 3)) expect((await s.nextOfType("update")).message.body).toBe("edited");
    expect(onShard.frames.filter((f) => f.type === "update")).toEqual([]);
    onShard.send("not json");
    expect(await onShard.nextOfType("error")).toMatchObject({ code: "bad_frame" });
    expect(await onShard.ask({ type: "edit", clientId: "e-2", seq: 99, body: "x" })).toMatchObject({ type: "error", code: "message_not_found" });
    onShard.send({ type: "ping", extra: 1 });
    await onShard.nextOfType("pong");
  });

  it("greets a socket that opens on a shard while messages flow, with `since`, and then streams the rest with no gap or duplicate", async () => {
    const { owner, room, members } = await roomOf(3);
    const sender = (await connect(owner, room.id)).socket;
    await connect(members[0]!, room.id); // the room object is full from here on
    const total = 40;
    const sent = (async () => {
      for (let n = 0; n < total; n++) {
        sender.send({ type: "send", clientId: `f-${n}`, body: `flow ${n}` });
        await new Promise((r) => setTimeout(r, 10));
      }
    })();
    await new Promise((r) => setTimeout(r, 60));
    const resumed = await connect(members[1]!, room.id, 0); // on shard 0, replaying from the start
    const live = await connect(members[2]!, room.id); // on shard 0, no replay
    await sent;
    await until(() => seqsSeen(resumed.socket).length >= total && seqsSeen(live.socket).length >= total - live.hello.lastSeq, "the stream");
    await new Promise((r) => setTimeout(r, 200));
    // Both opened mid-stream: their greetings are not the whole story.
    expect(resumed.hello.lastSeq).toBeLessThan(total);
    expect(live.hello.lastSeq).toBeLessThan(total);
    expect(seqsSeen(resumed.socket)).toEqual(range(1, total));
    const synced = resumed.socket.frames.findIndex((f) => f.type === "synced");
    expect(synced).toBeGreaterThan(0);
    expect(resumed.socket.frames[synced]!.lastSeq).toBe(resumed.hello.lastSeq);
    expect(seqsSeen(live.socket)).toEqual(range(live.hello.lastSeq + 1, total));
  });

  it("resumes a shard socket with `since` (and `sinceChange`): the missed messages and changes, then synced", async () => {
    const { owner, room, members } = await roomOf(2);
    const first = (await connect(owner, room.id)).socket;
    await connect(members[0]!, room.id);
    for (let n = 1; n <= 5; n++) await first.sendMessage(`m${n}`, `r-${n}`);
    await first.ask({ type: "react", clientId: "x-1", seq: 2, emoji: "👍", on: true });
    const { socket, hello } = await connect(members[1]!, room.id, 3, "ticket", 0);
    expect(hello).toMatchObject({ lastSeq: 5, lastChangeSeq: 1 });
    await socket.nextOfType("synced");
    const kinds = socket.frames.map((f) => (f.type === "message" || f.type === "update" ? `${f.type}:${f.message.seq}` : f.type));
    expect(kinds.filter((k) => k !== "presence_count")).toEqual(["hello", "update:2", "message:4", "message:5", "synced"]);
  });

  it("closes a member who leaves (1008) and one who is banned (4004) on every shard, and no one else", async () => {
    const { owner, room, members } = await roomOf(4);
    const [leaver, other, banned, bystander] = members as [TestUser, TestUser, TestUser, TestUser];
    const order = [owner, owner, leaver, other, leaver, banned, banned, bystander];
    const sockets: TestSocket[] = [];
    for (const p of order) sockets.push((await connect(p, room.id)).socket);
    expect((await api(`/api/rooms/${room.id}/leave`, { method: "POST", token: leaver.token })).status).toBe(204);
    expect((await sockets[2]!.waitClose()).code).toBe(1008);
    expect((await sockets[4]!.waitClose()).code).toBe(1008);
    expect((await api(`/api/rooms/${room.id}/bans/${banned.id}`, { method: "PUT", token: owner.token })).status).toBe(204);
    expect((await sockets[5]!.waitClose()).code).toBe(4004);
    expect((await sockets[6]!.waitClose()).code).toBe(4004);
    const after = await sockets[0]!.sendMessage("still here", "still-1");
    for (const i of [1, 3, 7]) expect((await sockets[i]!.next((f) => f.type === "message" && f.message.seq === after.seq)).message.body).toBe("still here");
    for (const i of [0, 1, 3, 7]) expect(sockets[i]!.closed).toBeNull();
    // Refused at once on reconnecting, as in a small room.
    expect((await upgrade(`/api/rooms/${room.id}/ws`, bearerProtocols(banned))).status).toBe(403);
  });

  it("closes (1011) the shard sockets that missed messages of the room's stream, so they resume with since; the room's own sockets keep going", async () => {
    const { owner, room, members } = await roomOf(3);
    // Sockets 0-1 on the room object, 2-3 on shard 0.
    const sockets: TestSocket[] = [];
    for (const p of [owner, ...members]) sockets.push((await connect(p, room.id)).socket);
    const last = await sockets[0]!.sendMessage("before", "gap-1");
    for (const i of [1, 2, 3]) await sockets[i]!.next((f) => f.type === "message" && f.message.seq === last.seq);
    // A batch lost on the way (the room gave it up, or restarted with it queued): the next
    // entry shard 0 gets is message last + 2, and last + 1 never comes.
    const next = last.seq + 2;
    const skipping = { op: "all" as const, seq: next, text: JSON.stringify({ type: "message", message: { seq: next } }) };
    await env.ROOM_SHARDS.getByName(`${room.id}/0`).deliver(room.id, 0, [skipping]);
    for (const i of [2, 3]) expect((await sockets[i]!.waitClose()).code).toBe(1011);
    const missed = await sockets[0]!.sendMessage("missed on the shard", "gap-2");
    const after = await sockets[0]!.sendMessage("after", "gap-3");
    expect(after.seq).toBe(next);
    expect((await sockets[1]!.next((f) => f.type === "message" && f.message.seq === after.seq)).message.body).toBe("after");
    for (const i of [0, 1]) expect(sockets[i]!.closed).toBeNull();
    // The client reconnecting with since gets what it missed from the room's log, and then the
    // live stream: a socket greeted after the jump is not closed for it.
    const back = await connect(members[2]!, room.id, last.seq);
    await back.socket.nextOfType("synced");
    expect(back.socket.frames.filter((f) => f.type === "message").map((f) => f.message.seq)).toEqual([missed.seq, after.seq]);
    const live = await sockets[0]!.sendMessage("live again", "gap-4");
    expect((await back.socket.next((f) => f.type === "message" && f.message.seq === live.seq)).message.body).toBe("live again");
    expect(back.socket.closed).toBeNull();
  });

  it("serves a SignalR subscription placed on a shard like any other", async () => {
    const { owner, room, members } = await roomOf(2);
    const sender = (await connect(owner, room.id)).socket;
    await connect(members[0]!, room.id);
    const hub = await HubClient.open(members[1]!);
    await hub.call("JoinRoom", room.id);
    const ack = await sender.sendMessage("to the hub", "h-1");
    const [got] = await hub.received("ReceiveMessage", 1);
    expect(got).toMatchObject({ seq: ack.seq, body: "to the hub" });
    hub.close();
  });

  it("counts presence in a big room (presence_count, hello.onlineCount) and lists it in a small one", async () => {
    const small = await roomOf(1);
    const s1 = await connect(small.owner, small.room.id);
    expect(s1.hello.online.map((u: { userId: string }) => u.userId)).toEqual([small.owner.id]);
    expect(s1.hello.onlineCount).toBeUndefined();
    await connect(small.members[0]!, small.room.id);
    expect((await s1.socket.nextOfType("presence")).online).toHaveLength(2);

    const big = await roomOf(3);
    const first = (await connect(big.owner, big.room.id)).socket;
    for (const m of big.members) await connect(m, big.room.id);
    await first.next((f) => f.type === "presence_count" && f.online === 4, "presence_count of 4");
    const late = await connect(big.owner, big.room.id);
    expect(late.hello).toMatchObject({ online: [], onlineCount: 4 });
    expect(first.frames.filter((f: Frame) => f.type === "presence" && f.online.length > 2)).toEqual([]);
  });

  it("broadcasts typing in a small room and not in a big one", async () => {
    const small = await roomOf(1);
    const a = (await connect(small.owner, small.room.id)).socket;
    const b = (await connect(small.members[0]!, small.room.id)).socket;
    a.send({ type: "typing", typing: true });
    expect(await b.nextOfType("typing")).toMatchObject({ userId: small.owner.id, typing: true });

    const big = await roomOf(2);
    const sockets: TestSocket[] = [];
    for (const p of [big.owner, ...big.members]) sockets.push((await connect(p, big.room.id)).socket);
    sockets[2]!.send({ type: "typing", typing: true });
    sockets[0]!.send({ type: "typing", typing: true });
    const ack = await sockets[0]!.sendMessage("after typing", "t-1");
    for (const s of sockets.slice(1)) await s.next((f) => f.type === "message" && f.message.seq === ack.seq, "the message after typing");
    for (const s of sockets) expect(s.frames.filter((f) => f.type === "typing")).toEqual([]);
  });

  it("refuses the socket past the last shard's place with 503 room_full, keeping the open ones", async () => {
    const { owner, room } = await roomOf(0);
    const sockets: TestSocket[] = [];
    for (let i = 0; i < 8; i++) sockets.push((await connect(owner, room.id)).socket);
    const res = await upgrade(`/api/rooms/${room.id}/ws`, bearerProtocols(owner));
    expect(res.status).toBe(503);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("room_full");
    const ack = await sockets[7]!.sendMessage("still served", "full-1");
    for (const s of sockets.slice(0, 7)) await s.next((f) => f.type === "message" && f.message.seq === ack.seq, "the message");
  });
});

/** Opens a socket that speaks subprotocol 2 (docs/protocol.md "Version 2"), optionally resuming after `since`. */
async function connectV2(user: TestUser, roomId: string, since?: number): Promise<TestSocket> {
  const res = await upgrade(`/api/rooms/${roomId}/ws${since === undefined ? "" : `?since=${since}`}`, ["hearth.v2", ...bearerProtocols(user).filter((p) => p !== "hearth.v1")]);
  expect(res.status).toBe(101);
  expect(res.headers.get("Sec-WebSocket-Protocol")).toBe("hearth.v2");
  res.webSocket!.accept();
  const socket = new TestSocket(res.webSocket!);
  await socket.nextOfType("hello");
  return socket;
}

describe("subprotocol 2 in a big room", () => {
  it("gives sockets on shards the compact frames (clientId only to the author's sockets), live and replayed, and version 1 sockets the full ones", async () => {
    const { owner, room, members } = await roomOf(2);
    const [bob, carol] = members as [TestUser, TestUser];
    const full = (await connect(owner, room.id)).socket; // the room object
    await connect(carol, room.id); // the room object's second socket
    const bobTab1 = await connectV2(bob, room.id); // shard 0
    const bobTab2 = await connectV2(bob, room.id); // shard 0
    const carolV2 = await connectV2(carol, room.id); // shard 1
    await bobTab1.sendMessage("from bob's first tab", "bob-1");
    const ownerAck = await full.sendMessage("from the owner", "own-1");
    expect(ownerAck.message.roomId).toBe(room.id);

    const fromBob = (s: TestSocket) => s.nextOfType("message");
    const toOtherTab = await fromBob(bobTab2);
    expect(toOtherTab.message).toEqual({ seq: 1, ts: expect.any(Number), userId: bob.id, username: bob.username, body: "from bob's first tab", clientId: "bob-1" });
    const toCarol = await fromBob(carolV2);
    expect(toCarol.message).toEqual({ seq: 1, ts: expect.any(Number), userId: bob.id, username: bob.username, body: "from bob's first tab" });
    const toOwner = await fromBob(full);
    expect(toOwner.message).toMatchObject({ roomId: room.id, seq: 1, kind: "text", clientId: "bob-1" });
    const ownersToBob = await bobTab1.nextOfType("message");
    expect(ownersToBob.message).toEqual({ seq: 2, ts: expect.any(Number), userId: owner.id, username: owner.username, body: "from the owner" });

    // A v2 socket placed on a shard and resuming from 0 gets the replay compact too.
    const resumed = await connectV2(carol, room.id, 0);
    await resumed.nextOfType("synced");
    const replayed = resumed.frames.filter((f) => f.type === "message").map((f) => f.message);
    expect(replayed).toEqual([
      { seq: 1, ts: expect.any(Number), userId: bob.id, username: bob.username, body: "from bob's first tab" },
      { seq: 2, ts: expect.any(Number), userId: owner.id, username: owner.username, body: "from the owner" },
    ]);
  });
});
