import type { ClientFrame } from "../contract/wire";

/** Parsing of the room socket's client frames (the frame types are in contract/wire.ts). */

const CLIENT_TYPES = new Set<string>(["send", "edit", "delete", "react", "typing", "visibility", "ping"]);

export type ParsedFrame = { ok: true; frame: ClientFrame } | { ok: false; code: "bad_frame" | "unknown_type"; message: string };

/** Parses one text frame. Never throws. */
export function parseClientFrame(text: string): ParsedFrame {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, code: "bad_frame", message: "frame is not valid JSON" };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return { ok: false, code: "bad_frame", message: "frame must be a JSON object" };
  }
  const type = (value as { type?: unknown }).type;
  if (typeof type !== "string") return { ok: false, code: "bad_frame", message: "frame needs a string `type`" };
  if (!CLIENT_TYPES.has(type)) return { ok: false, code: "unknown_type", message: `unknown frame type \`${type.slice(0, 40)}\`` };
  return { ok: true, frame: value as ClientFrame };
}

