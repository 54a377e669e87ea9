/**
 * The protocol console's three subscriptions to one room: Hearth's own socket
 * (docs/protocol.md), the SignalR hub with the official @microsoft/signalr client, and the
 * Connect ChatService with @connectrpc/connect-web (docs/protocols.md). Each keeps the stream
 * it received, in arrival order, and sends with its protocol's own send; REST sends too.
 *
 * Only ConsolePage imports this module, and the app loads that page with lazy(): the SignalR
 * and Connect libraries stay out of the chat's initial JavaScript.
 */
import { signal } from "@preact/signals";
import { HttpTransportType, HubConnectionBuilder, LogLevel, type HubConnection } from "@microsoft/signalr";
import { Code, ConnectError, createClient, type Client } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";
import { token } from "../session";
import { BEARER_PREFIX, PING_FRAME, SUBPROTOCOL, type ChatMessage, type ServerFrame } from "../../../worker/contract/wire";
import { ChatService, type Message as ProtoMessage } from "./gen/hearth/v1/chat_pb";

export type StreamId = "socket" | "signalr" | "connect";
export type SendVia = StreamId | "rest";

export const STREAMS: readonly StreamId[] = ["socket", "signalr", "connect"];
export const LABELS: Record<SendVia, string> = {
  socket: "Hearth socket",
  signalr: "SignalR",
  connect: "Connect",
  rest: "REST",
};

/** What a column shows of a message. */
export interface Received {
  seq: number;
  ts: number;
  username: string;
  body: string;
  clientId: string;
}

export type LinkState = "connecting" | "connected" | "reconnecting" | "closed";

/** The console's clientIds say which protocol sent the message: `console-<via>-<random>`. */
export function newClientId(via: SendVia): string {
  return `console-${via}-${crypto.randomUUID()}`;
}

export function sentVia(clientId: string): SendVia | null {
  const match = /^console-(socket|signalr|connect|rest)-/.exec(clientId);
  return match ? (match[1] as SendVia) : null;
}

const SEND_TIMEOUT_MS = 10_000;
const PING_EVERY_MS = 20_000;

function describe(error: unknown): string {
  if (error instanceof ConnectError) return `${Code[error.code] ?? error.code}: ${error.rawMessage}`;
  if (error instanceof Error) return error.message;
  return String(error);
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const wake = () => (clearTimeout(timer), resolve());
    const timer = setTimeout(() => (signal.removeEventListener("abort", wake), resolve()), ms);
    signal.addEventListener("abort", wake, { once: true });
  });

/** How one connection attempt ended: lost (try again with backoff) or fatal (stop). */
type Ending = { fatal: boolean; reason: string };

/**
 * One protocol's subscription: a loop of connection attempts, each resuming after the
 * highest seq received, so a reconnect replays what was missed and nothing twice.
 */
export abstract class Stream {
  readonly state = signal<LinkState>("connecting");
  readonly error = signal<string | null>(null);
  readonly messages = signal<Received[]>([]);
  /** A remark on the state, shown under it. */
  readonly note = signal<string | null>(null);
  /** The highest seq received: where the next attempt resumes. */
  protected lastSeq: number;
  protected readonly stopped = new AbortController();
  private readonly seen = new Set<number>();

  constructor(
    readonly id: StreamId,
    readonly roomId: string,
    since: number,
  ) {
    this.lastSeq = since;
  }

  start(): this {
    void this.loop();
    return this;
  }

  stop(): void {
    this.stopped.abort();
    this.state.value = "closed";
  }

  abstract send(body: string, clientId: string): Promise<Received>;

  /** Opens one connection; resolves when it has ended. */
  protected abstract attempt(): Promise<Ending>;

  protected connected(): void {
    this.state.value = "connected";
    this.error.value = null;
  }

  protected receive(message: Received): void {
    if (this.seen.has(message.seq)) return;
    this.seen.add(message.seq);
    this.lastSeq = Math.max(this.lastSeq, message.seq);
    this.messages.value = [...this.messages.value, message];
  }

  protected requireConnected(): void {
    if (this.state.value !== "connected") throw new Error(`${LABELS[this.id]} is not connected.`);
  }

  private async loop(): Promise<void> {
    let delay = 500;
    while (!this.stopped.signal.aborted) {
      const wasConnected = { value: false };
      const unwatch = this.state.subscribe((s) => {
        if (s === "connected") wasConnected.value = true;
      });
      const ending = await this.attempt().catch((error: unknown) => ({ fatal: false, reason: describe(error) }));
      unwatch();
      if (this.stopped.signal.aborted) return;
      this.error.value = ending.reason;
      if (ending.fatal) {
        this.state.value = "closed";
        return;
      }
      if (wasConnected.value) delay = 500;
      this.state.value = "reconnecting";
      await sleep(delay, this.stopped.signal);
      delay = Math.min(delay * 2, 10_000);
    }
  }
}

