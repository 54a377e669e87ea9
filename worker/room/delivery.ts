import type { ChatMessage } from "../contract/wire";
import type { Protocol, Via } from "../contract/protocols";
import type { Update } from "./message-changes";
import type { RoomSockets } from "./room-sockets";
import { ackFrame } from "./socket-frames";

/**
 * Delivery of what the log just stored, to the room's sockets, the stats, the D1 copy, the
 * members' counts and the webhooks:
 * a new message (`stored`) or changed messages (`changed`). The sending socket's `ack`
 * carries the message (one frame, not two) and goes out first, so a sender waiting for its
 * ack does not wait for the whole room's broadcast. All frames are held by the output gate
 * until the write is durable.
 */
export interface DeliveryHost {
  /** Count a message in from `via` and out to `to` sockets per protocol. */
  delivered(via: Via, to: [Protocol, number][]): void;
  /** The log has a new message or a change (null): D1's copy, the members' counts and the webhooks follow. */
  written(message: ChatMessage | null): void;
}

export class Delivery {
  constructor(
    private readonly sockets: RoomSockets,
    private readonly host: DeliveryHost,
  ) {}

  stored(message: ChatMessage, via: Via, origin?: WebSocket): void {
    if (origin) this.sockets.send(origin, ackFrame(message, false));
    this.sockets.broadcast({ type: "message", message }, origin);
    this.host.delivered(via, this.sockets.byProtocol());
    this.host.written(message);
  }

  /** The first update is the change `origin` asked for (answered by an ack under `clientId`); the others reach every socket. */
  changed(updates: Update[], _via: Via, origin?: WebSocket, clientId?: string): void {
    const [asked, ...others] = updates;
    if (!asked) return;
    const answered = origin && clientId ? origin : undefined;
    if (answered) this.sockets.send(answered, { ...ackFrame(asked.message, false, clientId), changeSeq: asked.changeSeq });
    this.sockets.broadcast({ type: "update", changeSeq: asked.changeSeq, message: asked.message }, answered);
    for (const u of others) this.sockets.broadcast({ type: "update", changeSeq: u.changeSeq, message: u.message });
    this.host.written(null);
  }
}
