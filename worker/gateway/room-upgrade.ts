import { PROTOCOLS, type Protocol } from "../contract/protocols";
import type { Author } from "./draft";

/**
 * How the worker opens a socket in a room: the headers only the worker sets (the room trusts
 * them; they are never taken from a client), and the protocols whose clients subscribe.
 */

/** Headers the worker sets on a socket upgrade it forwards here (never taken from the client). */
export const UPGRADE_HEADERS = {
  roomId: "x-hearth-room-id",
  userId: "x-hearth-user-id",
  username: "x-hearth-username",
  /** "bot" for a bot's socket (its messages say so); absent for anyone else. */
  role: "x-hearth-role",
  protocol: "x-hearth-protocol",
  /** The subprotocol to name in the 101 (the client offered it). */
  subprotocol: "x-hearth-subprotocol",
  /** "2" when the socket speaks subprotocol 2 (docs/protocol.md "Version 2"); absent: version 1. */
  wire: "x-hearth-wire",
  /** When the user's session ends (seconds since the epoch). */
  sessionExp: "x-hearth-session-exp",
  /** The ticket the socket was opened with, as `id exp` (seconds): the room lets it in once. */
  ticket: "x-hearth-ticket",
} as const;


/**
 * The request with which the worker (never a client) opens a socket in a room for `user`:
 * the room trusts these headers. `subprotocol` is named in the 101; `since` asks for a replay.
 */
export function roomUpgradeRequest(o: {
  roomId: string;
  user: Author & { sessionExp?: number; ticket?: { id: string; exp: number } };
  protocol?: Protocol;
  subprotocol?: string;
  /** The socket speaks subprotocol 2 (compact message frames); the adapters never ask for it. */
  wire?: 2;
  since?: number;
  /** With `since`: the newest change seq the client has seen (docs/protocol.md "Changes"). */
  sinceChange?: number;
}): Request {
  const url = new URL("https://room.internal/ws");
  if (o.since !== undefined) url.searchParams.set("since", String(o.since));
  if (o.since !== undefined && o.sinceChange !== undefined) url.searchParams.set("sinceChange", String(o.sinceChange));
  const headers = new Headers({ Upgrade: "websocket" });
  headers.set(UPGRADE_HEADERS.roomId, o.roomId);
  headers.set(UPGRADE_HEADERS.userId, o.user.id);
  headers.set(UPGRADE_HEADERS.username, o.user.username);
  if (o.user.role === "bot") headers.set(UPGRADE_HEADERS.role, "bot");
  if (o.protocol) headers.set(UPGRADE_HEADERS.protocol, o.protocol);
  if (o.subprotocol) headers.set(UPGRADE_HEADERS.subprotocol, o.subprotocol);
  if (o.wire === 2) headers.set(UPGRADE_HEADERS.wire, "2");
  if (o.user.sessionExp !== undefined) headers.set(UPGRADE_HEADERS.sessionExp, String(o.user.sessionExp));
  if (o.user.ticket) headers.set(UPGRADE_HEADERS.ticket, `${o.user.ticket.id} ${o.user.ticket.exp}`);
  return new Request(url, { headers });
}

/** What an upgrade forwarded by the worker asks for. */
export interface UpgradeAsk {
  roomId: string;
  userId: string;
  username: string;
  /** A bot's socket. */
  bot: boolean;
  protocol: Protocol;
  subprotocol: string | null;
  /** Subprotocol 2 (compact message frames), or 1. */
  wire: 1 | 2;
  /** When the session ends (ms since the epoch), if the worker said. */
  sessionExpMs?: number;
  /** Replay the log after this seq (null: no replay). */
  since: number | null;
  /** With `since`: replay the changes after this change seq (null: every change since `since` was the newest). */
  sinceChange: number | null;
  /** The ticket the socket was opened with (expiry in ms since the epoch), if any. */
  ticket?: { id: string; expMs: number };
}

/** Reads `roomUpgradeRequest`'s headers back; a string is why the request is not one. */
export function readUpgrade(request: Request): UpgradeAsk | string {
  const h = request.headers;
  const roomId = h.get(UPGRADE_HEADERS.roomId);
  const userId = h.get(UPGRADE_HEADERS.userId);
  const username = h.get(UPGRADE_HEADERS.username);
  const protocol = (h.get(UPGRADE_HEADERS.protocol) ?? "websocket") as Protocol;
  if (!PROTOCOLS.includes(protocol)) return "unknown protocol";
  if (!roomId || !userId || !username || h.get("Upgrade")?.toLowerCase() !== "websocket") {
    return "expected a WebSocket upgrade from the Hearth worker";
  }
  const params = new URL(request.url).searchParams;
  const sinceParam = params.get("since");
  const sinceChangeParam = params.get("sinceChange");
  const sessionExp = Number(h.get(UPGRADE_HEADERS.sessionExp));
  const [ticketId, ticketExp] = (h.get(UPGRADE_HEADERS.ticket) ?? "").split(" ");
  return {
    roomId,
    userId,
    username,
    bot: h.get(UPGRADE_HEADERS.role) === "bot",
    protocol,
    subprotocol: h.get(UPGRADE_HEADERS.subprotocol),
    wire: h.get(UPGRADE_HEADERS.wire) === "2" ? 2 : 1,
    ...(sessionExp > 0 ? { sessionExpMs: sessionExp * 1000 } : {}),
    ...(ticketId && Number(ticketExp) > 0 ? { ticket: { id: ticketId, expMs: Number(ticketExp) * 1000 } } : {}),
    since: sinceParam === null ? null : Number(sinceParam),
    sinceChange: sinceChangeParam === null ? null : Number(sinceChangeParam),
  };
}

/**
 * A big room's shards (docs/architecture.md "Big rooms"): the room object answers an upgrade it
 * admitted but does not hold itself with this header naming the shard (a non-101 the worker
 * follows, never shown to a client), and the worker sends the same upgrade there with it set.
 */
export const SHARD_HEADER = "x-hearth-shard";

/** The name of shard `k` of a room's shards (RoomShard). */
export function shardName(roomId: string, k: number): string {
  return `${roomId}/${k}`;
}
