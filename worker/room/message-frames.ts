import type { ChatMessage, CompactMessage, ServerFrame, ServerFrameV2 } from "../contract/wire";

/**
 * The text of a server frame for each kind of receiving socket (docs/protocol.md §2, "Version
 * 2"). A version 1 socket gets every frame as it is. A version 2 socket gets `message` and
 * `update` frames with a compact message: no `roomId` (the socket's room, named in `hello`), no
 * `kind` when it is "text", and `clientId` only on the sockets of the message's author (whose
 * outbox matches its sends by it, replays included). Every other frame, `ack` included (it goes
 * to the author only), is the same in both versions.
 */

/** What the encoding needs to know of a receiving socket (a room socket's attachment is one). */
export interface Receiver {
  userId: string;
  /** The socket speaks subprotocol 2 (absent: version 1). */
  wire?: 2;
}

/** A frame's text for any receiving socket (FrameTexts in the room object, forwardedTexts on a shard). */
export interface ReceiverTexts {
  /** Whether the text depends on the receiver (a `message` or `update` frame); if not, `to(null)` serves all. */
  readonly varies: boolean;
  to(receiver: Receiver | null): string;
}

/**
 * A frame's texts as a big room's object forwards them to its shards (shard-entries.ts): the
 * version 1 text, and for a `message` or `update` frame the two version 2 texts and the author
 * they depend on. Encoded once by the room for all its shards.
 */
export interface ForwardedTexts {
  text: string;
  v2?: { author: string; toAuthor: string; toOthers: string };
}

/** The receiver texts of a forwarded frame, on the shard that fans it out. */
export function forwardedTexts(f: ForwardedTexts): ReceiverTexts {
  const v2 = f.v2;
  return {
    varies: v2 !== undefined,
    to: (r) => (v2 === undefined || r?.wire !== 2 ? f.text : r.userId === v2.author ? v2.toAuthor : v2.toOthers),
  };
}

/**
 * One frame's texts, each encoded at most once and only when a receiver needs it: version 1,
 * version 2 for the message's author, version 2 for everyone else.
 * @example
 * const texts = new FrameTexts(frame);
 * for (const ws of sockets) sendText(ws, texts.to(texts.varies ? infoOf(ws) : null));
 */
export class FrameTexts implements ReceiverTexts {
  readonly varies: boolean;
  private v1: string | undefined;
  private v2Author: string | undefined;
  private v2Others: string | undefined;

  constructor(private readonly frame: ServerFrame) {
    this.varies = frame.type === "message" || frame.type === "update";
  }

  /** Every text a shard may need, to forward once to all of a big room's shards. */
  forwarded(): ForwardedTexts {
    const frame = this.frame;
    const text = this.to(null);
    if (frame.type !== "message" && frame.type !== "update") return { text };
    const author = frame.message.userId;
    return { text, v2: { author, toAuthor: this.to({ userId: author, wire: 2 }), toOthers: this.to({ userId: "", wire: 2 }) } };
  }

  /** The text for `receiver` (null: a receiver not known, or any receiver of a frame that does not vary). */
  to(receiver: Receiver | null): string {
    const frame = this.frame;
    if (receiver?.wire !== 2 || (frame.type !== "message" && frame.type !== "update")) return (this.v1 ??= JSON.stringify(frame));
    if (receiver.userId === frame.message.userId) return (this.v2Author ??= JSON.stringify(compactFrame(frame, true)));
    return (this.v2Others ??= JSON.stringify(compactFrame(frame, false)));
  }
}

/** The text of one frame for one receiver. */
export function frameText(frame: ServerFrame, receiver: Receiver | null): string {
  return new FrameTexts(frame).to(receiver);
}

function compactFrame(frame: Extract<ServerFrame, { type: "message" | "update" }>, toAuthor: boolean): ServerFrameV2 {
  return { ...frame, message: compactMessage(frame.message, toAuthor) };
}

/** The message as version 2 sends it; its fields keep their order (built directly, no loop over them: this runs for every message). */
export function compactMessage(message: ChatMessage, toAuthor: boolean): CompactMessage {
  const { roomId: _room, seq, ts, userId, username, kind, body, clientId, ...extra } = message;
  return { seq, ts, userId, username, ...(kind === "text" ? {} : { kind }), body, ...(toAuthor ? { clientId } : {}), ...extra };
}
