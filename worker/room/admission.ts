import type { Protocol } from "../contract/protocols";
import { SHARD_HEADER, type UpgradeAsk } from "../gateway/room-upgrade";
import { REMOVAL_CLOSES } from "../contract/wire";
import { errorResponse } from "../lib/errors";
import type { SpentTickets } from "../sockets/spent-tickets";
import type { Exits } from "./exits";
import type { Greeting } from "./greeting";
import type { RoomSockets, SocketInfo } from "./room-sockets";
import type { ShardGreeting } from "./shard-entries";
import type { ShardRoster } from "./shard-roster";

/**
 * A socket upgrade entering the room: whether it may (its ticket unspent, a place under the
 * server-wide cap that the stats object counts, still a member, a place in the room) and, if
 * so, its acceptance: the socket with its user, its greeting, presence, and a report of the
 * new connection. The room object holds up to `maxConnections` sockets itself; past that, a
 * socket admitted here is placed on one of the room's shards (`place`): the answer names the
 * shard (SHARD_HEADER) and the worker sends the same upgrade there (gateway/room-socket.ts),
 * whose socket the room greets (`shardGreeting`). Past the last shard's place the room is full.
 * And a socket's exit (`gone`): its place released, presence and the connection report.
 */
export interface AdmissionHost {
  admit(roomId: string, protocol: Protocol): Promise<boolean>;
  release(roomId: string, protocol: Protocol): void;
  /** A socket was let in (presence and the connection report follow). */
  joined(user: { userId: string; username: string }): void;
  /** Sockets closed or closing (presence and the connection report follow). */
  left(sockets: WebSocket[]): void;
}

export class Admission {
  constructor(
    private readonly spentTickets: SpentTickets,
    private readonly members: Pick<Exits, "stillMember">,
    private readonly sockets: RoomSockets,
    private readonly shards: Pick<ShardRoster, "place" | "greeted">,
    private readonly greeting: Greeting,
    private readonly limits: { maxConnections: number; maxServerConnections: number },
    private readonly host: AdmissionHost,
  ) {}

  /** The 101 with the room's end of a new socket, or the refusal. */
  async upgrade(ask: UpgradeAsk): Promise<Response> {
    const refused = await this.refusal(ask);
    if (refused) return refused;
    // Checked after the awaits so that no other upgrade can slip in between check and accept.
    if (this.sockets.count() >= this.limits.maxConnections) {
      const k = this.shards.place();
      if (k !== null) return new Response(null, { status: 200, headers: { [SHARD_HEADER]: String(k) } });
      this.host.release(ask.roomId, ask.protocol);
      return errorResponse(503, "room_full", `this room already holds all the connections it can`);
    }
    const { userId, username, protocol } = ask;
    const { 0: client, 1: server } = new WebSocketPair();
    const info: SocketInfo = { userId, username, protocol, strikes: 0 };
    if (ask.sessionExpMs !== undefined) info.exp = ask.sessionExpMs;
    if (ask.bot) info.bot = true;
    if (ask.wire === 2) info.wire = 2;
    this.sockets.accept(server, info, (ws) => this.greeting.greet(ws, ask));
    this.host.joined({ userId, username });
    return new Response(null, { status: 101, webSocket: client, headers: ask.subprotocol ? { "Sec-WebSocket-Protocol": ask.subprotocol } : {} });
  }

  /** The first frames of a socket shard `k` accepted, or why it may no longer stay (it left since its admission). */
  async shardGreeting(k: number, ask: UpgradeAsk): Promise<ShardGreeting> {
    this.shards.greeted(k, ask);
    this.host.joined(ask);
    if (!(await this.members.stillMember(ask.roomId, ask.userId))) return { ok: false, ...REMOVAL_CLOSES.left };
    return this.greeting.forShard(ask);
  }

  /** A socket of the room object closed or failed: its place is released. */
  gone(ws: WebSocket, roomId: string | null): void {
    this.sockets.gone(ws);
    if (roomId) this.host.release(roomId, this.sockets.info(ws)?.protocol ?? "websocket");
    this.host.left([ws]);
  }

  private async refusal(ask: UpgradeAsk): Promise<Response | null> {
    const { roomId, userId, protocol } = ask;
    if (ask.ticket && !this.spentTickets.spend(ask.ticket.id, ask.ticket.expMs)) {
      return errorResponse(401, "invalid_ticket", "this ticket was already used: ask for a new one (each ticket opens one socket)");
    }
    if (!(await this.host.admit(roomId, protocol))) {
      return errorResponse(503, "server_full", `Hearth already holds ${this.limits.maxServerConnections} open connections; try again later`);
    }
    if (!(await this.members.stillMember(roomId, userId))) {
      this.host.release(roomId, protocol);
      return errorResponse(403, "not_a_member", "you are not a member of this room");
    }
    return null;
  }
}
