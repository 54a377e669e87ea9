/**
 * The ceiling that `npm run bench` measures Hearth against (see wrangler.toml beside this file).
 * Routes: GET /health, and the WebSocket upgrade GET /{broadcast|sqlite|probe}/{room}/ws[?pad=N];
 * the costs scenario's stand-ins for a sharded room (issue 20, item 4): the upgrade
 * GET /forward/{room}/ws?shards=K[&filler=F][&pad=N] (a sender on the room object), GET
 * /shard/{room}.{k}/ws (a receiver on shard k of that room) and GET /forward/{room}/stats.
 */
import { DurableObject } from "cloudflare:workers";

interface Env {
  BROADCAST: DurableObjectNamespace<BroadcastRoom>;
  SQLITE: DurableObjectNamespace<SqliteRoom>;
  PROBE: DurableObjectNamespace<ProbeRoom>;
  FORWARD: DurableObjectNamespace<ForwardRoom>;
  SHARD: DurableObjectNamespace<ShardRoom>;
}

/**
 * Hibernatable sockets; every frame goes to every socket of the room, sender included.
 * `?pad=N` on the upgrade (the same N for every socket of a room): each frame goes out padded
 * with a `"pad"` field to N bytes, the size of Hearth's message frame in the same run, so that
 * the ceiling carries the same bytes per delivery (issue 20, item 2). The padding is one string
 * concatenation per message, not per delivery.
 */
export class BroadcastRoom extends DurableObject<Env> {
  /** Bytes each broadcast frame is padded to (0: not padded); from the sockets' attachment after a wake. */
  protected pad: number | null = null;
  private padText = "";

  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get("Upgrade")?.toLowerCase() !== "websocket") return new Response("expected a WebSocket upgrade", { status: 400 });
    const pad = Math.min(Math.max(0, Number(new URL(request.url).searchParams.get("pad") ?? 0) || 0), 65536);
    const { 0: client, 1: server } = new WebSocketPair();
    this.ctx.acceptWebSocket(server);
    if (pad > 0) server.serializeAttachment({ pad });
    this.pad = pad;
    return new Response(null, { status: 101, webSocket: client });
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    this.broadcast(this.padded(ws, message));
  }

  /** The frame as it goes out: with `,"pad":"xx…"` before its last `}` up to `pad` bytes (ASCII frames). */
  protected padded(ws: WebSocket, message: string | ArrayBuffer): string | ArrayBuffer {
    this.pad ??= (ws.deserializeAttachment() as { pad?: number } | null)?.pad ?? 0;
    if (this.pad === 0 || typeof message !== "string") return message;
    const missing = this.pad - message.length - 10; // 10: `,"pad":""`
    if (missing <= 0) return message;
    if (this.padText.length !== missing) this.padText = "x".repeat(missing);
    return `${message.slice(0, -1)},"pad":"${this.padText}"}`;
  }

  protected broadcast(message: string | ArrayBuffer) {
    for (const socket of this.ctx.getWebSockets()) {
      try {
        socket.send(message);
      } catch {
        // closing
      }
    }
  }

  override async webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> {
    try {
      ws.close(code === 1005 || code === 1006 || code === 1015 ? 1000 : code, reason);
    } catch {
      // already closed
    }
  }
}

/** The durable-write floor: one SQLite insert per frame, then the same broadcast. */
export class SqliteRoom extends BroadcastRoom {
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec("CREATE TABLE IF NOT EXISTS frames (id INTEGER PRIMARY KEY, body TEXT NOT NULL)");
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    this.sql.exec("INSERT INTO frames (body) VALUES (?)", typeof message === "string" ? message : new TextDecoder().decode(message));
    this.broadcast(this.padded(ws, message));
  }
}

/** Not measured: answers any frame with the time this instance was constructed (a new time = it was evicted/hibernated). */
export class ProbeRoom extends BroadcastRoom {
  private readonly born = Date.now();

  override async webSocketMessage(ws: WebSocket): Promise<void> {
    ws.send(JSON.stringify({ born: this.born }));
  }
}

/** One shard's stream: frames waiting for the next call, and whether a call is out. */
interface ShardQueue {
  pending: { frame: string; done: () => void }[];
  busy: boolean;
}

