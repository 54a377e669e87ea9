/**
 * The SignalR hub behaves as ASP.NET Core's does (dotnet/aspnetcore src/SignalR): method and
 * protocol names match case-insensitively, negotiate versions 0 and 1, records split across
 * WebSocket frames are buffered up to MaximumReceiveMessageSize (32 KB), the handshake times
 * out, and a connection token opens one connection. Against a real `wrangler dev`, with the
 * official @microsoft/signalr client where it can say it and raw `ws` frames where it cannot.
 */
import { HttpTransportType, HubConnectionBuilder, LogLevel, type HubConnection } from "@microsoft/signalr";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { startHearth, type Hearth } from "../support/wrangler";
import { call, signup, until, type User } from "./rest";

const RS = "\u001e";
const HANDSHAKE_TIMEOUT_MS = 1500;
let hearth: Hearth;
let url: string;
let wsUrl: string;

beforeAll(async () => {
  hearth = await startHearth({ vars: { SIGNALR_HANDSHAKE_TIMEOUT_MS: String(HANDSHAKE_TIMEOUT_MS), SIGNALR_PING_MS: "1000" } });
  url = hearth.url;
  wsUrl = url.replace("http", "ws");
});
afterAll(async () => {
  await hearth?.stop();
});

async function roomWithMember(): Promise<{ user: User; roomId: string }> {
  const user = await signup(url, "srconf");
  const room = (await call(url, "/api/rooms", user.token, { name: `conformance-${crypto.randomUUID().slice(0, 8)}`, visibility: "public" })).json;
  return { user, roomId: room.id as string };
}

async function hub(user: User): Promise<HubConnection> {
  const conn = new HubConnectionBuilder()
    .withUrl(`${url}/hubs/chat`, { transport: HttpTransportType.WebSockets, accessTokenFactory: () => user.token })
    .configureLogging(LogLevel.None)
    .build();
  await conn.start();
  return conn;
}

/** A raw socket to the hub that collects the records it receives (split at 0x1E) and how it closed. */
function rawHub(query: string) {
  const ws = new WebSocket(`${wsUrl}/hubs/chat?${query}`);
  const records: any[] = [];
  let rest = "";
  ws.on("message", (d) => {
    const parts = (rest + String(d)).split(RS);
    rest = parts.pop()!;
    for (const p of parts) records.push(JSON.parse(p));
  });
  const closed = new Promise<number>((ok) => ws.once("close", (code) => ok(code)));
  const opened = new Promise<void>((ok, fail) => {
    ws.once("open", () => ok());
    ws.once("error", fail);
  });
  /** The HTTP status of a refused upgrade. */
  const refused = new Promise<number>((ok) => ws.once("unexpected-response", (_req, res) => ok(res.statusCode ?? 0)));
  ws.on("error", () => undefined);
  return { ws, records, closed, opened, refused };
}


async function negotiate(user: User, query = "negotiateVersion=1") {
  const res = await fetch(`${url}/hubs/chat/negotiate${query ? `?${query}` : ""}`, { method: "POST", headers: { Authorization: `Bearer ${user.token}` } });
  return { status: res.status, body: (await res.json()) as any };
}

/** Negotiates (version 1), opens a raw socket with the token and completes the handshake. */
async function handshaken(user: User) {
  const { body } = await negotiate(user);
  const sock = rawHub(`id=${encodeURIComponent(body.connectionToken)}`);
  await sock.opened;
  sock.ws.send(`{"protocol":"json","version":1}${RS}`);
  await until(() => (sock.records.length > 0 ? true : undefined), "the handshake response");
  expect(sock.records[0]).toEqual({});
  return sock;
}

