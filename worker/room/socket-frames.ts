import type { ChatMessage, ClientFrame, ServerFrame } from "../contract/wire";
import { parseClientFrame } from "./frames";
import type { AcceptResult } from "./message-intake";
import type { Author, MessageInput } from "../gateway/draft";
import { SOCKET_ANSWERS, refusalFields } from "./refusal-frames";
import type { RoomSockets, SocketInfo } from "./room-sockets";
import type { Via } from "../contract/protocols";

/**
 * What the room does with each frame a Hearth socket sends: one small handler per frame
 * type (send, typing, visibility, ping). A refused frame is answered with an error and a
 * strike (`RoomSockets.strike`); a refused post as `SOCKET_ANSWERS` says. It owns the chain
 * of each socket's sends still being accepted.
 */

/** What the handlers need from the room, besides its sockets. */
export interface FrameHost {
  accept(author: Author, input: MessageInput, via: Via, origin: WebSocket): Promise<AcceptResult>;
  typing(from: WebSocket, user: { userId: string; username: string }, typing: boolean): void;
}

type Handler<T extends ClientFrame["type"]> = (ws: WebSocket, me: SocketInfo, frame: Extract<ClientFrame, { type: T }>) => Promise<void> | void;

export class SocketFrames {
  /** Per socket, the last of its sends still being accepted. */
  private readonly sendsInFlight = new Map<WebSocket, Promise<void>>();

  constructor(
    private readonly sockets: RoomSockets,
    private readonly host: FrameHost,
  ) {}

  /** Handles one text frame (already within the size rule) from `ws`. */
  async handle(ws: WebSocket, text: string): Promise<void> {
    const me = this.sockets.info(ws)!;
    if (this.sockets.expired(me)) return;
    this.sockets.greetNow(ws);
    const parsed = parseClientFrame(text);
    if (!parsed.ok) return this.sockets.strike(ws, me, parsed.code, parsed.message);
    const frame = parsed.frame;
    const handler = this.handlers[frame.type] as Handler<typeof frame.type>;
    await handler(ws, me, frame);
  }

  private readonly handlers: { [T in ClientFrame["type"]]: Handler<T> } = {
    send: (ws, me, frame) => this.send(ws, me, frame),
    typing: (ws, me, frame) => {
      if (typeof frame.typing !== "boolean") return this.sockets.strike(ws, me, "bad_frame", "`typing` must be a boolean");
      this.sockets.clearStrikes(ws, me);
      this.host.typing(ws, me, frame.typing);
    },
    visibility: (ws, me, frame) => {
      if (typeof frame.hidden !== "boolean") return this.sockets.strike(ws, me, "bad_frame", "`hidden` must be a boolean");
      this.sockets.setHidden(ws, me, frame.hidden);
    },
    // The auto-response catches the exact text; this answers other spellings.
    ping: (ws) => this.sockets.send(ws, { type: "pong" }),
  };

  /**
   * One socket's messages are stored in the order it sent them: a send whose media check
   * awaits R2 holds back the sends after it (not other sockets'), so a caption sent after
   * its photo never gets the lower seq.
   */
  private async send(ws: WebSocket, me: SocketInfo, frame: Extract<ClientFrame, { type: "send" }>): Promise<void> {
    const ahead = this.sendsInFlight.get(ws);
    const author = { id: me.userId, username: me.username };
    const protocol = me.protocol ?? "websocket";
    const run = ahead ? ahead.then(() => this.host.accept(author, frame, protocol, ws)) : this.host.accept(author, frame, protocol, ws);
    const done = run.then(
      () => undefined,
      () => undefined,
    );
    this.sendsInFlight.set(ws, done);
    let result: AcceptResult;
    try {
      result = await run;
    } catch (err) {
      // Storage or R2 failed. The sender resends the same clientId; if the message was
      // stored after all, the resend is answered as a duplicate.
      console.error("room: accepting a message failed", err);
      const clientId = typeof frame.clientId === "string" ? frame.clientId : undefined;
      return this.sockets.send(ws, { type: "error", code: "internal", message: "the server failed to store the message; resend it", ...(clientId ? { clientId } : {}) });
    } finally {
      if (this.sendsInFlight.get(ws) === done) this.sendsInFlight.delete(ws);
    }
    if (!result.ok) {
      const answer = SOCKET_ANSWERS[result.code];
      if (answer.kind === "close") return ws.close(answer.code, answer.reason);
      const { code, message, ...extra } = refusalFields(result, answer.code);
      if (!answer.strike) return this.sockets.send(ws, { type: "error", code, message, ...extra });
      return this.sockets.strike(ws, me, code, message, extra);
    }
    this.sockets.clearStrikes(ws, me);
    // A new message was acknowledged when it was stored, before its broadcast; a retry is answered here.
    if (result.duplicate) this.sockets.send(ws, ackFrame(result.message, true));
  }
}

/** The `ack` for a stored message, which carries it (the sending socket gets no `message` frame). */
export function ackFrame(message: ChatMessage, duplicate: boolean): ServerFrame {
  return { type: "ack", clientId: message.clientId, seq: message.seq, ts: message.ts, duplicate, message };
}
