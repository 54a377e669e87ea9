/**
 * One room core, three wire protocols, driven by the real clients other people wrote:
 * @microsoft/signalr (HubConnectionBuilder, WebSockets transport, in Node) and
 * @connectrpc/connect-web (Connect and gRPC-Web transports), beside Hearth's own WebSocket
 * protocol (the `ws` package) and REST, all against a real `wrangler dev`.
 */
import { Code, createClient, type Client } from "@connectrpc/connect";
import { createConnectTransport, createGrpcWebTransport } from "@connectrpc/connect-web";
import { HttpTransportType, HubConnectionBuilder, LogLevel, type HubConnection } from "@microsoft/signalr";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHmac, randomBytes } from "node:crypto";
import WebSocket from "ws";
import { ChatService } from "../../worker/protocols/connect/gen/hearth/v1/chat_pb";
import { startHearth, type Hearth } from "../support/wrangler";
import * as rest from "./rest";
import { until, type User } from "./rest";

let hearth: Hearth;
let url: string;
/** This suite's own secret, so that it can sign a session that ends in seconds. */
const JWT_SECRET = randomBytes(32).toString("base64url");

/** A session token as Hearth signs them (HS256), ending `seconds` from now. */
function shortSession(user: User, seconds: number): string {
  const b64 = (v: string | Buffer) => Buffer.from(v).toString("base64url");
  const now = Math.floor(Date.now() / 1000);
  const body = `${b64(JSON.stringify({ alg: "HS256", typ: "JWT" }))}.${b64(JSON.stringify({ sub: user.id, name: user.username, typ: "session", iat: now, exp: now + seconds }))}`;
  return `${body}.${createHmac("sha256", JWT_SECRET).update(body).digest("base64url")}`;
}

beforeAll(async () => {
  hearth = await startHearth({ vars: { JWT_SECRET, SIGNALR_PING_MS: "1000", RATE_LIMIT_BURST: "1000", RATE_LIMIT_PER_SECOND: "1000" } });
  url = hearth.url;
});
afterAll(async () => {
  await hearth?.stop();
});

const call = (path: string, token?: string, body?: unknown) => rest.call(url, path, token, body);
const signup = (): Promise<User> => rest.signup(url, "proto");

async function sharedRoom() {
  const alice = await signup();
  const bob = await signup();
  const room = (await call("/api/rooms", alice.token, { name: `multi-${crypto.randomUUID().slice(0, 8)}`, visibility: "public" })).json;
  await call(`/api/rooms/${room.id}/join`, bob.token, {});
  return { alice, bob, roomId: room.id as string };
}

/** Hearth's own socket protocol, collecting `message` frames. */
async function hearthSocket(user: User, roomId: string) {
  const t = await call(`/api/rooms/${roomId}/ticket`, user.token, {});
  const ws = new WebSocket(`${url.replace("http", "ws")}/api/rooms/${roomId}/ws?ticket=${t.json.ticket}`);
  const messages: any[] = [];
  ws.on("message", (d) => {
    const f = JSON.parse(String(d));
    if (f.type === "message") messages.push(f.message);
  });
  await new Promise((ok, fail) => {
    ws.once("open", ok);
    ws.once("error", fail);
  });
  return { ws, messages };
}

async function hub(user: User | null, token = user?.token): Promise<{ conn: HubConnection; received: any[] }> {
  const conn = new HubConnectionBuilder()
    .withUrl(`${url}/hubs/chat`, { transport: HttpTransportType.WebSockets, accessTokenFactory: () => token ?? "" })
    .configureLogging(LogLevel.None)
    .build();
  const received: any[] = [];
  conn.on("ReceiveMessage", (m) => received.push(m));
  await conn.start();
  return { conn, received };
}

function connectClient(kind: "connect" | "grpc-web", token?: string, binary = true): Client<typeof ChatService> {
  const opts = {
    baseUrl: url,
    useBinaryFormat: binary,
    interceptors: token
      ? [
          (next: any) => async (req: any) => {
            req.header.set("Authorization", `Bearer ${token}`);
            return next(req);
          },
        ]
      : [],
  };
  return createClient(ChatService, kind === "connect" ? createConnectTransport(opts) : createGrpcWebTransport(opts));
}


