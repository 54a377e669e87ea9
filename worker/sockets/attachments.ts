/**
 * A socket's attachment (who it is, what it may do), kept in memory as well as on the
 * socket. `serializeAttachment` is the durable copy that survives hibernation, but reading it
 * back deserializes a structured clone on every call: a room that reads every socket's user
 * for presence or a broadcast would pay that per socket per frame. After a wake the first
 * read fills the cache; writes go to both, so they never disagree.
 */
export class AttachmentCache<T extends object> {
  private readonly cache = new WeakMap<WebSocket, T>();

  /** The socket's attachment, or null for a socket that never had one. */
  get(ws: WebSocket): T | null {
    let value = this.cache.get(ws);
    if (!value) {
      value = (ws.deserializeAttachment() as T | null) ?? undefined;
      if (value) this.cache.set(ws, value);
    }
    return value ?? null;
  }

  /** Stores `value` as the socket's attachment (after a change to it, pass the same object). */
  set(ws: WebSocket, value: T): void {
    ws.serializeAttachment(value);
    this.cache.set(ws, value);
  }
}
