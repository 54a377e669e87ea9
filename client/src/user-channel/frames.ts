/** Reading the per-user channel's frames: only known types reach the channel's switch (../known-frames.ts). */
import { frameReader } from "../known-frames";
import type { UserServerFrame } from "../../../worker/contract/user-wire";

/** The frame types this client handles; `satisfies` fails the build when one is missing. */
const KNOWN = {
  hello: true,
  counts: true,
  ring: true,
  "ring-stop": true,
  "room-added": true,
  "room-removed": true,
  presence: true,
  pong: true,
  error: true,
} as const satisfies Record<UserServerFrame["type"], true>;

export const readUserFrame = frameReader<UserServerFrame>(KNOWN);
