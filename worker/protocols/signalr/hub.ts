import { stillCurrent } from "../../auth/bot-tokens";
import type { SessionUser } from "../../lib/session-user";
import type { Env } from "../../env";
import { numberVar } from "../../config";
import type { ServerFrame } from "../../contract/wire";
import { membershipRefusal } from "../../gateway/membership";
import { subscribeToRoom } from "../../gateway/subscription";
import { closeSocket } from "../../sockets/safe-io";
import { completionError, HubError, hubRefusal } from "./errors";
import { MessageTooLargeError, RECORD_SEPARATOR, RecordReader } from "./framing";
import { change, send } from "./messages";
import { argumentsError, findMethod } from "./methods";
import { sameName } from "./names";

/**
 * One SignalR hub connection (JSON hub protocol over WebSockets), held by the worker.
 * Each joined room is a subscription socket into that room's Durable Object; messages are
 * sent and changed through the same room core as every other protocol (messages.ts), with the
 * methods and argument types of methods.ts. Spec: dotnet/aspnetcore
 * src/SignalR/docs/specs/HubProtocol.md.
 */

export { RECORD_SEPARATOR };

/** Hub protocol message types. */
export const MessageType = {
  Invocation: 1,
  StreamItem: 2,
  Completion: 3,
  StreamInvocation: 4,
  CancelInvocation: 5,
  Ping: 6,
  Close: 7,
} as const;

/** Rooms one hub connection may join at once. */
export const MAX_HUB_ROOMS = 50;

type HubRecord = { type: number; invocationId?: string; target?: string; arguments?: unknown[]; [k: string]: unknown };

export class HubConnection {
  private handshaken = false;
  private closed = false;
  private readonly rooms = new Map<string, WebSocket>();
  private readonly ping: ReturnType<typeof setInterval>;
  /** Frames are handled one after another, so invocations run in the order they arrived. */
  private queue: Promise<void> = Promise.resolve();
  /** Records may arrive split across frames (framing.ts). */
  private readonly reader = new RecordReader();
  private readonly handshakeTimer: ReturnType<typeof setTimeout>;

  constructor(
    private readonly env: Env,
    private readonly user: SessionUser,
    private readonly socket: WebSocket,
  ) {
    socket.addEventListener("message", (e) => {
      if (typeof e.data !== "string") return this.close("Binary frames are not supported by the JSON hub protocol.");
      const text = e.data;
      this.queue = this.queue.then(() => this.receive(text));
    });
    socket.addEventListener("close", () => this.dispose());
    socket.addEventListener("error", () => this.dispose());
    // The client drops a connection after 30 s without hearing from the server. Each ping also
    // checks the session: the connection ends (Close record) once the session that opened it has.
    this.ping = setInterval(() => {
      if (user.sessionExp !== undefined && Date.now() >= user.sessionExp * 1000) return this.close("Session expired; sign in again.");
      this.write({ type: MessageType.Ping });
    }, numberVar(env.SIGNALR_PING_MS, 10_000));
    // ASP.NET Core's HubOptions.HandshakeTimeout: no handshake within 15 s ends the connection.
    this.handshakeTimer = setTimeout(() => !this.handshaken && this.failHandshake("Handshake was canceled."), numberVar(env.SIGNALR_HANDSHAKE_TIMEOUT_MS, 15_000));
  }

  private async receive(text: string) {
    // A frame holds records each ended by the record separator, and may end inside one (kept for the next frame).
    if (this.closed) return;
    let parts: string[];
    try {
      parts = this.reader.push(text);
    } catch (err) {
      if (!(err instanceof MessageTooLargeError)) throw err;
      if (!this.handshaken) return this.failHandshake("Handshake was canceled.");
      return this.close(`Connection closed with an error. InvalidDataException: ${err.message}`);
    }
    for (const part of parts) {
      if (this.closed) return;
      let record: unknown;
      try {
        record = JSON.parse(part);
      } catch {
        // Before the handshake, ASP.NET Core answers a handshake it cannot read with an error
        // record (HubConnectionContext.HandshakeAsync) rather than closing without a word.
        if (!this.handshaken) return this.failHandshake("An unexpected error occurred during connection handshake. InvalidDataException: the handshake is not valid JSON.");
        return this.close("Invalid JSON in a hub message.");
      }
      if (!this.handshaken) {
        this.handshake(record);
        continue;
      }
      await this.dispatch(record as HubRecord);
    }
  }

