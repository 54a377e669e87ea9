/**
 * The stock PeerJS client pointed at Hearth's signaling server (docs/calls.md): loaded only
 * when a call starts, configured from the peer grant so that it never falls back to PeerJS's
 * public servers.
 */
import type { Peer } from "peerjs";
import type { PeerGrant } from "../types";

/** Loads PeerJS (its own chunk); null if the code could not be loaded (offline?). */
export async function loadPeerJs(): Promise<typeof Peer | null> {
  try {
    return (await import("peerjs")).Peer;
  } catch {
    return null;
  }
}

/** A peer for `grant` on Hearth's signaling server; it connects at once. */
export function createPeer(PeerClass: typeof Peer, grant: PeerGrant): Peer {
  const secure = location.protocol === "https:";
  return new PeerClass(grant.peerId, {
    host: location.hostname,
    port: Number(location.port) || (secure ? 443 : 80),
    secure,
    path: grant.path,
    key: grant.key,
    // Binds the id to this client on the server; the stock token is Math.random().
    token: randomToken(),
    // Always given, even empty: without it PeerJS falls back to public STUN/TURN hosts.
    config: { iceServers: grant.iceServers },
    debug: 0,
  });
}

/** PeerJS's error for a call to a peer the server does not know (the server's EXPIRE). */
export function unavailablePeerOf(message: string, candidates: Iterable<string>): string | null {
  for (const peerId of candidates) if (message === `Could not connect to peer ${peerId}`) return peerId;
  return null;
}

function randomToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(24));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