function withTimeout<T>(promise: Promise<T>, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`No answer to ${what} within ${SEND_TIMEOUT_MS / 1000} s.`)), SEND_TIMEOUT_MS);
    promise.then(
      (value) => (clearTimeout(timer), resolve(value)),
      (error: unknown) => (clearTimeout(timer), reject(error)),
    );
  });
}

const fromWire = (m: ChatMessage): Received => ({ seq: m.seq, ts: m.ts, username: m.username, body: m.body, clientId: m.clientId });
const fromProto = (m: ProtoMessage): Received => ({
  seq: Number(m.seq),
  ts: Number(m.ts),
  username: m.username,
  body: m.body,
  clientId: m.clientId,
});

/** Hearth's own socket: `send` frames answered by `ack`, others' messages as `message` frames. */
class SocketStream extends Stream {
  private socket: WebSocket | null = null;
  private readonly pending = new Map<string, { resolve: (m: Received) => void; reject: (e: Error) => void }>();

  constructor(roomId: string, since: number) {
    super("socket", roomId, since);
  }

  protected attempt(): Promise<Ending> {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const url = `${scheme}://${location.host}/api/rooms/${encodeURIComponent(this.roomId)}/ws?since=${this.lastSeq}`;
    const socket = new WebSocket(url, [SUBPROTOCOL, `${BEARER_PREFIX}${token.value ?? ""}`]);
    this.socket = socket;
    return new Promise<Ending>((resolve) => {
      const ping = setInterval(() => {
        if (socket.readyState === WebSocket.OPEN) socket.send(PING_FRAME);
      }, PING_EVERY_MS);
      const onStop = () => socket.close(1000);
      this.stopped.signal.addEventListener("abort", onStop, { once: true });
      socket.onmessage = (event) => this.onFrame(JSON.parse(String(event.data)) as ServerFrame);
      socket.onclose = (event) => {
        clearInterval(ping);
        this.stopped.signal.removeEventListener("abort", onStop);
        this.socket = null;
        for (const { reject } of this.pending.values()) reject(new Error("The socket closed before the ack."));
        this.pending.clear();
        // 1008: no longer a member; 4001: the session ended; 4003-4005: removed, banned, room
        // deleted. Reconnecting cannot help.
        const fatal = [1008, 4001, 4003, 4004, 4005].includes(event.code);
        resolve({ fatal, reason: `Socket closed (${event.code}${event.reason ? `: ${event.reason}` : ""}).` });
      };
    });
  }

  private onFrame(frame: ServerFrame): void {
    switch (frame.type) {
      case "synced":
        this.connected();
        break;
      case "message":
        this.receive(fromWire(frame.message));
        break;
      case "ack": {
        const message = fromWire(frame.message);
        this.receive(message);
        this.pending.get(frame.clientId)?.resolve(message);
        this.pending.delete(frame.clientId);
        break;
      }
      case "error": {
        const text = `${frame.code}: ${frame.message}`;
        const waiting = frame.clientId === undefined ? undefined : this.pending.get(frame.clientId);
        if (waiting && frame.clientId !== undefined) {
          waiting.reject(new Error(text));
          this.pending.delete(frame.clientId);
        } else this.error.value = text;
        break;
      }
      default:
        break;
    }
  }

  send(body: string, clientId: string): Promise<Received> {
    this.requireConnected();
    const socket = this.socket!;
    const acked = new Promise<Received>((resolve, reject) => this.pending.set(clientId, { resolve, reject }));
    socket.send(JSON.stringify({ type: "send", clientId, body }));
    return withTimeout(acked, "the send").finally(() => this.pending.delete(clientId));
  }
}

/** The SignalR hub: JoinRoom(roomId, sinceSeq), ReceiveMessage, SendMessage(roomId, text, clientId). */
class SignalRStream extends Stream {
  private hub: HubConnection | null = null;

  constructor(roomId: string, since: number) {
    super("signalr", roomId, since);
  }

