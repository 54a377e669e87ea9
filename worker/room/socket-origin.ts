import type { ErrorCode, ServerFrame } from "../contract/wire";
import type { RoomSockets, SocketInfo } from "./room-sockets";

/**
 * The socket a frame came from, as the room's frame handlers see it: who it is and how to
 * answer it. A socket the room object holds itself answers directly (`localOrigin`); a socket
 * on one of a big room's shards answers through that shard's ordered stream (shard-fanout.ts),
 * so its answers never overtake the messages before them. One set of handlers (SocketFrames,
 * Delivery) serves both, so a rule, a rate limit or a strike is written once.
 */
export interface SocketOrigin {
  /** Who the socket is; strikes and `hidden` are changed on this object, then `save`d. */
  readonly info: SocketInfo;
  /** What keeps one socket's sends in order and leaves it out of a broadcast: the socket, or its shard's id for it. */
  readonly key: WebSocket | string;
  send(frame: ServerFrame): void;
  close(code: number, reason: string): void;
  /** `info` changed (strikes, hidden): keep it where the socket's attachment lives. */
  save(): void;
}

/** Refused frames in a row; past this the socket is closed with 1008. */
const MAX_STRIKES = 50;

/** A socket of the room object itself. */
export function localOrigin(sockets: RoomSockets, ws: WebSocket, info: SocketInfo): SocketOrigin {
  return {
    info,
    key: ws,
    send: (frame) => sockets.send(ws, frame),
    close: (code, reason) => ws.close(code, reason),
    save: () => sockets.save(ws, info),
  };
}

/** Answers a refused frame with an error and counts a strike; past MAX_STRIKES the socket is closed. */
export function strike(origin: SocketOrigin, code: ErrorCode, message: string, extra: { clientId?: string; retryAfterMs?: number } = {}): void {
  origin.send({ type: "error", code, message, ...extra });
  origin.info.strikes += 1;
  if (origin.info.strikes > MAX_STRIKES) return origin.close(1008, "too many refused frames");
  origin.save();
}

/** A frame was accepted: the refused ones before it are forgiven. */
export function clearStrikes(origin: SocketOrigin): void {
  if (origin.info.strikes === 0) return;
  origin.info.strikes = 0;
  origin.save();
}

/** The client's page was hidden or shown (an accepted frame: clears strikes too). */
export function setHidden(origin: SocketOrigin, hidden: boolean): void {
  origin.info.hidden = hidden;
  origin.info.strikes = 0;
  origin.save();
}
