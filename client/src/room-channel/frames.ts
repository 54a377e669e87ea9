/**
 * Reading the room socket's frames: only the types this client knows reach the channel's
 * exhaustive switch (../known-frames.ts says why), and their messages whole (`complete`).
 */
import { frameReader } from "../known-frames";
import type { ServerFrame, ServerFrameV2 } from "../types";

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
export const readFrame = frameReader<ServerFrameV2>(KNOWN);

/**
 * The frame as the channel handles it. Subprotocol 2, which this client asks for, leaves out of
 * `message` and `update` frames what the channel knows (docs/protocol.md "Version 2"): its room,
 * kind "text", and the clientId of a message that is not mine (""; only my own sends are matched
 * by clientId). Filled back in here, nothing past this point differs; a version 1 frame passes as it is.
 */
export function complete(frame: ServerFrameV2, roomId: string): ServerFrame {
  if (frame.type === "message" || frame.type === "update") frame.message = { roomId, kind: "text", clientId: "", ...frame.message };
  return frame as ServerFrame;
}
