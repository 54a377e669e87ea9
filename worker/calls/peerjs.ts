/**
 * The PeerJS server protocol, as the stock `peerjs` 1.5.5 client speaks it (the `peer` 1.0.2
 * npm package is the reference server). Frames, peer ids and the refusal socket; no state.
 * docs/calls.md is the prose version of this file.
 */

import { CALL_REFUSALS as REFUSALS, MAX_CALL_PEERS } from "../contract/calls";
import { newId } from "../lib/ids";

/** Where the signaling lives: the client is built with `{ path: PEERJS_PATH, key: PEERJS_KEY }`. */
export const PEERJS_PATH = "/peerjs";
/** The client's default key. Authentication is the peer id, so the key is a fixed constant. */
export const PEERJS_KEY = "peerjs";
/** The two options the client needs besides host and port. */
export const PEERJS_SERVER = { key: PEERJS_KEY, path: PEERJS_PATH } as const;

/** The exact text the stock client sends every 5 s: `JSON.stringify({ type: "HEARTBEAT" })`. */
export const HEARTBEAT_FRAME = '{"type":"HEARTBEAT"}';
/**
 * The runtime's auto-response to a heartbeat (a Durable Object cannot auto-respond with
 * nothing). The stock client ignores a frame without `payload`, so the echo is harmless.
 */
export const HEARTBEAT_REPLY = HEARTBEAT_FRAME;

/** A socket silent this long (no heartbeat, no frame) is dropped; the reference server's value. */
export const ALIVE_TIMEOUT_MS = 90_000;
/** A message queued for a peer that is not connected is given up after this long: EXPIRE. */
export const EXPIRE_TIMEOUT_MS = 5_000;
/** How long an issued peer id can be opened, and reopened (`peer.reconnect()`) after its socket closes. */
export const PEER_ID_TTL_MS = 10 * 60_000;
/** Unconnected peer ids one user may hold in a room; issuing more forgets the oldest. */
export const MAX_IDLE_IDS_PER_USER = 8;
/** Messages waiting for peers in one room; past this a message is expired at once. */
export const MAX_QUEUED = 256;
/** A signaling frame (an SDP with its candidates is a few KiB). */
export const MAX_FRAME_BYTES = 64 * 1024;
/** The longest `token` the server accepts (the stock client's is 10-11 characters). */
export const MAX_TOKEN_CHARS = 256;

/** Frames the server relays from one peer to another, adding `src`. */
export type RelayType = "OFFER" | "ANSWER" | "CANDIDATE" | "LEAVE" | "EXPIRE";
const RELAY_TYPES: ReadonlySet<string> = new Set<RelayType>(["OFFER", "ANSWER", "CANDIDATE", "LEAVE", "EXPIRE"]);

/** A relayed frame, in the reference server's key order; an absent payload is left out. */
export interface RelayFrame {
  type: RelayType;
  src: string;
  dst: string;
  payload?: unknown;
}

export type ServerFrame =
  | { type: "OPEN" }
  | { type: "ERROR"; payload: { msg: string } }
  | { type: "ID-TAKEN"; payload: { msg: string } }
  | RelayFrame;

/** What a client frame asks for. The reference server ignores what it cannot parse or route; so does Hearth. */
export type ClientFrame =
  | { kind: "heartbeat" }
  | { kind: "relay"; type: RelayType; dst: string | null; payload: unknown }
  | { kind: "ignored" };

/** Refusal messages. The first four are the reference server's, word for word. */

export { MAX_CALL_PEERS, REFUSALS };

export function parseClientFrame(text: string): ClientFrame {
  if (text === HEARTBEAT_FRAME) return { kind: "heartbeat" };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { kind: "ignored" };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return { kind: "ignored" };
  const { type, dst, payload } = value as Record<string, unknown>;
  if (type === "HEARTBEAT") return { kind: "heartbeat" };
  if (typeof type !== "string" || !RELAY_TYPES.has(type)) return { kind: "ignored" };
  return { kind: "relay", type: type as RelayType, dst: typeof dst === "string" && dst.length > 0 ? dst : null, payload };
}

export function relayFrame(type: RelayType, src: string, dst: string, payload?: unknown): RelayFrame {
  return payload === undefined ? { type, src, dst } : { type, src, dst, payload };
}

// ---- peer ids ----------------------------------------------------------------------------------

/**
 * The stock client refuses any other id (`validateId` in peerjs 1.5.5), and puts it in the
 * socket URL unencoded, so ids stay within letters, digits and single `_`/`-` separators.
 */
export const CLIENT_ID_PATTERN = /^[A-Za-z0-9]+(?:[ _-][A-Za-z0-9]+)*$/;
const PEER_ID_PATTERN = /^([A-Za-z0-9_]{1,64})-p_[0-9a-z]{25}$/;

/**
 * A new peer id for `roomId`: `{roomId}-p_{25 random base-36 characters}` (about 129 bits).
 * The room in front routes the socket to the room's call object; the random part makes it
 * unguessable. It is only valid once that object has recorded it (`CallObject.issuePeer`).
 */
export function newPeerId(roomId: string): string {
  return `${roomId}-${newId("p")}`;
}

/** The room a peer id belongs to, or null when it is not shaped like one Hearth issues. */
export function roomOfPeerId(peerId: string): string | null {
  return PEER_ID_PATTERN.exec(peerId)?.[1] ?? null;
}

// ---- refusing a socket -------------------------------------------------------------------------

/**
 * Refuses a signaling socket the way the reference server does: the upgrade succeeds, the
 * server sends one ERROR or ID-TAKEN frame and closes. An HTTP error would reach the stock
 * client only as "Lost connection to server"; a frame becomes an `error` event with its words.
 */
export function refusal(frame: Extract<ServerFrame, { type: "ERROR" | "ID-TAKEN" }>): Response {
  const { 0: client, 1: server } = new WebSocketPair();
  server.accept();
  server.send(JSON.stringify(frame));
  // 1008: policy violation. The stock client reacts to the frame, not to the code.
  server.close(1008, frame.payload.msg.slice(0, 120));
  return new Response(null, { status: 101, webSocket: client });
}

export function errorFrame(msg: string): Extract<ServerFrame, { type: "ERROR" }> {
  return { type: "ERROR", payload: { msg } };
}
