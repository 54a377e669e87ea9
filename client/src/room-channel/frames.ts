/**
 * Reading the room socket's frames. The protocol grows (docs/protocol.md): a frame type this
 * client does not know is ignored, and so is any field it does not read, so only the known
 * types reach the channel's exhaustive switch.
 */
import type { ServerFrame } from "../types";

/** The frame types this client handles; `satisfies` fails the build when one is missing. */
const KNOWN = {
  hello: true,
  message: true,
  synced: true,
  update: true,
  ack: true,
  typing: true,
  read: true,
  presence: true,
  call: true,
  pong: true,
  error: true,
} as const satisfies Record<ServerFrame["type"], true>;

/** A frame read off the socket: one this client knows, or one of a newer protocol. */
export type Incoming = { kind: "known"; frame: ServerFrame } | { kind: "unknown" };

/** Null when `data` is not a JSON object with a string `type` (nothing to act on). */
export function readFrame(data: unknown): Incoming | null {
  if (typeof data !== "string") return null;
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return null;
  }
  if (typeof value !== "object" || value === null) return null;
  const type = (value as { type?: unknown }).type;
  if (typeof type !== "string") return { kind: "unknown" };
  return Object.hasOwn(KNOWN, type) ? { kind: "known", frame: value as ServerFrame } : { kind: "unknown" };
}
