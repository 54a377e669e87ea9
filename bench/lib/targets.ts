/**
 * What the bench talks to, behind one interface: Hearth (accounts, rooms, tickets, its
 * socket protocol) and the ceiling worker's two Durable Objects (bare broadcast, and
 * broadcast + SQLite insert). Both get the same frames from the same client code: a
 * sender sends `{"type":"send","clientId","body"}` and waits for its acknowledgement
 * (Hearth's `ack`; on the ceiling, its own frame coming back) before sending the next.
 */
import WebSocket from "ws";
import type { Server } from "./servers.ts";
import { pool } from "./stats.ts";

export type TargetName = "hearth" | "ceiling" | "ceiling-bytes" | "floor" | "floor-bare" | "forward";

export const TARGET_LABEL: Record<TargetName, string> = {
  hearth: "Hearth",
  ceiling: "ceiling (broadcast only)",
  "ceiling-bytes": "ceiling, same bytes (broadcast padded to Hearth's frame)",
  floor: "floor (broadcast + SQLite insert)",
  "floor-bare": "floor, bare (no asset router in front)",
  forward: "forward (room object + K shard objects, the costs scenario)",
};

/** What one incoming frame means to the bench. */
export type Decoded =
  | { kind: "delivery"; clientId: string; body: string; seq?: number }
  | { kind: "ack"; clientId: string }
  | { kind: "error"; code: string; clientId?: string }
  | { kind: "other" };

export type ConnectResult =
  | { ok: true; ws: WebSocket; /** ms: the upgrade, until the first frame (Hearth) or open (ceiling) */ connectMs: number; upgradeMs: number }
  | { ok: false; status: number; code: string; connectMs: number };

export interface Target {
  name: TargetName;
  server: Server;
  /** The ceiling echoes the sender's own frame: that echo is its ack. */
  ackIsOwnEcho: boolean;
  /** Creates `count` rooms that `members` users can connect to; returns their ids. */
  rooms(count: number, members: number, reuseKey?: string): Promise<string[]>;
  /** Opens a socket to `room` as user number `user` (0-based); `who`: the socket's role and number in its room. */
  connect(room: string, user: number, onFrame: (data: string) => void, who?: { role: "sender" | "receiver"; index: number }): Promise<ConnectResult>;
  encodeSend(clientId: string, body: string): string;
  decode(data: string): Decoded;
}

const JSON_HEADERS = { "content-type": "application/json" };

/** Shared by both targets: opens a ws client (no compression) and reports a refused upgrade. */
function openSocket(url: string, onFrame: (data: string) => void, waitForFirstFrame: boolean, protocols?: string[]): Promise<{ ok: true; ws: WebSocket } | { ok: false; status: number; code: string }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, protocols ?? [], { perMessageDeflate: false, handshakeTimeout: 30_000 });
    let settled = false;
    const done = (v: { ok: true; ws: WebSocket } | { ok: false; status: number; code: string }) => {
      if (settled) return;
      settled = true;
      resolve(v);
    };
    ws.on("unexpected-response", (_req, res) => {
      let text = "";
      res.on("data", (d: Buffer) => (text += d));
      res.on("end", () => {
        let code = "";
        try {
          code = JSON.parse(text)?.error?.code ?? "";
        } catch {
          code = text.slice(0, 80);
        }
        done({ ok: false, status: res.statusCode ?? 0, code });
        ws.terminate();
      });
    });
    ws.on("error", (err) => done({ ok: false, status: 0, code: String((err as Error).message ?? err) }));
    ws.on("close", (code) => done({ ok: false, status: 0, code: `closed ${code} before ready` }));
    ws.on("message", (data: Buffer) => {
      const text = data.toString();
      if (!settled && waitForFirstFrame) done({ ok: true, ws });
      onFrame(text);
    });
    ws.on("open", () => {
      if (!waitForFirstFrame) done({ ok: true, ws });
    });
  });
}

async function api<T = any>(base: string, method: string, path: string, token?: string, body?: unknown): Promise<{ status: number; json: T }> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { ...JSON_HEADERS, ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json: any = null;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: res.status, json };
}

interface HearthUser {
  id: string;
  username: string;
  token: string;
}

let uniq = 0;

export class HearthTarget implements Target {
  readonly name = "hearth" as const;
  readonly ackIsOwnEcho = false;
  readonly server: Server;
  users: HearthUser[] = [];
  private readonly tag = `${Date.now().toString(36)}${(uniq++).toString(36)}`;

  constructor(server: Server) {
    this.server = server;
  }

