import { MAX_BODY_CHARS, MAX_FRAME_BYTES, type ServerFrame } from "../contract/wire";
import type { UpgradeAsk } from "../gateway/room-upgrade";
import type { CallState } from "./call-state";
import type { MessageLog } from "./message-log";
import type { Presence } from "./presence";
import type { RateLimiter } from "./rate-limit";
import type { RoomSockets } from "./room-sockets";
import type { ShardGreeting } from "./shard-entries";
import { frameText } from "./message-frames";

/**
 * The first frames of a new socket (docs/protocol.md §2): `hello` with the room's state, then,
 * when the client asked with `since`, the replays and `synced`. The replays read synchronously,
 * so nothing can be stored between them and the live stream that follows. A shard's socket
 * gets the same frames, computed here and sent by the shard (`forShard`), with the seqs they
 * reach so that the shard drops what they already hold from its stream.
 */
export class Greeting {
  constructor(
    private readonly sockets: RoomSockets,
    private readonly log: MessageLog,
    private readonly presence: Presence,
    private readonly call: CallState,
    private readonly limiter: RateLimiter,
    /** A big room: `hello` carries `onlineCount` and an empty `online` list. */
    private readonly big: () => boolean,
  ) {}

  greet(ws: WebSocket, ask: UpgradeAsk): void {
    this.frames(ask, (frame) => this.sockets.send(ws, frame));
  }

  forShard(ask: UpgradeAsk): ShardGreeting {
    const frames: string[] = [];
    const receiver = { userId: ask.userId, ...(ask.wire === 2 ? { wire: 2 as const } : {}) };
    this.frames(ask, (frame) => frames.push(frameText(frame, receiver)));
    return { ok: true, frames, lastSeq: this.log.lastSeq, lastChangeSeq: this.log.lastChangeSeq };
  }

  private frames(ask: UpgradeAsk, send: (frame: ServerFrame) => void): void {
    const big = this.big();
    send({
      type: "hello",
      roomId: ask.roomId,
      user: { id: ask.userId, username: ask.username },
      lastSeq: this.log.lastSeq,
      lastChangeSeq: this.log.lastChangeSeq,
      online: big ? [] : this.presence.online(),
      ...(big ? { onlineCount: this.presence.count() } : {}),
      call: this.call.participants(),
      limits: { maxBodyChars: MAX_BODY_CHARS, maxFrameBytes: MAX_FRAME_BYTES, rateBurst: this.limiter.burst, ratePerSecond: this.limiter.perSecond },
    });
    if (ask.since === null) return;
    // Changes to the messages the client has first, then the messages it lacks (in their current state).
    this.log.replayChanges(ask.since, ask.sinceChange, (message, changeSeq) => send({ type: "update", changeSeq, message }));
    this.log.replay(ask.since, (message) => send({ type: "message", message }));
    send({ type: "synced", lastSeq: this.log.lastSeq, lastChangeSeq: this.log.lastChangeSeq });
  }
}
