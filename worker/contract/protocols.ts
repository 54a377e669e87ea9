/**
 * The wire protocols a message can arrive through. They name the per-protocol counters of
 * `GET /stats` and the room's sockets (a SignalR hub or a Connect stream subscribes to a room
 * as a socket of its protocol).
 */

/** The wire protocols whose clients subscribe to rooms (REST posts count as "rest"). */
export const PROTOCOLS = ["websocket", "signalr", "connect"] as const;
export type Protocol = (typeof PROTOCOLS)[number];
/** Where a message came from: a subscribing protocol, or a REST post. */
export type Via = Protocol | "rest";