  /** Signs up `count` users (each signup costs a PBKDF2 hash, so a few users share many sockets). */
  async ensureUsers(count: number) {
    while (this.users.length < count) {
      const username = `b${this.tag}_${this.users.length}`.slice(0, 32);
      const r = await api(this.server.url, "POST", "/api/auth/signup", undefined, { username, password: "bench-password-1" });
      if (r.status !== 201) throw new Error(`signup failed: ${r.status} ${JSON.stringify(r.json)}`);
      this.users.push({ id: r.json.user.id, username, token: r.json.token });
    }
  }

  private cache = new Map<string, string[]>();

  /** Rooms for `reuseKey` are made once and handed out again (creating 500 memberships per rep is slow). */
  async rooms(count: number, members: number, reuseKey?: string): Promise<string[]> {
    const key = `${reuseKey}:${count}:${members}`;
    if (reuseKey && this.cache.has(key)) return this.cache.get(key)!;
    const ids = await this.makeRooms(count, members);
    if (reuseKey) this.cache.set(key, ids);
    return ids;
  }

  private roomsMade = 0;

  private async makeRooms(count: number, members: number): Promise<string[]> {
    await this.ensureUsers(members);
    // Public room names are unique in a deployment (docs/admin.md): each batch gets its own.
    const batch = `${this.tag}.${(this.roomsMade++).toString(36)}`;
    const ids = await pool(Array.from({ length: count }, (_, i) => i), 8, async (i) => {
      const r = await api(this.server.url, "POST", "/api/rooms", this.users[0]!.token, { name: `bench ${batch} ${i}`, visibility: "public" });
      if (r.status !== 201) throw new Error(`create room failed: ${r.status} ${JSON.stringify(r.json)}`);
      return r.json.id as string;
    });
    await this.join(ids, Array.from({ length: members - 1 }, (_, u) => u + 1));
    return ids;
  }

  /** Users number `users` (signed up already) join each of `rooms`. */
  async join(rooms: string[], users: number[]): Promise<void> {
    const joins = rooms.flatMap((id) => users.map((u) => ({ id, u })));
    await pool(joins, 8, async ({ id, u }) => {
      const r = await api(this.server.url, "POST", `/api/rooms/${id}/join`, this.users[u]!.token, {});
      if (r.status !== 200) throw new Error(`join failed: ${r.status} ${JSON.stringify(r.json)}`);
    });
  }

  async connect(room: string, user: number, onFrame: (data: string) => void): Promise<ConnectResult> {
    // Ready = the `hello` frame (sent by the room before the 101 leaves it).
    return this.open(`/api/rooms/${room}/ws`, user, onFrame);
  }

  /**
   * Opens user number `user`'s per-user channel (`GET /api/me/ws`, docs/protocol.md §6).
   * Ready = its `hello` (sent once every room of the user answered its counts).
   */
  async channel(user: number, onFrame: (data: string) => void): Promise<ConnectResult> {
    return this.open("/api/me/ws", user, onFrame);
  }

  /** As Hearth's client does it: the session token as a subprotocol, one request (docs/protocol.md §1); ready at the first frame. A v2 message frame has no clientId for others: deliveries are matched by their body. */
  private async open(path: string, user: number, onFrame: (data: string) => void): Promise<ConnectResult> {
    const u = this.users[user % this.users.length]!;
    const t0 = performance.now();
    // As the web client does: version 2 first (compact message frames), then 1 (the per-user channel speaks only 1).
    const r = await openSocket(`${this.server.url.replace("http", "ws")}${path}`, onFrame, true, ["hearth.v2", "hearth.v1", `bearer.${u.token}`]);
    const t1 = performance.now();
    return r.ok ? { ok: true, ws: r.ws, connectMs: t1 - t0, upgradeMs: t1 - t0 } : { ...r, connectMs: t1 - t0 };
  }

  encodeSend(clientId: string, body: string): string {
    return JSON.stringify({ type: "send", clientId, body });
  }

  decode(data: string): Decoded {
    const f = JSON.parse(data);
    switch (f.type) {
      case "message":
        return { kind: "delivery", clientId: f.message.clientId, body: f.message.body, seq: f.message.seq };
      case "ack":
        return { kind: "ack", clientId: f.clientId };
      case "error":
        return { kind: "error", code: f.code, clientId: f.clientId };
      default:
        return { kind: "other" };
    }
  }
}

export class CeilingTarget implements Target {
  readonly ackIsOwnEcho = true;
  readonly name: "ceiling" | "ceiling-bytes" | "floor" | "floor-bare";
  readonly server: Server;
  private readonly path: "broadcast" | "sqlite";
  private next = 0;
  private readonly tag = `${Date.now().toString(36)}${(uniq++).toString(36)}`;

