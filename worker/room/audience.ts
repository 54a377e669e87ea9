import { PROTOCOLS, type Protocol } from "../contract/protocols";
import { BIG_ROOM_SOCKETS, type OnlineUser, type ServerFrame } from "../contract/wire";
import type { RoomSockets } from "./room-sockets";
import { FrameTexts } from "./message-frames";
import type { ShardFanout } from "./shard-fanout";
import type { ShardRoster } from "./shard-roster";
import type { SocketOrigin } from "./socket-origin";

/**
 * Everyone with a socket in the room: the room object's own sockets and, in a big room, its
 * shards' (docs/architecture.md "Big rooms"). A broadcast is encoded once (per subprotocol variant), sent to the room's
 * own sockets and queued once for each live shard, which fans it out. The delivery, presence,
 * calls, receipts and exits all speak to the room through this, so none of them knows where a
 * socket lives.
 */
export class Audience {
  constructor(
    private readonly sockets: RoomSockets,
    private readonly roster: ShardRoster,
    private readonly fanout: ShardFanout,
  ) {}

  /** Sends `frame` to every socket but `skip`'s (and local `except`); `seq`/`changeSeq` name a message or update for the shards. */
  broadcast(frame: ServerFrame, skip?: SocketOrigin, except?: Set<WebSocket>, order: { seq?: number; changeSeq?: number } = {}): void {
    const texts = new FrameTexts(frame);
    const key = skip?.key;
    this.sockets.broadcastTexts(texts, typeof key === "object" ? key : undefined, except);
    if (this.roster.inUse()) this.fanout.all({ op: "all", ...texts.forwarded(), ...order, ...(typeof key === "string" ? { skip: key } : {}) });
  }

  /** Closes every socket of `userId`, here and on every shard; returns the room object's own (on their way out). */
  closeUser(userId: string, code: number, reason: string): WebSocket[] {
    this.fanout.all({ op: "closeUser", userId, code, reason });
    return this.sockets.closeUser(userId, code, reason);
  }

  /** Closes every socket of the room, here and on every shard; returns the room object's own. */
  closeAll(code: number, reason: string): WebSocket[] {
    this.fanout.all({ op: "closeAll", code, reason });
    this.roster.clear();
    return this.sockets.closeAll(code, reason);
  }

  /** Sockets in the whole room. */
  count(): number {
    return this.sockets.count() + this.roster.sockets();
  }

  /** A big room: shards in use, or more sockets than BIG_ROOM_SOCKETS (presence as a count, no typing). */
  big(): boolean {
    return this.roster.inUse() || this.count() > BIG_ROOM_SOCKETS;
  }

  /** The user of every socket here (one entry per socket, but `except`), then every shard's users. */
  *users(except?: Set<WebSocket>): Iterable<OnlineUser & { hidden: boolean }> {
    yield* this.sockets.users(except);
    yield* this.roster.users();
  }

  /** Open sockets per protocol in the whole room (the room's own re-read when `fresh`). */
  byProtocol(fresh = false): [Protocol, number][] {
    const here = this.sockets.byProtocol(fresh);
    if (!this.roster.inUse()) return here;
    const there = this.roster.byProtocol();
    return PROTOCOLS.map((p) => [p, (here.find(([q]) => q === p)?.[1] ?? 0) + (there.get(p) ?? 0)]);
  }
}
