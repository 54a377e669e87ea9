import type { ChatMessage, ClientFrame, ServerFrame } from "../contract/wire";
import { parseClientFrame } from "./frames";
import type { AcceptResult } from "./message-intake";
import type { ChangeResult } from "./message-changes";
import type { ChangeInput } from "../gateway/change";
import type { Author, MessageInput } from "../gateway/draft";
import { SOCKET_ANSWERS, refusalFields } from "./refusal-frames";
import type { RoomSockets } from "./room-sockets";
import { clearStrikes, localOrigin, setHidden, strike, type SocketOrigin } from "./socket-origin";
import type { Via } from "../contract/protocols";

/**
 * What the room does with each frame a Hearth socket sends: one small handler per frame
 * type (send, edit, delete, react, typing, visibility, ping), for a socket of the room object
 * or of one of its shards alike (`SocketOrigin`). A refused frame is answered with an error
 * and a strike (socket-origin.ts); a refused post or change as `SOCKET_ANSWERS` says. It owns
 * the chain of each socket's sends and changes still being accepted.
 */

/** What the handlers need from the room, besides its sockets. */
export interface FrameHost {
  accept(author: Author, input: MessageInput, via: Via, origin: SocketOrigin): Promise<AcceptResult>;
  change(actor: Author, input: ChangeInput, via: Via, origin: SocketOrigin): Promise<ChangeResult>;
  typing(from: SocketOrigin, user: { userId: string; username: string }, typing: boolean): void;
}

type Handler<T extends ClientFrame["type"]> = (origin: SocketOrigin, frame: Extract<ClientFrame, { type: T }>) => Promise<void> | void;

export class SocketFrames {
  /** Per socket, the last of its sends and changes still being accepted. */
  private readonly sendsInFlight = new Map<WebSocket | string, Promise<void>>();

  constructor(
    private readonly sockets: RoomSockets,
    private readonly host: FrameHost,
  ) {}

  /** Handles one text frame (already within the size rule) from a socket of the room object. */
  async handleLocal(ws: WebSocket, text: string): Promise<void> {
    const me = this.sockets.info(ws)!;
    if (this.sockets.expired(me)) return;
    this.sockets.greetNow(ws);
    await this.handle(localOrigin(this.sockets, ws, me), text);
  }

  /** Handles one text frame (already within the size rule) from `origin`. */
  async handle(origin: SocketOrigin, text: string): Promise<void> {
    const parsed = parseClientFrame(text);
    if (!parsed.ok) return strike(origin, parsed.code, parsed.message);
    const frame = parsed.frame;
    const handler = this.handlers[frame.type] as Handler<typeof frame.type>;
    await handler(origin, frame);
  }

  private readonly handlers: { [T in ClientFrame["type"]]: Handler<T> } = {
    send: (origin, frame) => this.inOrder(origin, frame.clientId, (author, via) => this.host.accept(author, frame, via, origin)),
    edit: (origin, frame) => this.change(origin, frame.clientId, { op: "edit", seq: frame.seq, body: frame.body }),
    delete: (origin, frame) => this.change(origin, frame.clientId, { op: "delete", seq: frame.seq }),
    react: (origin, frame) => this.change(origin, frame.clientId, { op: "react", seq: frame.seq, emoji: frame.emoji, on: frame.on }),
    typing: (origin, frame) => {
      if (typeof frame.typing !== "boolean") return strike(origin, "bad_frame", "`typing` must be a boolean");
      clearStrikes(origin);
      this.host.typing(origin, origin.info, frame.typing);
    },
    visibility: (origin, frame) => {
      if (typeof frame.hidden !== "boolean") return strike(origin, "bad_frame", "`hidden` must be a boolean");
      setHidden(origin, frame.hidden);
    },
    // The auto-response catches the exact text; this answers other spellings.
    ping: (origin) => origin.send({ type: "pong" }),
  };

  /** A change asked on the socket, which (unlike REST) must carry a clientId: its ack is matched by it. */
  private change(origin: SocketOrigin, clientId: unknown, input: ChangeInput): Promise<void> {
    // `undefined` would pass as "no clientId": a socket's change needs one.
    const asked = { ...input, clientId: clientId ?? null };
    return this.inOrder(origin, clientId, (actor, via) => this.host.change(actor, asked, via, origin));
  }

  /**
   * One socket's messages and changes are applied in the order it sent them: a send whose
   * media check awaits R2 holds back the frames after it (not other sockets'), so a caption
   * sent after its photo never gets the lower seq, and an edit never overtakes its message.
   */
  private async inOrder(origin: SocketOrigin, clientId: unknown, apply: (author: Author, via: Via) => Promise<AcceptResult | ChangeResult>): Promise<void> {
    const { info: me, key } = origin;
    const ahead = this.sendsInFlight.get(key);
    const author: Author = { id: me.userId, username: me.username, ...(me.bot ? { role: "bot" as const } : {}) };
    const protocol = me.protocol ?? "websocket";
    const run = ahead ? ahead.then(() => apply(author, protocol)) : apply(author, protocol);
    const done = run.then(
      () => undefined,
      () => undefined,
    );
    this.sendsInFlight.set(key, done);
    let result: AcceptResult | ChangeResult;
    try {
      result = await run;
    } catch (err) {
      // Storage or R2 failed. The sender resends the same clientId; if it was applied after
      // all, the resend is answered as a duplicate.
      console.error("room: accepting a message or change failed", err);
      const echo = typeof clientId === "string" ? { clientId } : {};
      return origin.send({ type: "error", code: "internal", message: "the server failed to store the message; resend it", ...echo });
    } finally {
      if (this.sendsInFlight.get(key) === done) this.sendsInFlight.delete(key);
    }
    if (!result.ok) {
      const answer = SOCKET_ANSWERS[result.code];
      if (answer.kind === "close") return origin.close(answer.code, answer.reason);
      const { code, message, ...extra } = refusalFields(result, answer.code);
      if (!answer.strike) return origin.send({ type: "error", code, message, ...extra });
      return strike(origin, code, message, extra);
    }
    clearStrikes(origin);
    // What was stored or changed was acknowledged with its delivery; a retry, or a change
    // that changed nothing, is answered here.
    if ("changeSeq" in result) {
      if (result.changeSeq === null) origin.send(ackFrame(result.message, result.duplicate, clientId as string));
    } else if (result.duplicate) origin.send(ackFrame(result.message, true));
  }
}

/**
 * The `ack` for a stored message or change, which carries the message (the sending socket gets
 * no `message` or `update` frame). `clientId`: the change's, for a change.
 */
export function ackFrame(message: ChatMessage, duplicate: boolean, clientId = message.clientId): Extract<ServerFrame, { type: "ack" }> {
  return { type: "ack", clientId, seq: message.seq, ts: message.ts, duplicate, message };
}