/**
 * Stand-in for a big room's room object (issue 20, item 4): each frame from one of its sockets
 * (`?pad=N` as above) is forwarded to the room's K shards (`?shards=K`, objects "{room}.0" ...
 * "{room}.{K-1}" of ShardRoom) by RPC, `forward(frames)`, at most one call in flight per shard:
 * frames that arrive while a shard's call is out go together as the next call's batch. When
 * every shard has the frame (its call returned), the frame goes back to the room's own sockets:
 * the sender's ack. Nothing else (no SQLite, no checks), so that runs with different K differ
 * only by the forwards. `?filler=F` (measuring only): every call also carries F filler frames
 * of the same size that the shard skips, i.e. a batch of F + 1 frames, one of them delivered.
 * GET /forward/{room}/stats: how many messages, calls and frames so far.
 */
export class ForwardRoom extends BroadcastRoom {
  private conf: { room: string; shards: number; filler: number } | null = null;
  private queues: ShardQueue[] = [];
  private readonly counts = { messages: 0, calls: 0, frames: 0 };

  override async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname.endsWith("/stats")) return Response.json(this.counts);
    if (request.headers.get("Upgrade")?.toLowerCase() !== "websocket") return new Response("expected a WebSocket upgrade", { status: 400 });
    const num = (name: string, max: number) => Math.min(Math.max(0, Number(url.searchParams.get(name) ?? 0) || 0), max);
    const room = /^\/forward\/([^/]+)\/ws$/.exec(url.pathname)?.[1] ?? "";
    this.conf = { room, shards: num("shards", 256), filler: num("filler", 1000) };
    this.pad = num("pad", 65536);
    const { 0: client, 1: server } = new WebSocketPair();
    this.ctx.acceptWebSocket(server);
    server.serializeAttachment({ ...this.conf, pad: this.pad });
    return new Response(null, { status: 101, webSocket: client });
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    this.conf ??= ws.deserializeAttachment() as { room: string; shards: number; filler: number };
    const frame = this.padded(ws, message);
    const text = typeof frame === "string" ? frame : new TextDecoder().decode(frame);
    this.counts.messages += 1;
    const { room, shards } = this.conf!;
    const sent: Promise<void>[] = [];
    for (let k = 0; k < shards; k++) sent.push(new Promise<void>((done) => this.to(room, k, text, done)));
    await Promise.all(sent);
    this.broadcast(frame);
  }

  /** Queues `frame` for shard `k`: sent now if no call to that shard is out, else in the next call's batch. */
  private to(room: string, k: number, frame: string, done: () => void) {
    const q = (this.queues[k] ??= { pending: [], busy: false });
    q.pending.push({ frame, done });
    if (!q.busy) void this.pump(room, k, q);
  }

  private async pump(room: string, k: number, q: ShardQueue) {
    q.busy = true;
    const shard = this.env.SHARD.getByName(`${room}.${k}`);
    try {
      while (q.pending.length > 0) {
        const batch = q.pending.splice(0, 1000);
        const frames = batch.map((e) => e.frame);
        const filler = this.conf!.filler;
        if (filler > 0) {
          const f = `~${"x".repeat(Math.max(0, frames[0]!.length - 1))}`;
          for (let i = 0; i < filler; i++) frames.push(f);
        }
        this.counts.calls += 1;
        this.counts.frames += frames.length;
        try {
          await shard.forward(frames);
        } catch (err) {
          console.error(`forward to shard ${k} failed`, err);
        }
        for (const e of batch) e.done();
      }
    } finally {
      q.busy = false;
    }
  }
}

/** Stand-in for a big room's shard: hibernatable sockets, and every forwarded frame to each of them (filler frames, `~…`, skipped). */
export class ShardRoom extends BroadcastRoom {
  forward(frames: string[]): number {
    let n = 0;
    for (const f of frames) {
      if (f.charCodeAt(0) === 126) continue; // "~": filler
      this.broadcast(f);
      n += 1;
    }
    return n;
  }
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname === "/health") return new Response("ok");
    const f = /^\/forward\/([A-Za-z0-9_-]{1,64})\/(ws|stats)$/.exec(url.pathname);
    if (f) return env.FORWARD.getByName(f[1]!).fetch(request);
    const m = /^\/(broadcast|sqlite|probe|shard)\/([A-Za-z0-9_.-]{1,64})\/ws$/.exec(url.pathname);
    if (!m) return new Response("not found", { status: 404 });
    const ns = m[1] === "broadcast" ? env.BROADCAST : m[1] === "sqlite" ? env.SQLITE : m[1] === "shard" ? env.SHARD : env.PROBE;
    return ns.getByName(m[2]!).fetch(request);
  },
} satisfies ExportedHandler<Env>;
