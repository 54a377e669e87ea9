/**
 * The ceiling that `npm run bench` measures Hearth against (see wrangler.toml beside this file).
 * Routes: GET /health, and the WebSocket upgrade GET /{broadcast|sqlite|probe}/{room}/ws[?pad=N].
 */
import { DurableObject } from "cloudflare:workers";

interface Env {
  BROADCAST: DurableObjectNamespace<BroadcastRoom>;
  SQLITE: DurableObjectNamespace<SqliteRoom>;
  PROBE: DurableObjectNamespace<ProbeRoom>;
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
  private pad: number | null = null;
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

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname === "/health") return new Response("ok");
    const m = /^\/(broadcast|sqlite|probe)\/([A-Za-z0-9_-]{1,64})\/ws$/.exec(url.pathname);
    if (!m) return new Response("not found", { status: 404 });
    const ns = m[1] === "broadcast" ? env.BROADCAST : m[1] === "sqlite" ? env.SQLITE : env.PROBE;
    return ns.getByName(m[2]!).fetch(request);
  },
} satisfies ExportedHandler<Env>;
