import { SELF } from "cloudflare:test";
import { expect } from "vitest";
import { BASE, TestSocket, api, type TestUser } from "./helpers";

/** What the stock peerjs 1.5.5 client puts in its URLs (lib/version.ts). */
export const STOCK_VERSION = "1.5.5";
/** The stock client's token: `Math.random().toString(36).slice(2)` (lib/utils/randomToken.ts). */
export const stockToken = () => Math.random().toString(36).slice(2);
/** peerjs 1.5.5 `validateId`: the client refuses to start with any other id. */
export const STOCK_ID_PATTERN = /^[A-Za-z0-9]+(?:[ _-][A-Za-z0-9]+)*$/;

export interface PeerGrant {
  peerId: string;
  key: string;
  path: string;
  iceServers: unknown[];
  expiresAt: string;
  maxPeers: number;
}

export async function grantPeer(user: TestUser, roomId: string): Promise<PeerGrant> {
  const res = await api(`/api/rooms/${roomId}/calls/peer`, { method: "POST", token: user.token });
  if (res.status !== 200) throw new Error(`peer grant failed: ${res.status} ${res.text}`);
  return res.json;
}

/**
 * The signaling URL exactly as the stock client builds it (lib/socket.ts): `{path}peerjs?key=K`,
 * then `&id=ID&token=T`, then `&version=V`, nothing encoded; path "/peerjs" becomes "/peerjs/".
 */
export function stockSocketPath(id: string, token: string, key = "peerjs"): string {
  const base = "/peerjs/" + "peerjs?key=" + key;
  return `${base}&id=${id}&token=${token}` + "&version=" + STOCK_VERSION;
}

/** A signaling socket recording both parsed frames and their exact text. */
export class PeerSocket extends TestSocket {
  raw: string[] = [];
  constructor(ws: WebSocket) {
    super(ws);
    ws.addEventListener("message", (e) => {
      this.raw.push(e.data as string);
    });
  }
}

/** Opens the signaling socket with any URL path (upgrade as the browser does it). */
export async function openPath(path: string): Promise<PeerSocket> {
  const res = await SELF.fetch(`${BASE}${path}`, { headers: { Upgrade: "websocket" } });
  if (res.status !== 101 || !res.webSocket) throw new Error(`upgrade failed: ${res.status} ${await res.text()}`);
  res.webSocket.accept();
  return new PeerSocket(res.webSocket);
}

export function openPeer(id: string, token: string, key = "peerjs"): Promise<PeerSocket> {
  return openPath(stockSocketPath(id, token, key));
}

/** A member's peer: grant over REST, socket opened by the stock URL, OPEN received. */
export async function joinCall(user: TestUser, roomId: string, token = stockToken()) {
  const grant = await grantPeer(user, roomId);
  const socket = await openPeer(grant.peerId, token);
  expect(await socket.nextOfType("OPEN")).toEqual({ type: "OPEN" });
  return { id: grant.peerId, token, socket, grant };
}

/** Waits for a refusal: one ERROR or ID-TAKEN frame, then the close. */
export async function expectRefusal(socket: PeerSocket, type: "ERROR" | "ID-TAKEN", msg: string | RegExp) {
  const frame = await socket.next((f) => f.type === "ERROR" || f.type === "ID-TAKEN", "a refusal");
  expect(frame.type).toBe(type);
  if (typeof msg === "string") expect(frame.payload.msg).toBe(msg);
  else expect(frame.payload.msg).toMatch(msg);
  const closed = await socket.waitClose();
  expect(closed.code).toBe(1008);
  expect(socket.frames).toHaveLength(1);
}

/** Resolves after `ms` milliseconds. */
export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
