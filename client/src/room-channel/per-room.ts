/**
 * Lists that outlive a room's channel, one per user and room: opening another room stops the
 * channel, and what this user sent there without an answer yet (messages, changes) must still
 * go out when the room is opened again (in this tab, like the composer's drafts; not across a
 * reload).
 */
import { signal, type Signal } from "@preact/signals";

/**
 * A store of lists keyed by user and room.
 * @example const outboxes = perRoom<PendingMessage>(); const pending = outboxes(me.id, roomId);
 */
export function perRoom<T>(): (userId: string, roomId: string) => Signal<T[]> {
  const lists = new Map<string, Signal<T[]>>();
  return (userId, roomId) => {
    const key = `${userId} ${roomId}`;
    let list = lists.get(key);
    if (!list) {
      list = signal<T[]>([]);
      lists.set(key, list);
    }
    return list;
  };
}