  private handshake(record: unknown) {
    const r = record as { protocol?: unknown; version?: unknown } | null;
    if (!r || typeof r !== "object" || !sameName(r.protocol, "json")) {
      this.sendRaw({ error: `The protocol '${String(r?.protocol)}' is not supported; this hub speaks 'json'.` });
      return this.close(null);
    }
    if (r.version !== 1 && r.version !== 2) {
      this.sendRaw({ error: `The protocol version '${String(r.version)}' is not supported; use 1 or 2.` });
      return this.close(null);
    }
    this.handshaken = true;
    clearTimeout(this.handshakeTimer);
    this.sendRaw({});
  }

  /** Answers the handshake with an error and closes (no Close record: the handshake never completed). */
  private failHandshake(error: string) {
    if (this.closed) return;
    this.sendRaw({ error });
    this.close(null);
  }

  private async dispatch(record: HubRecord) {
    if (typeof record !== "object" || record === null || typeof record.type !== "number") {
      return this.close("Hub messages need a numeric 'type'.");
    }
    switch (record.type) {
      case MessageType.Ping:
      case MessageType.CancelInvocation:
        return;
      case MessageType.Close:
        return this.close(null);
      case MessageType.Invocation:
        return this.invoke(record);
      case MessageType.StreamInvocation:
        return this.complete(record.invocationId, { error: "Streaming hub methods are not supported by this hub." });
      default:
        return this.close(`Unknown hub message type ${record.type}.`);
    }
  }

  private async invoke(record: HubRecord) {
    const { invocationId } = record;
    // A bot's token may have been rotated, or the bot revoked, since the connection opened.
    if (!(await stillCurrent(this.env.DB, this.user))) return this.close("Session ended; sign in again.");
    const method = findMethod(record.target);
    if (!method) return this.complete(invocationId, { error: `Unknown hub method '${String(record.target)}'` });
    const wrong = argumentsError(String(record.target), method.value, record.arguments);
    if (wrong) return this.complete(invocationId, { error: wrong });
    try {
      const result = await this.call(method.name, record.arguments as unknown[]);
      this.complete(invocationId, { result });
    } catch (err) {
      this.complete(invocationId, { error: completionError(err) });
    }
  }

  private async call(target: string, args: unknown[]): Promise<unknown> {
    const roomId = args[0] as string;
    switch (target) {
      case "JoinRoom": {
        const since = args[1] as number | undefined;
        if (since !== undefined && !(Number.isSafeInteger(since) && since >= 0)) {
          throw new HubError("bad_request", "sinceSeq must be an integer ≥ 0");
        }
        return this.join(roomId, since);
      }
      case "LeaveRoom": {
        const ws = this.rooms.get(roomId);
        this.rooms.delete(roomId);
        ws?.close(1000, "left");
        return null;
      }
      case "SendMessage":
        return send(this.env, this.user, roomId, args[1] as string, args[2] as string | undefined);
      case "SendReply":
        return send(this.env, this.user, roomId, args[1] as string, args[2] as string | null, args[3] as number);
      case "EditMessage":
        return change(this.env, this.user, roomId, { op: "edit", seq: args[1], body: args[2] }, args[3] as string | null | undefined);
      case "DeleteMessage":
        return change(this.env, this.user, roomId, { op: "delete", seq: args[1] }, args[2] as string | null | undefined);
      case "React":
        return change(this.env, this.user, roomId, { op: "react", seq: args[1], emoji: args[2], on: args[3] }, args[4] as string | null | undefined);
      case "Typing": {
        const ws = this.rooms.get(roomId);
        if (!ws) throw new HubError("not_joined", "join the room before sending typing");
        ws.send(JSON.stringify({ type: "typing", typing: args[1] }));
        return null;
      }
    }
    return null;
  }

