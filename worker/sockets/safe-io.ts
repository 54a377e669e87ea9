/**
 * Sending to and closing a socket that may already be closing. The runtime throws from
 * `send` and `close` on a socket whose close has begun; a room fanning a frame out to many
 * sockets, or closing one in a close handler, must not fail because one of them went away
 * (its own close handler does the bookkeeping).
 */

/** Sends `text` (a frame already serialized); false if the socket is closing. */
export function sendText(ws: WebSocket, text: string): boolean {
  try {
    ws.send(text);
    return true;
  } catch {
    return false;
  }
}

/** Sends one JSON frame; false if the socket is closing. */
export function sendJson(ws: WebSocket, frame: unknown): boolean {
  return sendText(ws, JSON.stringify(frame));
}

/** Closes the socket; nothing happens if it is closed already. */
export function closeSocket(ws: WebSocket, code: number, reason: string): void {
  try {
    ws.close(code, reason);
  } catch {
    // already closed
  }
}

/**
 * Finishes the close handshake the peer began (call it from `webSocketClose`): the runtime
 * does not answer a close frame for a hibernatable socket by itself. 1005 (no status), 1006
 * (abnormal closure) and 1015 (TLS failure) only describe what happened locally and may not
 * be sent in a close frame, so those are answered with a plain 1000.
 */
export function reciprocateClose(ws: WebSocket, code: number, reason: string): void {
  closeSocket(ws, code === 1005 || code === 1006 || code === 1015 ? 1000 : code, reason);
}
