/**
 * Lists that outlive a room's channel, one per user and room: opening another room stops the
 * channel, and what this user sent there without an answer yet (messages, changes) must still
 * go out when the room is opened again. A store may keep its lists across reloads too
 * (`keep`: the outbox and the changes keep theirs in IndexedDB, offline/queue.ts). A session
 * that ends forgets every list.
 */
import { effect, signal, type Signal } from "@preact/signals";
import { token } from "../session";

export interface RoomList<T> {
  list: Signal<T[]>;
  /** Resolves once what earlier pages kept is in `list` (at once for a store that keeps nothing). */
  ready: Promise<void>;
}

type Keep<T> = (list: Signal<T[]>, userId: string, roomId: string) => Promise<void>;

/**
 * A store of lists keyed by user and room.
 * @example const outboxes = perRoom<PendingMessage>(); const { list } = outboxes(me.id, roomId);
 */
export function perRoom<T>(keep?: Keep<T>): (userId: string, roomId: string) => RoomList<T> {
  const lists = new Map<string, RoomList<T>>();
  effect(() => {
    if (token.value === null) lists.clear();
  });
  return (userId, roomId) => {
    const key = `${userId} ${roomId}`;
    let entry = lists.get(key);
    if (!entry) {
      const list = signal<T[]>([]);
      const ready = keep ? keep(list, userId, roomId).catch(() => undefined) : Promise.resolve();
      entry = { list, ready };
      lists.set(key, entry);
    }
    return entry;
  };
}
