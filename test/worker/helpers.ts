import { expect } from "vitest";
import { SELF } from "cloudflare:test";

export const BASE = "https://hearth.test";

let counter = 0;
/** A fresh, valid username for each call. */
export function uniqueName(prefix = "user"): string {
  counter += 1;
  return `${prefix}_${counter}_${Math.random().toString(36).slice(2, 8)}`.slice(0, 32);
}

export async function api(path: string, init: { method?: string; token?: string; body?: unknown; headers?: Record<string, string> } = {}) {
  const headers = new Headers(init.headers);
  if (init.token) headers.set("Authorization", `Bearer ${init.token}`);
  if (init.body !== undefined && !headers.has("content-type")) headers.set("content-type", "application/json");
  const res = await SELF.fetch(`${BASE}${path}`, {
    method: init.method ?? (init.body === undefined ? "GET" : "POST"),
    headers,
    body: init.body === undefined ? undefined : typeof init.body === "string" ? init.body : JSON.stringify(init.body),
  });
  const text = await res.text();
  let json: any = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  return { status: res.status, json, headers: res.headers, text };
}

export interface TestUser {
  id: string;
  username: string;
  token: string;
}

export async function signup(prefix = "user"): Promise<TestUser> {
  const username = uniqueName(prefix);
  const res = await api("/api/auth/signup", { body: { username, password: "correct horse battery" } });
  if (res.status !== 201) throw new Error(`signup failed: ${res.status} ${res.text}`);
  return { id: res.json.user.id, username: res.json.user.username, token: res.json.token };
}

/** A room of `owner`'s; its name is unique unless given (public room names are unique, case aside). */
export async function createRoom(owner: TestUser, visibility: "public" | "private" = "public", name = uniqueName("general")) {
  const res = await api("/api/rooms", { token: owner.token, body: { name, visibility } });
  if (res.status !== 201) throw new Error(`create room failed: ${res.status} ${res.text}`);
  return res.json as { id: string; name: string; visibility: string };
}

export async function join(user: TestUser, roomId: string) {
  const res = await api(`/api/rooms/${roomId}/join`, { method: "POST", token: user.token });
  if (res.status !== 200) throw new Error(`join failed: ${res.status} ${res.text}`);
}

type Frame = { type: string; [k: string]: any };

/** A room socket that records every frame and close, with helpers to wait for them. */
export class TestSocket {
  frames: Frame[] = [];
  closed: { code: number; reason: string } | null = null;
  private waiters: (() => void)[] = [];
  private taken = new Set<number>();

  constructor(readonly ws: WebSocket) {
    ws.addEventListener("message", (e) => {
      this.frames.push(JSON.parse(e.data as string));
      this.wake();
    });
    ws.addEventListener("close", (e) => {
      this.closed = { code: e.code, reason: e.reason };
      this.wake();
    });
  }

  private wake() {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  private async waitUntil<T>(check: () => T | undefined, what: string, timeoutMs = 3000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = check();
      if (found !== undefined) return found;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}; frames: ${JSON.stringify(this.frames).slice(0, 800)}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** The first frame not yet taken that matches; takes it. */
  next(match: (f: Frame) => boolean = () => true, what = "a frame", timeoutMs?: number): Promise<Frame> {
    return this.waitUntil(
      () => {
        for (let i = 0; i < this.frames.length; i++) {
          if (!this.taken.has(i) && match(this.frames[i]!)) {
            this.taken.add(i);
            return this.frames[i];
          }
        }
        return undefined;
      },
      what,
      timeoutMs,
    );
  }

  nextOfType(type: string, timeoutMs?: number) {
    return this.next((f) => f.type === type, `a ${type} frame`, timeoutMs);
  }

  waitClose(timeoutMs?: number) {
    return this.waitUntil(() => this.closed ?? undefined, "close", timeoutMs);
  }

  send(frame: unknown) {
    this.ws.send(typeof frame === "string" ? frame : JSON.stringify(frame));
  }

  /** Sends a message and resolves with its ack. */
  async sendMessage(body: string, clientId = crypto.randomUUID()) {
    this.send({ type: "send", clientId, body });
    return this.next((f) => (f.type === "ack" || f.type === "error") && f.clientId === clientId, `ack for ${clientId}`);
  }

  /** Sends a frame carrying `clientId` (a send or a change) and resolves with its ack or error. */
  async ask(frame: { type: string; clientId: string; [k: string]: unknown }) {
    this.send(frame);
    return this.next((f) => (f.type === "ack" || f.type === "error") && f.clientId === frame.clientId, `answer to ${frame.clientId}`);
  }

  close() {
    this.ws.close(1000, "bye");
  }
}

export async function ticket(user: TestUser, roomId: string): Promise<string> {
  const res = await api(`/api/rooms/${roomId}/ticket`, { method: "POST", token: user.token });
  if (res.status !== 200) throw new Error(`ticket failed: ${res.status} ${res.text}`);
  return res.json.ticket;
}

export async function upgrade(path: string, protocols?: string[]): Promise<Response> {
  const headers: Record<string, string> = { Upgrade: "websocket" };
  if (protocols) headers["Sec-WebSocket-Protocol"] = protocols.join(", ");
  return SELF.fetch(`${BASE}${path}`, { headers });
}

/** The subprotocols Hearth's client offers: its own and the session token (protocol §1). */
export function bearerProtocols(user: TestUser): string[] {
  return ["hearth.v1", `bearer.${user.token}`];
}

/** Opens a room socket (token as a subprotocol, as the client does, or with a ticket) and waits for its hello. */
export async function connect(
  user: TestUser,
  roomId: string,
  since?: number,
  via: "subprotocol" | "ticket" = "subprotocol",
  sinceChange?: number,
): Promise<{ socket: TestSocket; hello: Frame }> {
  const query = since === undefined ? "" : `since=${since}${sinceChange === undefined ? "" : `&sinceChange=${sinceChange}`}`;
  let res: Response;
  if (via === "ticket") {
    const t = await ticket(user, roomId);
    res = await upgrade(`/api/rooms/${roomId}/ws?ticket=${encodeURIComponent(t)}${query ? `&${query}` : ""}`);
  } else {
    res = await upgrade(`/api/rooms/${roomId}/ws${query ? `?${query}` : ""}`, bearerProtocols(user));
    if (res.status === 101) expect(res.headers.get("Sec-WebSocket-Protocol")).toBe("hearth.v1");
  }
  if (res.status !== 101 || !res.webSocket) throw new Error(`upgrade failed: ${res.status} ${await res.text()}`);
  res.webSocket.accept();
  const socket = new TestSocket(res.webSocket);
  const hello = await socket.nextOfType("hello");
  return { socket, hello };
}

/** A JWT signed as the worker signs them (the test config's secret), with any claims. */
export async function forgeToken(claims: object, secret = "test-secret-that-is-at-least-32-characters-long", header = { alg: "HS256", typ: "JWT" }) {
  const b64 = (v: string | ArrayBuffer) =>
    btoa(typeof v === "string" ? v : String.fromCharCode(...new Uint8Array(v))).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
  const body = `${b64(JSON.stringify(header))}.${b64(JSON.stringify(claims))}`;
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return `${body}.${b64(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(body)))}`;
}
