import type { Protocol } from "../contract/protocols";
import type { UpgradeAsk } from "../gateway/room-upgrade";
import { errorResponse } from "../lib/errors";
import type { SpentTickets } from "../sockets/spent-tickets";
import type { Exits } from "./exits";
import type { Greeting } from "./greeting";
import type { RoomSockets, SocketInfo } from "./room-sockets";

/**
 * A socket upgrade entering the room: whether it may (its ticket unspent, a place under the
 * server-wide cap that the stats object counts, still a member, a place under the room's cap)
 * and, if so, its acceptance: the socket with its user, its greeting, presence, and a report
 * of the new connection.
 */
export interface AdmissionHost {
  admit(roomId: string, protocol: Protocol): Promise<boolean>;
  release(roomId: string, protocol: Protocol): void;
  /** A socket was let in (presence and the connection report follow). */
  joined(user: { userId: string; username: string }): void;
}

export class Admission {
  constructor(
    private readonly spentTickets: SpentTickets,
    private readonly members: Pick<Exits, "stillMember">,
    private readonly sockets: RoomSockets,
    private readonly greeting: Greeting,
    private readonly limits: { maxConnections: number; maxServerConnections: number },
    private readonly host: AdmissionHost,
  ) {}

  /** The 101 with the room's end of a new socket, or the refusal. */
  async upgrade(ask: UpgradeAsk): Promise<Response> {
    const refused = await this.refusal(ask);
    if (refused) return refused;
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
    // Checked after the awaits so that no other upgrade can slip in between check and accept.
    if (this.sockets.count() >= this.limits.maxConnections) {
      this.host.release(roomId, protocol);
      return errorResponse(503, "room_full", `this room already has ${this.limits.maxConnections} open connections`);
    }
    return null;
  }
}
