import type { ChatMessage } from "../contract/wire";
import type { Protocol, Via } from "../contract/protocols";
import type { Update } from "./message-changes";
import type { Audience } from "./audience";
import { ackFrame } from "./socket-frames";
import type { SocketOrigin } from "./socket-origin";

/**
 * Delivery of what the log just stored, to the room's sockets (its own and its shards', the
 * Audience), the stats, the D1 copy, the members' counts and the webhooks:
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
    private readonly audience: Audience,
    private readonly host: DeliveryHost,
  ) {}

  stored(message: ChatMessage, via: Via, origin?: SocketOrigin): void {
    origin?.send(ackFrame(message, false));
    this.audience.broadcast({ type: "message", message }, origin, undefined, { seq: message.seq });
    this.host.delivered(via, this.audience.byProtocol());
    this.host.written(message);
  }

  /** The first update is the change `origin` asked for (answered by an ack under `clientId`); the others reach every socket. */
  changed(updates: Update[], _via: Via, origin?: SocketOrigin, clientId?: string): void {
    const [asked, ...others] = updates;
    if (!asked) return;
    const answered = origin && clientId ? origin : undefined;
    answered?.send({ ...ackFrame(asked.message, false, clientId), changeSeq: asked.changeSeq });
    const { changeSeq } = asked;
    this.audience.broadcast({ type: "update", changeSeq, message: asked.message }, answered, undefined, { changeSeq });
    for (const u of others) this.audience.broadcast({ type: "update", changeSeq: u.changeSeq, message: u.message }, undefined, undefined, { changeSeq: u.changeSeq });
    this.host.written(null);
  }
}
