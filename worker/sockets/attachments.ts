/**
 * A socket's attachment: who it is and what it may do, stored on the socket with
 * `serializeAttachment` so it survives hibernation. Typed reads and writes for every
 * Durable Object that holds sockets, and a cache for those that read attachments often.
 */

/** The socket's attachment, or null for a socket that never had one (a fresh structured clone per call). */
export function readAttachment<T extends object>(ws: WebSocket): T | null {
  return (ws.deserializeAttachment() as T | null) ?? null;
}

/** Stores `value` as the socket's attachment. */
export function writeAttachment<T extends object>(ws: WebSocket, value: T): void {
  ws.serializeAttachment(value);
}

/**
 * Attachments kept in memory as well as on the socket. Reading an attachment deserializes a
 * structured clone on every call: a room that reads every socket's user for presence or a
 * broadcast would pay that per socket per frame. After a wake the first read fills the cache;
 * writes go to both, so they never disagree, provided every write goes through the cache.
 * (The call object, with a handful of sockets, reads the socket itself.)
 */
export class AttachmentCache<T extends object> {
  private readonly cache = new WeakMap<WebSocket, T>();

  get(ws: WebSocket): T | null {
    let value = this.cache.get(ws);
    if (!value) {
      value = readAttachment<T>(ws) ?? undefined;
      if (value) this.cache.set(ws, value);
    }
    return value ?? null;
  }

  /** Stores `value` as the socket's attachment (after a change to it, pass the same object). */
  set(ws: WebSocket, value: T): void {
    writeAttachment(ws, value);
    this.cache.set(ws, value);
  }
}