describe("hub method and protocol names match case-insensitively (OrdinalIgnoreCase)", () => {
  it("accepts joinroom, JOINROOM, sendmessage, TYPING, leaveROOM from the official client", async () => {
    const { user, roomId } = await roomWithMember();
    const conn = await hub(user);
    expect(await conn.invoke("joinroom", roomId)).toMatchObject({ roomId, lastSeq: 0 });
    expect(await conn.invoke("JOINROOM", roomId)).toEqual({ roomId, joined: true });
    expect(await conn.invoke("JoinRoom", roomId)).toEqual({ roomId, joined: true });
    expect(await conn.invoke("sendmessage", roomId, "lower-case method")).toMatchObject({ roomId, seq: 1, body: "lower-case method" });
    expect(await conn.invoke("TYPING", roomId, true)).toBeNull();
    expect(await conn.invoke("leaveROOM", roomId)).toBeNull();
    // Wrong arguments name the method as the caller spelled it; unknown names are still unknown.
    await expect(conn.invoke("sendMESSAGE", roomId)).rejects.toThrow(/Failed to invoke 'sendMESSAGE': it takes \(string, string\[, string\]\)/);
    await expect(conn.invoke("JoinRoomX", roomId)).rejects.toThrow(/Unknown hub method 'JoinRoomX'/);
    // Names from Object.prototype are not methods (the old lookup found them and wedged the connection).
    await expect(conn.invoke("constructor", roomId)).rejects.toThrow(/Unknown hub method 'constructor'/);
    await expect(conn.invoke("toString")).rejects.toThrow(/Unknown hub method 'toString'/);
    expect(await conn.invoke("JoinRoom", roomId)).toMatchObject({ roomId, lastSeq: 1 }); // still served
    await conn.stop();
  });

  it("accepts the protocol name 'JSON' in the handshake", async () => {
    const { user } = await roomWithMember();
    const { body } = await negotiate(user);
    const sock = rawHub(`id=${encodeURIComponent(body.connectionToken)}`);
    await sock.opened;
    sock.ws.send(`{"protocol":"JSON","version":1}${RS}`);
    await until(() => (sock.records.length > 0 ? true : undefined), "the handshake response");
    expect(sock.records[0]).toEqual({});
    sock.ws.close();
  });
});

describe("negotiate versions 0 and 1", () => {
  it("answers a client that sends no negotiateVersion in version 0's shape, and that connectionId connects", async () => {
    const { user, roomId } = await roomWithMember();
    const { status, body } = await negotiate(user, "");
    expect(status).toBe(200);
    expect(body.negotiateVersion).toBe(0);
    expect(typeof body.connectionId).toBe("string");
    expect(body).not.toHaveProperty("connectionToken");
    expect(body.availableTransports).toEqual([{ transport: "WebSockets", transferFormats: ["Text"] }]);
    const sock = rawHub(`id=${encodeURIComponent(body.connectionId)}`);
    await sock.opened;
    sock.ws.send(`{"protocol":"json","version":1}${RS}{"type":1,"invocationId":"1","target":"JoinRoom","arguments":["${roomId}"]}${RS}`);
    const done = await until(() => sock.records.find((r) => r.type === 3), "JoinRoom's completion");
    expect(sock.records[0]).toEqual({});
    expect(done).toMatchObject({ invocationId: "1", result: { roomId, lastSeq: 0 } });
    sock.ws.close();
  });

  it("keeps version 1: a connectionToken beside a connectionId, and only the token connects", async () => {
    const { user } = await roomWithMember();
    const { body } = await negotiate(user, "negotiateVersion=1");
    expect(body).toMatchObject({ negotiateVersion: 1, availableTransports: [{ transport: "WebSockets", transferFormats: ["Text"] }] });
    expect(typeof body.connectionToken).toBe("string");
    expect(body.connectionId).not.toBe(body.connectionToken);
    // The connectionId is public (other clients may see it): it is not a key to the connection.
    expect(await rawHub(`id=${encodeURIComponent(body.connectionId)}`).refused).toBe(404);
    // A client asking for a newer version gets 1; the query key is case-insensitive, as in ASP.NET Core.
    expect((await negotiate(user, "negotiateVersion=7")).body.negotiateVersion).toBe(1);
    expect((await negotiate(user, "NegotiateVersion=1")).body.negotiateVersion).toBe(1);
    expect((await negotiate(user, "negotiateVersion=x")).body).toEqual({ error: "The client requested a non-integer protocol version." });
  });
});

