/**
 * Issue #16 across protocols, with the clients other people wrote: a message edited through
 * SignalR (@microsoft/signalr), reacted to through Connect (@connectrpc/connect-web), replied
 * to through REST and deleted through Hearth's socket (`ws`). Every live client (a Hearth
 * socket, a SignalR hub connection, a Connect stream) sees each change once, in the same
 * order, REST history shows the same end state, and a socket that was closed meanwhile
 * catches up with `since` to that same state.
 */
import { createClient, type Client } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";
import { HttpTransportType, HubConnectionBuilder, LogLevel, type HubConnection } from "@microsoft/signalr";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { ChatService } from "../../worker/protocols/connect/gen/hearth/v1/chat_pb";
import { startHearth, type Hearth } from "../support/wrangler";
import * as rest from "./rest";
import { until, type User } from "./rest";

let hearth: Hearth;
let url: string;

beforeAll(async () => {
  hearth = await startHearth({ vars: { RATE_LIMIT_BURST: "1000", RATE_LIMIT_PER_SECOND: "1000" } });
  url = hearth.url;
});
afterAll(async () => {
  await hearth?.stop();
});

/** What a live client saw, reduced to one comparable line per event: a new message, or a change of one. */
type Seen = { kind: "message" | "update"; seq: number; message: any };


/** Hearth's socket: every `message` and `update` frame, and the acks and errors of what it asks. */
async function hearthSocket(user: User, roomId: string, resume = "") {
  const t = await rest.call(url, `/api/rooms/${roomId}/ticket`, user.token, {});
  const ws = new WebSocket(`${url.replace("http", "ws")}/api/rooms/${roomId}/ws?ticket=${t.json.ticket}${resume}`);
  const seen: Seen[] = [];
  const frames: any[] = [];
  ws.on("message", (d) => {
    const f = JSON.parse(String(d));
    frames.push(f);
    if (f.type === "message" || f.type === "update") seen.push({ kind: f.type, seq: f.message.seq, message: f.message });
  });
  await new Promise((ok, fail) => {
    ws.once("open", ok);
    ws.once("error", fail);
  });
  await until(() => frames.find((f) => f.type === "hello"), "hello");
  return { ws, seen, frames };
}

async function hub(user: User, roomId: string): Promise<{ conn: HubConnection; seen: Seen[] }> {
  const conn = new HubConnectionBuilder()
    .withUrl(`${url}/hubs/chat`, { transport: HttpTransportType.WebSockets, accessTokenFactory: () => user.token })
    .configureLogging(LogLevel.None)
    .build();
  const seen: Seen[] = [];
  conn.on("ReceiveMessage", (m) => seen.push({ kind: "message", seq: m.seq, message: m }));
  conn.on("MessageUpdated", (m) => seen.push({ kind: "update", seq: m.seq, message: m }));
  await conn.start();
  await conn.invoke("JoinRoom", roomId);
  return { conn, seen };
}

function connectClient(user: User): Client<typeof ChatService> {
  return createClient(
    ChatService,
    createConnectTransport({
      baseUrl: url,
      useBinaryFormat: true,
      interceptors: [
        (next: any) => async (req: any) => {
          req.header.set("Authorization", `Bearer ${user.token}`);
          return next(req);
        },
      ],
    }),
  );
}

/** A Connect stream of the room, reading until aborted. */
function connectStream(user: User, roomId: string) {
  const seen: Seen[] = [];
  const abort = new AbortController();
  const done = (async () => {
    try {
      for await (const res of connectClient(user).streamMessages({ roomId, includeUpdates: true }, { signal: abort.signal })) {
        if (res.message) seen.push({ kind: "message", seq: Number(res.message.seq), message: res.message });
        if (res.update) seen.push({ kind: "update", seq: Number(res.update.message!.seq), message: res.update.message });
      }
    } catch (err) {
      if (!abort.signal.aborted) throw err;
    }
  })();
  // Once aborted the reader ends; not waiting on it for ever keeps a stuck transport from hanging the test.
  return { seen, stop: () => (abort.abort(), Promise.race([done, new Promise((r) => setTimeout(r, 2000))])) };
}

