/**
 * Reading the room socket's frames: only the types this client knows reach the channel's
 * exhaustive switch (../known-frames.ts says why).
 */
import { frameReader } from "../known-frames";
import type { ServerFrame } from "../types";

export type { Incoming } from "../known-frames";

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
  presence_count: true,
  call: true,
  pong: true,
  error: true,
} as const satisfies Record<ServerFrame["type"], true>;

/** Null when `data` is not a JSON object with a string `type` (nothing to act on). */
export const readFrame = frameReader<ServerFrame>(KNOWN);