  protected async attempt(): Promise<Ending> {
    // Negotiate here, with the session token in a header, and open the hub socket with the
    // one-use connection token alone: given an accessTokenFactory, the official browser client
    // would also put the session token in the socket's URL (access_token=…), where logs keep it.
    let connectionToken: string;
    try {
      const res = await fetch(`${location.origin}/hubs/chat/negotiate?negotiateVersion=1`, {
        method: "POST",
        headers: { Authorization: `Bearer ${token.value ?? ""}` },
      });
      if (!res.ok) return { fatal: res.status === 401, reason: `SignalR negotiate answered ${res.status}.` };
      connectionToken = ((await res.json()) as { connectionToken: string }).connectionToken;
    } catch (error) {
      return { fatal: false, reason: describe(error) };
    }
    // Left the page (or the room) while negotiating: open nothing.
    if (this.stopped.signal.aborted) return { fatal: true, reason: "stopped" };
    const hub = new HubConnectionBuilder()
      .withUrl(`${location.origin}/hubs/chat?id=${encodeURIComponent(connectionToken)}`, {
        transport: HttpTransportType.WebSockets,
        skipNegotiation: true,
      })
      .configureLogging(LogLevel.None)
      .build();
    hub.on("ReceiveMessage", (m: ChatMessage) => this.receive(fromWire(m)));
    const ended = new Promise<Ending>((resolve) =>
      hub.onclose((error) => resolve({ fatal: /Session expired/.test(String(error)), reason: `SignalR closed${error ? `: ${error.message}` : "."}` })),
    );
    const onStop = () => void hub.stop();
    this.stopped.signal.addEventListener("abort", onStop, { once: true });
    try {
      await hub.start();
      await hub.invoke("JoinRoom", this.roomId, this.lastSeq);
    } catch (error) {
      this.stopped.signal.removeEventListener("abort", onStop);
      void hub.stop();
      const reason = describe(error);
      return { fatal: /\b401\b|not_a_member/.test(reason), reason };
    }
    this.hub = hub;
    if (!this.stopped.signal.aborted) this.connected();
    const ending = await ended;
    this.stopped.signal.removeEventListener("abort", onStop);
    this.hub = null;
    return ending;
  }

  async send(body: string, clientId: string): Promise<Received> {
    this.requireConnected();
    const stored = await withTimeout(this.hub!.invoke<ChatMessage>("SendMessage", this.roomId, body, clientId), "SendMessage");
    return fromWire(stored);
  }
}

/** Connect: a StreamMessages server stream resumed with since_seq; SendMessage is unary. */
class ConnectStream extends Stream {
  private readonly client: Client<typeof ChatService>;

  constructor(roomId: string, since: number) {
    super("connect", roomId, since);
    const transport = createConnectTransport({
      baseUrl: location.origin,
      interceptors: [
        (next) => (request) => {
          request.header.set("Authorization", `Bearer ${token.value ?? ""}`);
          return next(request);
        },
      ],
    });
    this.client = createClient(ChatService, transport);
  }

  protected async attempt(): Promise<Ending> {
    // The server's Connect library sends a stream's response headers together with its first
    // message, so a stream into a quiet room says nothing until someone writes. While it is
    // open, a unary call on the same transport shows that Hearth answers Connect for this room
    // and this session: "connected", marked unconfirmed until the first message. Nothing can be
    // missed meanwhile: the stream replays everything after since_seq.
    let confirmed = false;
    const attempt = new AbortController();
    const signal = AbortSignal.any([this.stopped.signal, attempt.signal]);
    const confirm = () => {
      confirmed = true;
      this.note.value = null;
      this.connected();
    };
    try {
      const stream = this.client.streamMessages(
        { roomId: this.roomId, sinceSeq: BigInt(this.lastSeq) },
        { signal, onHeader: confirm },
      );
      this.client.history({ roomId: this.roomId, limit: 1 }, { signal, timeoutMs: SEND_TIMEOUT_MS }).then(
        () => {
          if (confirmed || signal.aborted) return;
          this.note.value = "Stream open; the server confirms it with the first message.";
          this.connected();
        },
        () => undefined, // the stream reports its own error
      );
      for await (const { message } of stream) {
        if (!confirmed) confirm();
        if (message) this.receive(fromProto(message));
      }
      return { fatal: false, reason: "The server ended the stream." };
    } catch (error) {
      const code = error instanceof ConnectError ? error.code : null;
      const fatal = code === Code.Unauthenticated || code === Code.PermissionDenied || code === Code.NotFound;
      return { fatal, reason: describe(error) };
    } finally {
      attempt.abort();
      this.note.value = null;
    }
  }

  async send(body: string, clientId: string): Promise<Received> {
    const response = await this.client.sendMessage({ roomId: this.roomId, body, clientId }, { timeoutMs: SEND_TIMEOUT_MS });
    if (!response.message) throw new Error("SendMessage answered without a message.");
    return fromProto(response.message);
  }
}

/** REST: POST /api/rooms/{id}/messages; it receives nothing, so it has no column. */
export async function sendOverRest(roomId: string, body: string, clientId: string): Promise<Received> {
  const response = await fetch(`/api/rooms/${encodeURIComponent(roomId)}/messages`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Authorization: `Bearer ${token.value ?? ""}` },
    body: JSON.stringify({ body, clientId }),
  });
  const data = (await response.json().catch(() => null)) as (ChatMessage & { error?: { code: string; message: string } }) | null;
  if (!response.ok || !data) throw new Error(data?.error ? `${data.error.code}: ${data.error.message}` : `The server answered ${response.status}.`);
  return fromWire(data);
}

/** The three subscriptions to one room, all resuming after `since`. */
export function openStreams(roomId: string, since: number): Record<StreamId, Stream> {
  return {
    socket: new SocketStream(roomId, since).start(),
    signalr: new SignalRStream(roomId, since).start(),
    connect: new ConnectStream(roomId, since).start(),
  };
}

