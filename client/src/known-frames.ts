/**
 * Reading a socket's JSON frames. The protocols grow (docs/protocol.md): a frame type this
 * client does not know is ignored, and so is any field it does not read, so only the known
 * types reach a channel's exhaustive switch. Shared by the room socket and the per-user channel.
 */

/** A frame read off a socket: one this client knows, or one of a newer protocol. */
export type Incoming<F> = { kind: "known"; frame: F } | { kind: "unknown" };

/**
 * A reader for frames of union `F`, knowing the types listed in `known`.
 * @example const readFrame = frameReader<ServerFrame>({ hello: true, … } satisfies Record<ServerFrame["type"], true>);
 */
export function frameReader<F extends { type: string }>(known: Record<F["type"], true>): (data: unknown) => Incoming<F> | null {
  return (data) => {
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
    return Object.hasOwn(known, type) ? { kind: "known", frame: value as F } : { kind: "unknown" };
  };
}