describe("SignalR hub with the official @microsoft/signalr client", () => {
  it("receives a message sent over Hearth's WebSocket, and sends one that Hearth's WebSocket receives", async () => {
    const { alice, bob, roomId } = await sharedRoom();
    const { conn, received } = await hub(alice);
    const joined = await conn.invoke("JoinRoom", roomId);
    expect(joined).toMatchObject({ roomId, lastSeq: 0 });
    const { ws, messages } = await hearthSocket(bob, roomId);

    ws.send(JSON.stringify({ type: "send", clientId: "from-ws", body: "hello from the socket" }));
    const got = await until(() => received.find((m) => m.clientId === "from-ws"), "ReceiveMessage");
    expect(got).toMatchObject({ roomId, seq: 1, body: "hello from the socket", username: bob.username, kind: "text" });

    const stored = await conn.invoke("SendMessage", roomId, "hello from SignalR");
    expect(stored).toMatchObject({ roomId, seq: 2, body: "hello from SignalR", username: alice.username });
    const echoed = await until(() => messages.find((m) => m.seq === 2), "the socket's copy");
    expect(echoed).toEqual(stored);
    // The sender's own hub connection gets it too, exactly once.
    await until(() => received.find((m) => m.seq === 2), "own copy");
    await new Promise((r) => setTimeout(r, 200));
    expect(received.filter((m) => m.seq === 2)).toHaveLength(1);
    ws.close();
    await conn.stop();
  });

  it("stores a retried SendMessage with the same clientId once, and replays what was missed from JoinRoom's sinceSeq", async () => {
    const { alice, bob, roomId } = await sharedRoom();
    const a = await hub(alice);
    await a.conn.invoke("JoinRoom", roomId);
    const first = await a.conn.invoke("SendMessage", roomId, "only once", "sr-retry-1");
    const again = await a.conn.invoke("SendMessage", roomId, "only once", "sr-retry-1");
    expect(again).toEqual(first);
    expect(first).toMatchObject({ seq: 1, clientId: "sr-retry-1" });

    // Bob's hub was away while two more were sent; joining with the last seq he saw replays them.
    for (const body of ["missed 1", "missed 2"]) await a.conn.invoke("SendMessage", roomId, body);
    const b = await hub(bob);
    expect(await b.conn.invoke("JoinRoom", roomId, 1)).toMatchObject({ roomId, lastSeq: 3 });
    await until(() => (b.received.length >= 2 ? true : undefined), "the replay");
    expect(b.received.map((m) => [m.seq, m.body])).toEqual([[2, "missed 1"], [3, "missed 2"]]);
    const live = await a.conn.invoke("SendMessage", roomId, "live");
    await until(() => b.received.find((m) => m.seq === live.seq), "the live message");
    expect(b.received.map((m) => m.seq)).toEqual([2, 3, 4]);
    await expect(b.conn.invoke("JoinRoom", roomId, -1)).rejects.toThrow(/bad_request/);
    await a.conn.stop();
    await b.conn.stop();
  });

  it("ends a hub connection once the session that opened it has ended", async () => {
    const { alice, roomId } = await sharedRoom();
    const { conn } = await hub(null, shortSession(alice, 2));
    expect(await conn.invoke("JoinRoom", roomId)).toMatchObject({ roomId });
    const closed = new Promise<Error | undefined>((resolve) => conn.onclose(resolve));
    const error = await Promise.race([closed, new Promise<"still open">((r) => setTimeout(() => r("still open"), 6000))]);
    expect(String(error)).toMatch(/Session expired/);
    expect(conn.state).toBe("Disconnected");
  });

  it("answers unknown methods, wrong argument types and non-members with errors, and stays connected", async () => {
    const { alice, roomId } = await sharedRoom();
    const outsider = await signup();
    const { conn } = await hub(outsider);
    await expect(conn.invoke("Shout", roomId)).rejects.toThrow(/Unknown hub method 'Shout'/);
    await expect(conn.invoke("SendMessage", roomId, 42)).rejects.toThrow(/takes \(string, string\[, string\]\)/);
    await expect(conn.invoke("SendMessage", roomId)).rejects.toThrow(/takes \(string, string\[, string\]\)/);
    await expect(conn.invoke("SendMessage", roomId, "a", "b", "c")).rejects.toThrow(/takes \(string, string\[, string\]\)/);
    await expect(conn.invoke("JoinRoom", roomId)).rejects.toThrow(/not_a_member/);
    await expect(conn.invoke("SendMessage", roomId, "sneaky")).rejects.toThrow(/not_a_member/);
    await expect(conn.invoke("SendMessage", roomId, "   ")).rejects.toThrow(/not_a_member/);
    expect(conn.state).toBe("Connected");
    const member = await hub(alice);
    await expect(member.conn.invoke("SendMessage", roomId, "   ")).rejects.toThrow(/invalid_message/);
    // One rule for text: a lone surrogate (JSON carries it as \ud800) is refused, never stored altered.
    await expect(member.conn.invoke("SendMessage", roomId, "x\ud800y")).rejects.toThrow(/invalid_message: body is not well-formed Unicode/);
    expect(member.conn.state).toBe("Connected");
    await conn.stop();
    await member.conn.stop();
  });

  it("keeps an idle connection alive with pings, and refuses a missing or bad token", async () => {
    const { alice } = await sharedRoom();
    const { conn } = await hub(alice);
    conn.serverTimeoutInMilliseconds = 2500; // the server pings every second in this test
    await new Promise((r) => setTimeout(r, 4000));
    expect(conn.state).toBe("Connected");
    await conn.stop();
    await expect(hub(null, "")).rejects.toThrow(/401/);
    await expect(hub(null, "not-a-jwt")).rejects.toThrow(/401/);
  });

  it("refuses a bad handshake with an error record and closes", async () => {
    const { alice } = await sharedRoom();
    const neg = await fetch(`${url}/hubs/chat/negotiate?negotiateVersion=1`, { method: "POST", headers: { Authorization: `Bearer ${alice.token}` } });
    const { connectionToken } = (await neg.json()) as any;
    const ws = new WebSocket(`${url.replace("http", "ws")}/hubs/chat?id=${encodeURIComponent(connectionToken)}`);
    const frames: string[] = [];
    ws.on("message", (d) => frames.push(String(d)));
    await new Promise((ok) => ws.once("open", ok));
    ws.send('{"protocol":"messagepack","version":1}\u001e');
    const code = await new Promise<number>((ok) => ws.once("close", (c) => ok(c)));
    expect(frames.join("")).toMatch(/^\{"error":"The protocol 'messagepack' is not supported.*\}\u001e$/);
    expect(code).toBe(1000);
    // A handshake that is not JSON at all gets an error record too, then the close.
    const neg2 = await fetch(`${url}/hubs/chat/negotiate?negotiateVersion=1`, { method: "POST", headers: { Authorization: `Bearer ${alice.token}` } });
    const garbled = new WebSocket(`${url.replace("http", "ws")}/hubs/chat?id=${encodeURIComponent(((await neg2.json()) as any).connectionToken)}`);
    const garbledFrames: string[] = [];
    garbled.on("message", (d) => garbledFrames.push(String(d)));
    await new Promise((ok) => garbled.once("open", ok));
    garbled.send("{protocol: json\u001e");
    await new Promise((ok) => garbled.once("close", ok));
    expect(garbledFrames.join("")).toMatch(/^\{"error":"An unexpected error occurred during connection handshake\. InvalidDataException: .*\}\u001e$/);
    const bad = new WebSocket(`${url.replace("http", "ws")}/hubs/chat?id=forged`);
    const status = await new Promise<number>((ok) => bad.once("unexpected-response", (_req, res) => ok(res.statusCode ?? 0)));
    expect(status).toBe(404); // "No Connection with that ID", as ASP.NET Core answers
  });
});

describe("message changes with the official clients", () => {
  it("SignalR: EditMessage, React, SendReply and DeleteMessage return the new state; another connection and a Connect stream see each change once", async () => {
    const { alice, bob, roomId } = await sharedRoom();
    const a = await hub(alice);
    const b = await hub(bob);
    const updated: any[] = [];
    b.conn.on("MessageUpdated", (m) => updated.push(m));
    await a.conn.invoke("JoinRoom", roomId);
    await b.conn.invoke("JoinRoom", roomId);
    const abort = new AbortController();
    const streamed: any[] = [];
    const reading = (async () => {
      for await (const item of connectClient("connect", bob.token).streamMessages({ roomId, sinceSeq: 0n, includeUpdates: true }, { signal: abort.signal })) streamed.push(item);
    })().catch(() => undefined);

    const sent = await a.conn.invoke("SendMessage", roomId, "helo");
    // The stream is live once it has the message (replayed or live): every change after that reaches it.
    await until(() => (streamed.length > 0 ? true : undefined), "the stream's first message");
    const edited = await a.conn.invoke("EditMessage", roomId, sent.seq, "hello");
    expect(edited).toMatchObject({ seq: sent.seq, body: "hello" });
    expect(edited.editedAt).toEqual(expect.any(Number));
    const reacted = await b.conn.invoke("React", roomId, sent.seq, "👍", true);
    expect(await b.conn.invoke("React", roomId, sent.seq, "👍", true)).toEqual(reacted); // a retry changes nothing
    expect(reacted.reactions).toEqual([{ emoji: "👍", count: 1, userIds: [bob.id] }]);
    const reply = await b.conn.invoke("SendReply", roomId, "hi!", null, sent.seq);
    expect(reply.replyTo).toEqual({ seq: sent.seq, userId: alice.id, username: alice.username, excerpt: "hello", deleted: false });
    await expect(b.conn.invoke("EditMessage", roomId, sent.seq, "not mine")).rejects.toThrow(/not_author: /);
    await expect(b.conn.invoke("EditMessage", roomId, "1", "x")).rejects.toThrow(/takes \(string, integer, string\[, string\?\]\)/);
    const deleted = await a.conn.invoke("DeleteMessage", roomId, sent.seq);
    expect(deleted).toMatchObject({ seq: sent.seq, deleted: true, body: "" });

    // The reply quotes its original as it is now: deleting it updates the reply too.
    const quoteGone = { ...reply, replyTo: { ...reply.replyTo, excerpt: "", deleted: true } };
    await until(() => (updated.length >= 4 ? true : undefined), "MessageUpdated");
    expect(updated).toEqual([edited, reacted, deleted, quoteGone]);
    await until(() => (streamed.length >= 6 ? true : undefined), "the Connect stream");
    abort.abort();
    await reading;
    expect(streamed.map((i) => (i.message ? `message ${i.message.seq}` : `update ${i.update.message.seq} ${i.update.changeSeq}`))).toEqual([
      "message 1",
      "update 1 1",
      "update 1 2",
      "message 2",
      "update 1 3",
      "update 2 4",
    ]);
    await a.conn.stop();
    await b.conn.stop();
  });

  for (const kind of ["connect", "grpc-web"] as const) {
    it(`${kind}: EditMessage, React, DeleteMessage and reply_to; a SignalR connection receives MessageUpdated; refusals keep their codes`, async () => {
      const { alice, bob, roomId } = await sharedRoom();
      const watcher = await hub(bob);
      const updated: any[] = [];
      watcher.conn.on("MessageUpdated", (m) => updated.push(m));
      await watcher.conn.invoke("JoinRoom", roomId);
      const a = connectClient(kind, alice.token);
      const b = connectClient(kind, bob.token);
      const { seq } = (await a.sendMessage({ roomId, body: "helo" })).message!;
      expect((await a.editMessage({ roomId, seq, body: "hello" })).message).toMatchObject({ body: "hello", editedAt: expect.any(BigInt) });
      const reacted = (await b.react({ roomId, seq, emoji: "🎉", on: true })).message!;
      expect(reacted.reactions.map((r) => [r.emoji, r.count, r.userIds])).toEqual([["🎉", 1n, [bob.id]]]);
      expect((await b.react({ roomId, seq, emoji: "🎉", on: true })).message).toEqual(reacted);
      const reply = (await b.sendMessage({ roomId, body: "re", replyTo: seq })).message!;
      expect(reply.replyTo).toMatchObject({ seq, userId: alice.id, excerpt: "hello", deleted: false });
      await expect(b.deleteMessage({ roomId, seq })).rejects.toMatchObject({ code: Code.PermissionDenied, rawMessage: expect.stringMatching(/^not_author: /) });
      await expect(b.react({ roomId, seq, emoji: "nope", on: true })).rejects.toMatchObject({ code: Code.InvalidArgument });
      await expect(a.editMessage({ roomId, seq: 99n, body: "x" })).rejects.toMatchObject({ code: Code.NotFound });
      expect((await a.deleteMessage({ roomId, seq })).message).toMatchObject({ deleted: true, body: "", reactions: [] });
      await until(() => (updated.length >= 4 ? true : undefined), "MessageUpdated");
      expect(updated.map((m) => [m.seq, m.body, m.deleted ?? false])).toEqual([
        [1, "hello", false],
        [1, "hello", false],
        [1, "", true],
        [2, "re", false],
      ]);
      await watcher.conn.stop();
    });
  }
});

describe("ChatService with @connectrpc/connect-web", () => {
  for (const kind of ["connect", "grpc-web"] as const) {
    it(`${kind}: SendMessage, History, ListRooms and a resumable StreamMessages`, async () => {
      const { alice, bob, roomId } = await sharedRoom();
      const a = connectClient(kind, alice.token);
      const b = connectClient(kind, bob.token, kind === "connect" ? false : true);
      const sent = await a.sendMessage({ roomId, body: "first", clientId: "c-1" });
      expect(sent.message).toMatchObject({ roomId, seq: 1n, body: "first", clientId: "c-1", username: alice.username });
      const again = await a.sendMessage({ roomId, body: "first", clientId: "c-1" });
      expect(again.duplicate).toBe(true);
      expect(again.message?.seq).toBe(1n);

      const abort = new AbortController();
      const seen: bigint[] = [];
      const reading = (async () => {
        for await (const item of b.streamMessages({ roomId, sinceSeq: 0n }, { signal: abort.signal })) {
          seen.push(item.message!.seq);
          if (seen.length === 3) break;
        }
      })();
      await until(() => (seen.length >= 1 ? true : undefined), "the replayed message");
      // Live messages from two other protocols arrive on the same stream.
      await call(`/api/rooms/${roomId}/messages`, alice.token, { body: "over REST", clientId: "rest-1" });
      const { ws } = await hearthSocket(alice, roomId);
      ws.send(JSON.stringify({ type: "send", clientId: "ws-1", body: "over the socket" }));
      await reading;
      abort.abort();
      ws.close();
      expect(seen).toEqual([1n, 2n, 3n]);

      const history = await b.history({ roomId, limit: 2 });
      expect(history.messages.map((m) => m.body)).toEqual(["over the socket", "over REST"]);
      const rooms = await b.listRooms({});
      expect(rooms.rooms.map((r) => r.id)).toContain(roomId);
      const stats = await b.getStats({});
      expect(stats.messagesAccepted).toBeGreaterThanOrEqual(0n);
      expect(stats.protocols.map((p) => p.protocol)).toEqual(["websocket", "signalr", "connect", "rest"]);
    });

    it(`${kind}: a missing or bad token, a non-member and bad input get their own codes`, async () => {
      const { roomId } = await sharedRoom();
      const outsider = await signup();
      const anonymous = connectClient(kind);
      await expect(anonymous.sendMessage({ roomId, body: "x" })).rejects.toMatchObject({ code: Code.Unauthenticated });
      await expect(connectClient(kind, "garbage").listRooms({})).rejects.toMatchObject({ code: Code.Unauthenticated });
      const o = connectClient(kind, outsider.token);
      await expect(o.sendMessage({ roomId, body: "x" })).rejects.toMatchObject({ code: Code.PermissionDenied });
      const stream = o.streamMessages({ roomId });
      await expect(
        (async () => {
          for await (const _ of stream) break;
        })(),
      ).rejects.toMatchObject({ code: Code.PermissionDenied });
      await expect(o.history({ roomId: "r_nope" })).rejects.toMatchObject({ code: Code.NotFound });
    });

    it(`${kind}: text that is not well-formed Unicode is refused in JSON, and binary protobuf cannot carry it`, async () => {
      const { alice, roomId } = await sharedRoom();
      // Connect's JSON carries a lone surrogate as \ud800: refused with InvalidArgument.
      if (kind === "connect") {
        const json = connectClient(kind, alice.token, false);
        await expect(json.sendMessage({ roomId, body: "x\ud800y", clientId: "lone-json" })).rejects.toMatchObject({ code: Code.InvalidArgument });
      }
      // Binary protobuf strings are UTF-8: the client's encoder already replaced the surrogate
      // with U+FFFD, so what is stored is what was sent, and the answer says so.
      const binary = connectClient(kind, alice.token, true);
      const sent = await binary.sendMessage({ roomId, body: "x\ud800y", clientId: `lone-bin-${kind}` });
      expect(sent.message?.body).toBe("x\ufffdy");
      const page = await binary.history({ roomId, limit: 5 });
      expect(page.messages.find((m) => m.clientId === `lone-bin-${kind}`)?.body).toBe(sent.message?.body);
    });
  }

  it("answers invalid protobuf with invalid_argument, and plain gRPC as unsupported", async () => {
    const { alice } = await sharedRoom();
    const garbage = await fetch(`${url}/hearth.v1.ChatService/SendMessage`, {
      method: "POST",
      headers: { "content-type": "application/proto", Authorization: `Bearer ${alice.token}` },
      body: new Uint8Array([0xff, 0xff, 0xff, 0x0f, 0x08]),
    });
    expect(garbage.status).toBe(400);
    expect(((await garbage.json()) as any).code).toBe("invalid_argument");
    const gw = await fetch(`${url}/hearth.v1.ChatService/SendMessage`, {
      method: "POST",
      headers: { "content-type": "application/grpc-web+proto", Authorization: `Bearer ${alice.token}` },
      body: new Uint8Array([0, 0, 0, 0, 5, 0xff, 0xff, 0xff, 0x0f, 0x08]),
    });
    expect(gw.headers.get("grpc-status")).toBe("3");
    const json = await fetch(`${url}/hearth.v1.ChatService/SendMessage`, {
      method: "POST",
      headers: { "content-type": "application/json", Authorization: `Bearer ${alice.token}` },
      body: '{"roomId": 42, "nope": true}',
    });
    expect(json.status).toBe(400);
    const grpc = await fetch(`${url}/hearth.v1.ChatService/SendMessage`, {
      method: "POST",
      headers: { "content-type": "application/grpc", Authorization: `Bearer ${alice.token}` },
      body: new Uint8Array([0, 0, 0, 0, 0]),
    });
    expect(grpc.status).toBe(415);
  });

  it("counts connections and messages per protocol in /stats", async () => {
    const { alice, roomId } = await sharedRoom();
    const { conn } = await hub(alice);
    await conn.invoke("JoinRoom", roomId);
    await conn.invoke("SendMessage", roomId, "counted");
    await connectClient("connect", alice.token).sendMessage({ roomId, body: "counted too" });
    // Rooms report to the stats object from their alarm, about 2 s after a socket opens.
    let s: any;
    for (let i = 0; i < 50; i++) {
      s = (await call("/stats")).json;
      const by = Object.fromEntries(s.protocols.map((p: any) => [p.protocol, p]));
      if (by.signalr.messagesIn >= 1 && by.connect.messagesIn >= 1 && by.signalr.connections >= 1) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const by = Object.fromEntries(s.protocols.map((p: any) => [p.protocol, p]));
    expect(by.signalr.messagesIn).toBeGreaterThanOrEqual(1);
    expect(by.signalr.connections).toBeGreaterThanOrEqual(1);
    expect(by.signalr.messagesOut).toBeGreaterThanOrEqual(1);
    expect(by.connect.messagesIn).toBeGreaterThanOrEqual(1);
    await conn.stop();
  });
});