describe("messages that live, on every protocol", () => {
  it("shows an edit (SignalR), a reaction (Connect), a reply (REST) and a deletion (socket) once and in order everywhere", async () => {
    const [alice, bob, carol, dave] = [await rest.signup(url, "live"), await rest.signup(url, "live"), await rest.signup(url, "live"), await rest.signup(url, "live")];
    const roomId = (await rest.call(url, "/api/rooms", alice.token, { name: `living-${crypto.randomUUID().slice(0, 8)}`, visibility: "public" })).json.id as string;
    for (const u of [bob, carol, dave]) await rest.call(url, `/api/rooms/${roomId}/join`, u.token, {});

    const original = await rest.call(url, `/api/rooms/${roomId}/messages`, alice.token, { clientId: "orig", body: "the first draft" });
    expect(original.status).toBe(201);
    const seq = original.json.seq as number;

    // Live observers on three protocols, none of which makes a change itself; Dave's socket
    // has seen the original and goes away before the changes.
    const socket = await hearthSocket(carol, roomId);
    const signalr = await hub(bob, roomId);
    const stream = connectStream(dave, roomId);
    const away = await hearthSocket(dave, roomId, "&since=0");
    const awayHello = away.frames[0];
    await until(() => away.frames.find((f) => f.type === "synced"), "dave's replay");
    away.ws.close();
    // The stream is live once the room answers; a message proves it (and is part of the story).
    const hello = await rest.call(url, `/api/rooms/${roomId}/messages`, carol.token, { clientId: "live-check", body: "all here?" });
    await until(() => stream.seen.find((s) => s.seq === hello.json.seq), "the stream to be live");
    // 1. Alice edits through SignalR.
    const editor = await hub(alice, roomId);
    const edited = await editor.conn.invoke("EditMessage", roomId, seq, "the final text");
    expect(edited).toMatchObject({ seq, body: "the final text" });
    expect(edited.editedAt).toBeGreaterThan(0);
    // 2. Bob reacts through Connect.
    const reacted = await connectClient(bob).react({ roomId, seq: BigInt(seq), emoji: "🎉", on: true });
    expect(reacted.message?.reactions.map((r) => [r.emoji, Number(r.count)])).toEqual([["🎉", 1]]);
    // 3. Carol replies through REST.
    const reply = await rest.call(url, `/api/rooms/${roomId}/messages`, carol.token, { clientId: "re", body: "agreed", replyTo: seq });
    expect(reply.json.replyTo).toMatchObject({ seq, excerpt: "the final text", deleted: false });
    // 4. Alice deletes through Hearth's socket.
    const deleter = await hearthSocket(alice, roomId);
    deleter.ws.send(JSON.stringify({ type: "delete", clientId: "del-1", seq }));
    const ack = await until(() => deleter.frames.find((f) => f.clientId === "del-1"), "the delete's ack");
    expect(ack).toMatchObject({ type: "ack", message: { seq, deleted: true, body: "" } });

    // Each observer: the live check, edit, reaction, reply, deletion, and the reply's quote following it.
    const expected = [
      ["message", hello.json.seq],
      ["update", seq],
      ["update", seq],
      ["message", reply.json.seq],
      ["update", seq],
      ["update", reply.json.seq],
    ];
    const lines = (seen: Seen[]) => seen.map((s) => [s.kind, s.seq]);
    for (const [name, seen] of [
      ["socket", socket.seen],
      ["signalr", signalr.seen],
      ["connect", stream.seen],
    ] as const) {
      await until(() => (seen.length >= expected.length ? true : undefined), `${name} to see every change`);
      await new Promise((r) => setTimeout(r, 200)); // and nothing more
      expect(lines(seen), name).toEqual(expected);
    }
    // The same states on every protocol (Connect's are protobuf messages: compare their fields).
    expect(signalr.seen.map((s) => s.message)).toEqual(socket.seen.map((s) => s.message));
    const tombstone = socket.seen[4]!.message;
    expect(tombstone).toEqual({ ...original.json, body: "", deleted: true });
    expect(stream.seen[4]!.message).toMatchObject({ seq: BigInt(seq), body: "", deleted: true, reactions: [] });
    expect(socket.seen[5]!.message.replyTo).toEqual({ seq, userId: alice.id, username: alice.username, excerpt: "", deleted: true });
    expect(stream.seen[5]!.message.replyTo).toMatchObject({ seq: BigInt(seq), excerpt: "", deleted: true });
    // REST history: the same end state.
    const page = (await rest.call(url, `/api/rooms/${roomId}/messages`, bob.token)).json.messages.reverse();
    const endState = new Map<number, any>();
    for (const s of socket.seen) endState.set(s.seq, s.message);
    for (const m of page) if (endState.has(m.seq)) expect(m, `seq ${m.seq}`).toEqual(endState.get(m.seq));

    // Dave's socket was closed through all of it: it resumes from what it had, and ends the same.
    const back = await hearthSocket(dave, roomId, `&since=${awayHello.lastSeq}&sinceChange=${awayHello.lastChangeSeq}`);
    await until(() => back.frames.find((f) => f.type === "synced"), "dave's catch-up");
    const caughtUp = new Map<number, any>([[seq, original.json]]);
    for (const s of back.seen) caughtUp.set(s.seq, s.message);
    expect([...caughtUp.keys()].sort()).toEqual([...endState.keys()].sort());
    for (const [s, m] of endState) expect(caughtUp.get(s), `seq ${s}`).toEqual(m);
    for (const s of [socket, deleter, back]) s.ws.close();
    await signalr.conn.stop();
    await editor.conn.stop();
    await stream.stop();
  });
});
