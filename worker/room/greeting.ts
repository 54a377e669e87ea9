import { MAX_BODY_CHARS, MAX_FRAME_BYTES } from "../contract/wire";
import type { UpgradeAsk } from "../gateway/room-upgrade";
import type { CallState } from "./call-state";
import type { MessageLog } from "./message-log";
import type { Presence } from "./presence";
import type { RateLimiter } from "./rate-limit";
import type { RoomSockets } from "./room-sockets";

/**
 * The first frames of a new socket (docs/protocol.md §2): `hello` with the room's state, then,
 * when the client asked with `since`, the replays and `synced`. The replays read synchronously,
 * so nothing can be stored between them and the live stream that follows.
 */
export class Greeting {
  constructor(
    private readonly sockets: RoomSockets,
    private readonly log: MessageLog,
    private readonly presence: Presence,
    private readonly call: CallState,
    private readonly limiter: RateLimiter,
  ) {}

  greet(ws: WebSocket, ask: UpgradeAsk): void {
    this.sockets.send(ws, {
      type: "hello",
      roomId: ask.roomId,
      user: { id: ask.userId, username: ask.username },
      lastSeq: this.log.lastSeq,
      lastChangeSeq: this.log.lastChangeSeq,
      online: this.presence.online(),
      call: this.call.participants(),
      limits: { maxBodyChars: MAX_BODY_CHARS, maxFrameBytes: MAX_FRAME_BYTES, rateBurst: this.limiter.burst, ratePerSecond: this.limiter.perSecond },
    });
    if (ask.since === null) return;
    // Changes to the messages the client has first, then the messages it lacks (in their current state).
    this.log.replayChanges(ask.since, ask.sinceChange, (message, changeSeq) => this.sockets.send(ws, { type: "update", changeSeq, message }));
    this.log.replay(ask.since, (message) => this.sockets.send(ws, { type: "message", message }));
    this.sockets.send(ws, { type: "synced", lastSeq: this.log.lastSeq, lastChangeSeq: this.log.lastChangeSeq });
  }
}