describe("records split across WebSocket frames", () => {
  it("buffers a handshake and invocations split across frames until their 0x1E", async () => {
    const { user, roomId } = await roomWithMember();
    const { body } = await negotiate(user);
    const sock = rawHub(`id=${encodeURIComponent(body.connectionToken)}`);
    await sock.opened;
    sock.ws.send('{"protocol":"js');
    sock.ws.send('on","version":1}');
    sock.ws.send(RS);
    await until(() => (sock.records.length > 0 ? true : undefined), "the handshake response");
    expect(sock.records[0]).toEqual({});
    const join = `{"type":1,"invocationId":"j","target":"JoinRoom","arguments":["${roomId}"]}${RS}`;
    const send = `{"type":1,"invocationId":"s","target":"SendMessage","arguments":["${roomId}","in pieces"]}${RS}`;
    // One record in three frames, then a frame that ends it and starts the next.
    sock.ws.send(join.slice(0, 10));
    sock.ws.send(join.slice(10, 30));
    sock.ws.send(join.slice(30) + send.slice(0, 25));
    sock.ws.send(send.slice(25));
    const sent = await until(() => sock.records.find((r) => r.type === 3 && r.invocationId === "s"), "SendMessage's completion");
    expect(sent.result).toMatchObject({ roomId, body: "in pieces", seq: 1 });
    expect(sock.records.find((r) => r.type === 3 && r.invocationId === "j")).toMatchObject({ result: { roomId } });
    expect(sock.ws.readyState).toBe(WebSocket.OPEN);
    sock.ws.close();
  });

  it("closes with a Close record once a message outgrows 32 KB without its separator", async () => {
    const { user } = await roomWithMember();
    const sock = await handshaken(user);
    const big = `{"type":1,"target":"Typing","arguments":["${"x".repeat(20_000)}`;
    sock.ws.send(big); // 20 KB: still waiting for the rest
    await new Promise((r) => setTimeout(r, 300));
    expect(sock.ws.readyState).toBe(WebSocket.OPEN);
    sock.ws.send("y".repeat(13_000)); // now past 32768 bytes
    await sock.closed;
    const close = sock.records.find((r) => r.type === 7);
    expect(close?.error).toMatch(/The maximum message size of 32768B was exceeded/);
  });

  it("closes a connection whose single record is larger than 32 KB", async () => {
    const { user } = await roomWithMember();
    const sock = await handshaken(user);
    sock.ws.send(`{"type":6,"pad":"${"z".repeat(33_000)}"}${RS}`);
    await sock.closed;
    expect(sock.records.find((r) => r.type === 7)?.error).toMatch(/maximum message size of 32768B/);
  });

  it("answers a handshake larger than 32 KB with 'Handshake was canceled.' and closes", async () => {
    const { user } = await roomWithMember();
    const { body } = await negotiate(user);
    const sock = rawHub(`id=${encodeURIComponent(body.connectionToken)}`);
    await sock.opened;
    sock.ws.send(`{"protocol":"json","pad":"${"p".repeat(33_000)}`);
    await sock.closed;
    expect(sock.records).toEqual([{ error: "Handshake was canceled." }]);
  });
});

describe("handshake timeout", () => {
  it("closes a connection that never completes the handshake, with 'Handshake was canceled.'", async () => {
    const { user } = await roomWithMember();
    const { body } = await negotiate(user);
    const sock = rawHub(`id=${encodeURIComponent(body.connectionToken)}`);
    await sock.opened;
    sock.ws.send('{"protocol":"json"'); // a start, never finished
    const started = Date.now();
    const outcome = await Promise.race([sock.closed.then(() => "closed"), new Promise((r) => setTimeout(() => r("still open"), HANDSHAKE_TIMEOUT_MS + 4000))]);
    expect(outcome).toBe("closed");
    expect(Date.now() - started).toBeLessThan(HANDSHAKE_TIMEOUT_MS + 3000);
    expect(sock.records).toEqual([{ error: "Handshake was canceled." }]);
  });

  it("leaves a connection that completed its handshake open past the timeout", async () => {
    const { user } = await roomWithMember();
    const sock = await handshaken(user);
    await new Promise((r) => setTimeout(r, HANDSHAKE_TIMEOUT_MS + 1000));
    expect(sock.ws.readyState).toBe(WebSocket.OPEN);
    expect(sock.records.some((r) => r.type === 6)).toBe(true); // pings, no Close
    expect(sock.records.some((r) => r.type === 7)).toBe(false);
    sock.ws.close();
  });
});

describe("a connection token opens one connection", () => {
  it("refuses a second socket with the same connectionToken (404), while the first is open and after", async () => {
    const { user } = await roomWithMember();
    const { body } = await negotiate(user);
    const first = rawHub(`id=${encodeURIComponent(body.connectionToken)}`);
    await first.opened;
    expect(await rawHub(`id=${encodeURIComponent(body.connectionToken)}`).refused).toBe(404);
    first.ws.close();
    await first.closed;
    expect(await rawHub(`id=${encodeURIComponent(body.connectionToken)}`).refused).toBe(404);
  });

  it("refuses a second socket with the same version-0 connectionId, and unknown ids", async () => {
    const { user } = await roomWithMember();
    const { body } = await negotiate(user, "");
    const first = rawHub(`id=${encodeURIComponent(body.connectionId)}`);
    await first.opened;
    expect(await rawHub(`id=${encodeURIComponent(body.connectionId)}`).refused).toBe(404);
    expect(await rawHub("id=no-such-connection").refused).toBe(404);
    first.ws.close();
  });

  it("still lets the official client connect, reconnect by negotiating again, and invoke", async () => {
    const { user, roomId } = await roomWithMember();
    const a = await hub(user);
    const b = await hub(user);
    expect(await a.invoke("JoinRoom", roomId)).toMatchObject({ roomId });
    expect(await b.invoke("JoinRoom", roomId)).toMatchObject({ roomId });
    await a.stop();
    await b.stop();
  });
});
