import { closeSocket } from "./safe-io";

/**
 * The rule for an incoming frame before it is parsed: text only, at most `maxBytes` of
 * UTF-8. Either breach closes the socket (1003 unsupported data, 1009 too big) rather than
 * answering it, because a client that sends such frames does not speak the protocol.
 */

/** The frame as text, or null after closing the socket for breaking the rule. */
export function textFrameOrClose(ws: WebSocket, data: string | ArrayBuffer, rule: { maxBytes: number; binaryReason: string }): string | null {
  if (typeof data !== "string") {
    closeSocket(ws, 1003, rule.binaryReason);
    return null;
  }
  // Counting UTF-8 bytes costs an encode: only done when the UTF-16 length leaves it open.
  if (data.length > rule.maxBytes || (data.length * 3 > rule.maxBytes && new TextEncoder().encode(data).length > rule.maxBytes)) {
    closeSocket(ws, 1009, `frames are limited to ${rule.maxBytes} bytes`);
    return null;
  }
  return data;
}
