import { SELF } from "cloudflare:test";
import { BASE, type TestUser } from "./helpers";

/**
 * A minimal SignalR JSON hub protocol client for tests inside workerd, where the official
 * @microsoft/signalr client cannot open a socket to the worker (that one runs in
 * test/e2e against `wrangler dev`). It skips negotiation (the token in the header), does the
 * handshake, invokes methods and collects the invocations the server makes.
 */

const RS = "\u001e";

export type Completion = { result?: any; error?: string };

export class HubClient {
  /** The server's invocations of client methods (ReceiveMessage, MessageUpdated, …), in order. */
  readonly calls: { target: string; arguments: any[] }[] = [];
  /** The server's Close record, once it ended the connection. */
  closedWith: { error?: string } | null = null;
  private readonly pending = new Map<string, (c: Completion) => void>();
  private nextId = 0;
  private waiters: (() => void)[] = [];

  private constructor(private readonly ws: WebSocket) {
    ws.addEventListener("message", (e) => {
      for (const part of String(e.data).split(RS)) {
        if (!part) continue;
        const record = JSON.parse(part);
        if (record.type === 3) this.pending.get(record.invocationId)?.(record);
        if (record.type === 1) this.calls.push({ target: record.target, arguments: record.arguments });
        if (record.type === 7) this.closedWith = record;
      }
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  static async open(user: TestUser): Promise<HubClient> {
    const res = await SELF.fetch(`${BASE}/hubs/chat`, { headers: { Upgrade: "websocket", Authorization: `Bearer ${user.token}` } });
    if (res.status !== 101 || !res.webSocket) throw new Error(`hub upgrade failed: ${res.status}`);
    res.webSocket.accept();
    const hub = new HubClient(res.webSocket);
    const answered = new Promise<void>((ok) => res.webSocket!.addEventListener("message", () => ok(), { once: true }));
    res.webSocket.send(`{"protocol":"json","version":1}${RS}`);
    await answered;
    return hub;
  }

  /** Invokes a hub method; resolves with its Completion (`result` or `error`). */
  invoke(target: string, ...args: unknown[]): Promise<Completion> {
    const invocationId = String(++this.nextId);
    const done = new Promise<Completion>((ok) => this.pending.set(invocationId, ok));
    this.ws.send(JSON.stringify({ type: 1, invocationId, target, arguments: args }) + RS);
    return done;
  }

  /** The result of an invocation that must succeed. */
  async call(target: string, ...args: unknown[]): Promise<any> {
    const c = await this.invoke(target, ...args);
    if (c.error !== undefined) throw new Error(`${target} failed: ${c.error}`);
    return c.result;
  }

  /** The arguments of the server's calls of `target` so far, waiting until there are `count`. */
  async received(target: string, count: number, timeoutMs = 3000): Promise<any[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const got = this.calls.filter((c) => c.target === target).map((c) => c.arguments[0]);
      if (got.length >= count) return got;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${count} ${target}; got ${JSON.stringify(this.calls).slice(0, 600)}`);
      await new Promise<void>((ok) => {
        const t = setTimeout(ok, left);
        this.waiters.push(() => {
          clearTimeout(t);
          ok();
        });
      });
    }
  }

  close() {
    this.ws.close(1000, "bye");
  }
}
