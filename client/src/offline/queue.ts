/**
 * Keeps a room's list of items waiting for the server (its outbox, its changes) in IndexedDB,
 * so that they survive a reload and go out once the connection is back. Each item is its own
 * key (`…/<clientId>`), so two tabs writing at once lose nothing; since the server stores a
 * clientId once, an item sent by two tabs, or again after a reload, is still stored once.
 */
import type { Signal } from "@preact/signals";
import { del, entriesUnder, put } from "./db";
import { writable } from "./signed-in";
import { queuePrefix } from "./store";

export interface Stored<T> {
  /** Sending order: when the item was first kept (a fraction of a millisecond apart in one page). */
  order: number;
  item: T;
}

/**
 * Loads what earlier pages kept into `list` (before anything this page added, in their order),
 * then writes each addition, change and removal of `list`. `storable` drops what cannot
 * outlive the page (a preview's blob URL). Resolves once the kept items are in `list`.
 */
export function keepQueue<T extends { clientId: string }>(
  kind: "outbox" | "changes",
  userId: string,
  roomId: string,
  list: Signal<T[]>,
  storable: (item: T) => T = (item) => item,
): Promise<void> {
  const prefix = queuePrefix(kind, userId, roomId);
  const orders = new Map<string, number>();
  /** What the database holds, as far as this page knows: an item is rewritten when its object changes. */
  let written = new Map<string, T>();
  let loaded = false;

  const sync = (items: T[]) => {
    if (!loaded || !writable(userId)) return;
    const next = new Map(items.map((item) => [item.clientId, item]));
    for (const [id, item] of next) {
      if (written.get(id) === item) continue;
      if (!orders.has(id)) orders.set(id, performance.timeOrigin + performance.now());
      void put(prefix + id, { order: orders.get(id)!, item: storable(item) } satisfies Stored<T>);
    }
    for (const id of written.keys()) {
      if (next.has(id)) continue;
      orders.delete(id);
      void del(prefix + id);
    }
    written = next;
  };
  list.subscribe(sync);

  return entriesUnder<Stored<T>>(prefix).then((entries) => {
    const kept = entries.map(([, stored]) => stored).sort((a, b) => a.order - b.order);
    for (const { order, item } of kept) {
      orders.set(item.clientId, order);
      written.set(item.clientId, item);
    }
    const here = new Set(list.value.map((item) => item.clientId));
    const earlier = kept.map((stored) => stored.item).filter((item) => !here.has(item.clientId));
    loaded = true;
    if (earlier.length > 0) list.value = [...earlier, ...list.value];
    else sync(list.value);
  });
}

/** Every room's kept items of one kind, each room's in sending order, with their keys. */
export async function keptQueues<T>(kind: "outbox" | "changes", userId: string): Promise<Map<string, { key: string; stored: Stored<T> }[]>> {
  const prefix = queuePrefix(kind, userId);
  const rooms = new Map<string, { key: string; stored: Stored<T> }[]>();
  for (const [key, stored] of await entriesUnder<Stored<T>>(prefix)) {
    const roomId = key.slice(prefix.length).split("/")[0]!;
    rooms.set(roomId, [...(rooms.get(roomId) ?? []), { key, stored }]);
  }
  for (const list of rooms.values()) list.sort((a, b) => a.stored.order - b.stored.order);
  return rooms;
}