  private async join(roomId: string, since?: number) {
    const refused = await membershipRefusal(this.env.DB, roomId, this.user.id);
    if (refused) throw hubRefusal(refused);
    if (this.rooms.has(roomId)) return { roomId, joined: true };
    if (this.rooms.size >= MAX_HUB_ROOMS) throw new HubError("too_many_rooms", `a hub connection joins at most ${MAX_HUB_ROOMS} rooms`);
    let hello: (v: unknown) => void = () => undefined;
    const greeted = new Promise((ok) => (hello = ok));
    const ws = await subscribeToRoom(
      this.env,
      roomId,
      this.user,
      "signalr",
      (frame) => {
        if (frame.type === "hello") hello({ roomId, lastSeq: frame.lastSeq, online: frame.online });
        else this.forward(roomId, frame);
      },
      (code) => {
        if (this.rooms.get(roomId) === ws) this.rooms.delete(roomId);
        // 4001: the session ended (a bot revoked, or its token rotated): the whole connection with it.
        if (code === 4001) this.close("Session ended; sign in again.");
      },
      since === undefined ? undefined : { since },
    );
    this.rooms.set(roomId, ws);
    return greeted;
  }

  /** Room frames become client invocations: ReceiveMessage, MessageUpdated, UserTyping, Presence. */
  private forward(roomId: string, frame: ServerFrame) {
    switch (frame.type) {
      case "message":
        return this.write({ type: MessageType.Invocation, target: "ReceiveMessage", arguments: [frame.message] });
      // One argument, the message as ReceiveMessage carries it: a .NET client's handler binds a fixed count.
      case "update":
        return this.write({ type: MessageType.Invocation, target: "MessageUpdated", arguments: [frame.message] });
      case "typing":
        return this.write({
          type: MessageType.Invocation,
          target: "UserTyping",
          arguments: [{ roomId, userId: frame.userId, username: frame.username, typing: frame.typing }],
        });
      case "presence":
        return this.write({ type: MessageType.Invocation, target: "Presence", arguments: [{ roomId, online: frame.online }] });
      default:
        return;
    }
  }

  private complete(invocationId: string | undefined, outcome: { result?: unknown; error?: string }) {
    // Invocations without an id are fire-and-forget: no completion, per the spec.
    if (invocationId === undefined) return;
    const completion: Record<string, unknown> = { type: MessageType.Completion, invocationId };
    if (outcome.error !== undefined) completion.error = outcome.error;
    else completion.result = outcome.result ?? null;
    this.write(completion);
  }

  private write(record: Record<string, unknown>) {
    if (!this.handshaken || this.closed) return;
    this.sendRaw(record);
  }

  private sendRaw(record: Record<string, unknown>) {
    try {
      this.socket.send(JSON.stringify(record) + RECORD_SEPARATOR);
    } catch {
      this.dispose();
    }
  }

  /** Sends a Close record (with an error, or none for a clean close) and ends the connection. */
  private close(error: string | null) {
    if (this.closed) return;
    if (this.handshaken) this.sendRaw(error === null ? { type: MessageType.Close } : { type: MessageType.Close, error, allowReconnect: false });
    this.dispose();
    closeSocket(this.socket, error === null ? 1000 : 1008, error === null ? "closed" : "protocol error");
  }

  private dispose() {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.ping);
    clearTimeout(this.handshakeTimer);
    for (const ws of this.rooms.values()) closeSocket(ws, 1000, "hub connection closed");
    this.rooms.clear();
  }
}
