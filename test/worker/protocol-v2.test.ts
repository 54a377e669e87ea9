import { env, evictDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { compactMessage } from "../../worker/room/message-frames";
import type { ChatMessage } from "../../worker/contract/wire";
import { HubClient } from "./hub-client";
import { createRoom, join, signup, ticket, upgrade, TestSocket, type TestUser } from "./helpers";

/** A socket that also keeps every frame's text as it arrived (to compare bytes). */
class RawSocket extends TestSocket {
  texts: string[] = [];
  constructor(ws: WebSocket) {
    super(ws);
    ws.addEventListener("message", (e) => {
      this.texts.push(e.data as string);
    });
  }
  /** The text of the frame `frame` (one of `frames`). */
  textOf(frame: object): string {
    return this.texts[this.frames.indexOf(frame as never)]!;
  }
}

/**
 * Opens a room socket offering `protocols` beside the token (or with a ticket and `query`),
 * waits for its hello, and returns the subprotocol the 101 named.
 */
async function open(
  user: TestUser,
  roomId: string,
  o: { protocols?: string[]; ticket?: boolean; query?: string } = {},
): Promise<{ socket: RawSocket; named: string | null; hello: { type: string; [k: string]: any } }> {
  const query = o.query ? `?${o.query}` : "";
  const res = o.ticket
    ? await upgrade(`/api/rooms/${roomId}/ws?ticket=${encodeURIComponent(await ticket(user, roomId))}${o.query ? `&${o.query}` : ""}`)
    : await upgrade(`/api/rooms/${roomId}/ws${query}`, [...(o.protocols ?? ["hearth.v2", "hearth.v1"]), `bearer.${user.token}`]);
  if (res.status !== 101 || !res.webSocket) throw new Error(`upgrade failed: ${res.status} ${await res.text()}`);
  res.webSocket.accept();
  const socket = new RawSocket(res.webSocket);
  const hello = await socket.nextOfType("hello");
  return { socket, named: res.headers.get("Sec-WebSocket-Protocol"), hello };
}

async function roomOfThree() {
  const alice = await signup("alice");
  const bob = await signup("bob");
  const carol = await signup("carol");
  const room = await createRoom(alice);
  await join(bob, room.id);
  await join(carol, room.id);
  return { alice, bob, carol, room };
}

const messagesOf = (s: TestSocket) => s.frames.filter((f) => f.type === "message").map((f) => f.message);

describe("subprotocol version 2 (compact message frames)", () => {
  it("is chosen when offered, and named in the 101; version 1 otherwise", async () => {
    const { alice, room } = await roomOfThree();
    const both = await open(alice, room.id, { protocols: ["hearth.v1", "hearth.v2"] });
    expect(both.named).toBe("hearth.v2");
    const v2Only = await open(alice, room.id, { protocols: ["hearth.v2"] });
    expect(v2Only.named).toBe("hearth.v2");
    const v1Only = await open(alice, room.id, { protocols: ["hearth.v1"] });
    expect(v1Only.named).toBe("hearth.v1");
    // The hello is the same in both versions.
    expect(both.hello).toMatchObject({ roomId: room.id, user: { id: alice.id } });
    // A token without any Hearth subprotocol is still refused, naming both.
    const bare = await upgrade(`/api/rooms/${room.id}/ws`, ["hearth.v3", `bearer.${alice.token}`]);
    expect(bare.status).toBe(400);
    expect(((await bare.json()) as { error: { message: string } }).error.message).toBe('offer the subprotocol "hearth.v2" or "hearth.v1" beside the token');
    // The per-user channel has no message frames: it stays on version 1.
    const channel = await upgrade("/api/me/ws", ["hearth.v2", "hearth.v1", `bearer.${alice.token}`]);
    expect(channel.headers.get("Sec-WebSocket-Protocol")).toBe("hearth.v1");
    channel.webSocket?.accept();
    channel.webSocket?.close(1000);
    for (const s of [both, v2Only, v1Only]) s.socket.close();
  });

  it("keeps version 1 byte for byte, and leaves roomId, kind text and others' clientId out of version 2", async () => {
    const { alice, bob, carol, room } = await roomOfThree();
    const a = await open(alice, room.id);
    const v1 = await open(bob, room.id, { protocols: ["hearth.v1"] });
    const v2 = await open(carol, room.id);
    const aliceTab2 = await open(alice, room.id); // the author's other tab, on version 2

    const ack = await a.socket.sendMessage("hello there", "c-1");
    expect(ack.message).toMatchObject({ roomId: room.id, kind: "text", clientId: "c-1" }); // the ack stays complete
    const stored = ack.message as ChatMessage;

    const onV1 = await v1.socket.nextOfType("message");
    expect(v1.socket.textOf(onV1)).toBe(JSON.stringify({ type: "message", message: stored }));

    const onV2 = await v2.socket.nextOfType("message");
    expect(v2.socket.textOf(onV2)).toBe(
      JSON.stringify({ type: "message", message: { seq: stored.seq, ts: stored.ts, userId: alice.id, username: alice.username, body: "hello there" } }),
    );
    const mine = await aliceTab2.socket.nextOfType("message");
    expect(mine.message).toEqual({ seq: stored.seq, ts: stored.ts, userId: alice.id, username: alice.username, body: "hello there", clientId: "c-1" });
    expect(a.socket.frames.filter((f) => f.type === "message")).toEqual([]); // the sender got its ack only
    for (const s of [a, v1, v2, aliceTab2]) s.socket.close();
  });

  it("sends update frames compact too, with clientId only to the author's sockets; acks stay complete", async () => {
    const { alice, bob, carol, room } = await roomOfThree();
    const a = await open(alice, room.id);
    const aliceTab2 = await open(alice, room.id);
    const v1 = await open(bob, room.id, { protocols: ["hearth.v1"] });
    const v2 = await open(carol, room.id);
    const { message } = await a.socket.sendMessage("first draft", "c-edit");
    const edit = await a.socket.ask({ type: "edit", clientId: "e-1", seq: message.seq, body: "second draft" });
    expect(edit).toMatchObject({ type: "ack", clientId: "e-1", changeSeq: 1, message: { roomId: room.id, kind: "text", clientId: "c-edit" } });

    const full = (await v1.socket.nextOfType("update")).message;
    expect(full).toEqual(edit.message);
    const compact = (await v2.socket.nextOfType("update")).message;
    const { roomId: _r, kind: _k, clientId, ...rest } = edit.message;
    expect(compact).toEqual(rest);
    expect((await aliceTab2.socket.nextOfType("update")).message).toEqual({ ...rest, clientId });
    for (const s of [a, aliceTab2, v1, v2]) s.socket.close();
  });

  it("replays with `since` in the socket's version, the author's own messages with their clientId", async () => {
    const { alice, bob, room } = await roomOfThree();
    const a = await open(alice, room.id);
    const b = await open(bob, room.id, { protocols: ["hearth.v1"] });
    const sent = [await a.socket.sendMessage("one", "r-1"), await b.socket.sendMessage("two", "r-2"), await a.socket.sendMessage("three", "r-3")];
    a.socket.close();
    b.socket.close();

    const aliceBack = await open(alice, room.id, { query: "since=0" });
    await aliceBack.socket.nextOfType("synced");
    expect(messagesOf(aliceBack.socket).map((m) => [m.seq, m.clientId, "roomId" in m, "kind" in m])).toEqual([
      [1, "r-1", false, false],
      [2, undefined, false, false],
      [3, "r-3", false, false],
    ]);
    const bobBack = await open(bob, room.id, { query: "since=0", protocols: ["hearth.v1"] });
    await bobBack.socket.nextOfType("synced");
    expect(messagesOf(bobBack.socket)).toEqual(sent.map((s) => s.message));
    // A ticket socket speaks version 1 unless it asks `v=2`; either way the 101 names no subprotocol.
    const viaTicket = await open(bob, room.id, { ticket: true, query: "since=1" });
    await viaTicket.socket.nextOfType("synced");
    expect(viaTicket.named).toBeNull();
    expect(messagesOf(viaTicket.socket)).toEqual(sent.slice(1).map((s) => s.message));
    const ticketV2 = await open(bob, room.id, { ticket: true, query: "since=1&v=2" });
    await ticketV2.socket.nextOfType("synced");
    expect(messagesOf(ticketV2.socket).map((m) => [m.seq, m.clientId, m.roomId])).toEqual([
      [2, "r-2", undefined],
      [3, undefined, undefined],
    ]);
    const bad = await upgrade(`/api/rooms/${room.id}/ws?ticket=${encodeURIComponent(await ticket(bob, room.id))}&v=3`);
    expect(bad.status).toBe(400);
    for (const s of [aliceBack, bobBack, viaTicket, ticketV2]) s.socket.close();
  });

  it("delivers every message once and in order to version 1 and version 2 sockets side by side, after hibernation too", async () => {
    const { alice, bob, carol, room } = await roomOfThree();
    const a = await open(alice, room.id, { protocols: ["hearth.v1"] });
    const b = await open(bob, room.id);
    const c1 = await open(carol, room.id, { protocols: ["hearth.v1"] });
    const c2 = await open(carol, room.id);
    const bodies: string[] = [];
    for (let i = 0; i < 6; i++) {
      const [who, body] = i % 2 === 0 ? [a, `from alice ${i}`] : [b, `from bob ${i}`];
      bodies.push(body);
      await who.socket.sendMessage(body, `o-${i}`);
      if (i === 2) await evictDurableObject(env.ROOMS.getByName(room.id) as unknown as DurableObjectStub, { webSockets: "hibernate" });
    }
    for (const s of [c1, c2]) {
      for (let i = 0; i < 6; i++) await s.socket.nextOfType("message");
      const got = messagesOf(s.socket);
      expect(got.map((m) => [m.seq, m.body])).toEqual(bodies.map((body, i) => [i + 1, body]));
    }
    expect(messagesOf(c1.socket).every((m) => m.roomId === room.id && m.kind === "text" && typeof m.clientId === "string")).toBe(true);
    // The version survived hibernation: carol's version 2 socket got compact frames after it too.
    expect(messagesOf(c2.socket).every((m) => !("roomId" in m) && !("kind" in m) && !("clientId" in m))).toBe(true);
    for (const s of [a, b, c1, c2]) s.socket.close();
  });

  it("leaves the SignalR hub's frames whole: its subscription to the room speaks version 1", async () => {
    const { alice, bob, room } = await roomOfThree();
    const a = await open(alice, room.id);
    const hub = await HubClient.open(bob);
    await hub.call("JoinRoom", room.id);
    const ack = await a.socket.sendMessage("to the hub", "h-1");
    expect((await hub.received("ReceiveMessage", 1))[0]).toEqual(ack.message);
    expect(ack.message).toMatchObject({ roomId: room.id, kind: "text", clientId: "h-1" });
    hub.close();
    a.socket.close();
  });

  it("keeps a media message's kind and everything else it carries", () => {
    const message: ChatMessage = {
      roomId: "r_1",
      seq: 7,
      ts: 1763820000123,
      userId: "u_a",
      username: "alice",
      kind: "image",
      body: "",
      clientId: "c-7",
      attachment: { id: "f_1", name: "cat.png", size: 1200, type: "image/png", width: 4, height: 3 },
      reactions: [{ emoji: "👍", count: 1, userIds: ["u_b"] }],
      bot: true,
    };
    const { roomId: _r, clientId: _c, ...rest } = message;
    expect(compactMessage(message, false)).toEqual(rest);
    expect(Object.keys(compactMessage(message, true))).toEqual(Object.keys(message).filter((k) => k !== "roomId"));
  });

  it("saves the receiver's redundant bytes on every delivered message frame (the figures in docs/protocol.md)", async () => {
    const { alice, bob, carol, room } = await roomOfThree();
    const a = await open(alice, room.id);
    const v1 = await open(bob, room.id, { protocols: ["hearth.v1"] });
    const v2 = await open(carol, room.id);
    const bytes = (text: string) => new TextEncoder().encode(text).length;
    const lines = {
      // The bench's message (bench/lib/traffic.ts): a 61-character body, its clientId `${run}-${room}-${sender}-${n}`.
      bench: { body: "12 345 123456.789 the quick brown fox jumps over the lazy dog", clientId: "mhx3k2a1-3-12-345" },
      // A typical chat line from the web client, whose clientIds are `c-<uuid>-<counter>`.
      chat: { body: "sounds good, I'll push the fix after lunch", clientId: `c-${crypto.randomUUID()}-0` },
    };
    const figures: Record<string, { v1: number; v2: number }> = {};
    for (const [name, line] of Object.entries(lines)) {
      await a.socket.sendMessage(line.body, line.clientId);
      figures[name] = { v1: bytes(v1.socket.textOf(await v1.socket.nextOfType("message"))), v2: bytes(v2.socket.textOf(await v2.socket.nextOfType("message"))) };
    }
    console.log("bytes per delivered message frame", JSON.stringify(figures));
    // roomId (`"roomId":"r_…",`), `"kind":"text",` and `"clientId":"…",`.
    const saved = (name: keyof typeof lines) => `"roomId":"${room.id}",`.length + `"kind":"text",`.length + `,"clientId":""`.length + lines[name].clientId.length;
    expect(figures.bench!.v1 - figures.bench!.v2).toBe(saved("bench"));
    expect(figures.chat!.v1 - figures.chat!.v2).toBe(saved("chat"));
    for (const s of [a, v1, v2]) s.socket.close();
  });
});
