/**
 * Unsent text per user and room, kept in localStorage (`hearth.draft.<userId>.<roomId>`) so a
 * draft survives switching rooms and reloading; read synchronously when a room's composer
 * opens. Forgotten with the room (store.ts) and when the session ends (wipe.ts).
 */
import { writable } from "./signed-in";

const PREFIX = "hearth.draft.";
const keyOf = (userId: string, roomId: string) => `${PREFIX}${userId}.${roomId}`;

export function loadDraft(userId: string, roomId: string): string {
  try {
    return localStorage.getItem(keyOf(userId, roomId)) ?? "";
  } catch {
    return "";
  }
}

/** Keeps `text` as the room's draft; an empty one is removed. */
export function saveDraft(userId: string, roomId: string, text: string): void {
  try {
    if (!text) localStorage.removeItem(keyOf(userId, roomId));
    else if (writable(userId)) localStorage.setItem(keyOf(userId, roomId), text);
  } catch {
    // No storage (private mode, full): the draft lasts while the page does.
  }
}

/** Removes this user's drafts for rooms not in `rooms`. */
export function pruneDrafts(userId: string, rooms: Set<string>): void {
  try {
    const prefix = `${PREFIX}${userId}.`;
    for (const key of Object.keys(localStorage)) {
      if (key.startsWith(prefix) && !rooms.has(key.slice(prefix.length))) localStorage.removeItem(key);
    }
  } catch {
    // No storage.
  }
}