  /** `padTo` ("ceiling-bytes"): the bytes each delivered frame is padded to, asked when a run opens its sockets. */
  private readonly padTo: () => number;

  constructor(server: Server, name: "ceiling" | "ceiling-bytes" | "floor" | "floor-bare", padTo: () => number = () => 0) {
    this.padTo = padTo;
    this.server = server;
    this.name = name;
    this.path = name === "floor" || name === "floor-bare" ? "sqlite" : "broadcast";
  }

  async rooms(count: number, _members?: number, _reuseKey?: string): Promise<string[]> {
    return Array.from({ length: count }, () => `r${this.tag}_${this.next++}`);
  }

  async connect(room: string, _user: number, onFrame: (data: string) => void): Promise<ConnectResult> {
    const t0 = performance.now();
    const pad = Math.round(this.padTo());
    const r = await openSocket(`${this.server.url.replace("http", "ws")}/${this.path}/${room}/ws${pad > 0 ? `?pad=${pad}` : ""}`, onFrame, false);
    const ms = performance.now() - t0;
    return r.ok ? { ok: true, ws: r.ws, connectMs: ms, upgradeMs: ms } : { ...r, connectMs: ms };
  }

  encodeSend(clientId: string, body: string): string {
    return JSON.stringify({ type: "send", clientId, body });
  }

  decode(data: string): Decoded {
    const f = JSON.parse(data);
    return f.type === "send" ? { kind: "delivery", clientId: f.clientId, body: f.body } : { kind: "other" };
  }
}

/**
 * The costs scenario's sharded-room stand-in (bench/ceiling/ ForwardRoom + ShardRoom, issue
 * 20 item 4): senders connect to the room object, which forwards each frame to `shards`
 * shard objects (with `filler` extra frames per call, padded to `pad` bytes) and then echoes
 * it to them (the ack); receiver i connects to shard i mod K.
 */
export class ForwardTarget implements Target {
  readonly name = "forward" as const;
  readonly ackIsOwnEcho = true;
  readonly server: Server;
  private next = 0;
  private readonly tag = `${Date.now().toString(36)}${(uniq++).toString(36)}`;

  readonly shards: number;
  readonly filler: number;
  readonly pad: number;

  constructor(server: Server, shards: number, filler = 0, pad = 0) {
    this.server = server;
    this.shards = shards;
    this.filler = filler;
    this.pad = pad;
  }

  /** The rooms handed out so far (for stats). */
  readonly made: string[] = [];

  async rooms(count: number): Promise<string[]> {
    const rooms = Array.from({ length: count }, () => `f${this.tag}_${this.next++}`);
    this.made.push(...rooms);
    return rooms;
  }

  async connect(room: string, _user: number, onFrame: (data: string) => void, who?: { role: "sender" | "receiver"; index: number }): Promise<ConnectResult> {
    const base = this.server.url.replace("http", "ws");
    const url = who?.role === "receiver" ? `${base}/shard/${room}.${who.index % Math.max(1, this.shards)}/ws` : `${base}/forward/${room}/ws?shards=${this.shards}&filler=${this.filler}&pad=${this.pad}`;
    const t0 = performance.now();
    const r = await openSocket(url, onFrame, false);
    const ms = performance.now() - t0;
    return r.ok ? { ok: true, ws: r.ws, connectMs: ms, upgradeMs: ms } : { ...r, connectMs: ms };
  }

  /** The room object's counters so far: messages, forward calls, frames forwarded (fillers included). */
  async stats(room: string): Promise<{ messages: number; calls: number; frames: number }> {
    return (await fetch(`${this.server.url}/forward/${room}/stats`)).json() as Promise<{ messages: number; calls: number; frames: number }>;
  }

  encodeSend(clientId: string, body: string): string {
    return JSON.stringify({ type: "send", clientId, body });
  }

  decode(data: string): Decoded {
    const f = JSON.parse(data);
    return f.type === "send" ? { kind: "delivery", clientId: f.clientId, body: f.body } : { kind: "other" };
  }
}

/** Closes sockets politely (so that rooms release their slots) and waits for the close events. */
export async function closeAll(sockets: WebSocket[], timeoutMs = 15_000): Promise<void> {
  await Promise.all(
    sockets.map(
      (ws) =>
        new Promise<void>((ok) => {
          if (ws.readyState === WebSocket.CLOSED) return ok();
          const timer = setTimeout(() => {
            ws.terminate();
            ok();
          }, timeoutMs);
          ws.once("close", () => {
            clearTimeout(timer);
            ok();
          });
          try {
            ws.close(1000, "bench done");
          } catch {
            ws.terminate();
          }
        }),
    ),
  );
}
