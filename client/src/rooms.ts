/** My rooms as the sidebar shows them: loaded, kept fresh, and updated by what happens in them. */
import { signal } from "@preact/signals";
import { api, ApiError } from "./api";
import { loadRooms } from "./offline/store";
import { currentUser } from "./session";
import type { Room } from "./types";

/** My rooms, most recent activity first, as `GET /api/rooms` lists them. */
export const rooms = signal<Room[]>([]);
export const roomsLoaded = signal(false);
export const roomsError = signal<string | null>(null);

/** The room open in the chat view: its unread count is shown as 0. */
export const openRoomId = signal<string | null>(null);

const POLL_MS = 10_000;

export async function refreshRooms(): Promise<void> {
  try {
    const { rooms: list } = await api.rooms();
    const open = openRoomId.value;
    rooms.value = list.map((room) => (room.id === open ? { ...room, unread: 0 } : room));
    roomsLoaded.value = true;
    roomsError.value = null;
  } catch (error) {
    // Offline before the first list: the one this device kept (offline/rooms-copy.ts).
    const me = currentUser.value;
    const saved = !roomsLoaded.value && error instanceof ApiError && error.status === 0 && me ? await loadRooms(me.id) : undefined;
    if (saved && !roomsLoaded.value) {
      rooms.value = saved;
      roomsLoaded.value = true;
      roomsError.value = null;
      return;
    }
    roomsError.value = error instanceof ApiError ? error.message : String(error);
  }
}

/** Adds or replaces one room (after create, join or opening a DM) without waiting for a poll. */
export function upsertRoom(room: Room): void {
  const others = rooms.value.filter((r) => r.id !== room.id);
  rooms.value = [room, ...others];
}

export function removeRoom(roomId: string): void {
  rooms.value = rooms.value.filter((r) => r.id !== roomId);
}

/** Local bookkeeping while a room is open: new activity, nothing unread. */
export function noteActivity(roomId: string, seq: number, ts: number): void {
  const index = rooms.value.findIndex((r) => r.id === roomId);
  if (index < 0) return;
  const room = rooms.value[index]!;
  if (seq <= room.lastSeq && room.unread === 0) return;
  const updated: Room = {
    ...room,
    lastSeq: Math.max(room.lastSeq, seq),
    lastMessageAt: new Date(ts).toISOString(),
    unread: 0,
  };
  rooms.value = [updated, ...rooms.value.filter((r) => r.id !== roomId)];
}

/**
 * Polls the room list (unread counts) every 10 s while the page is visible, and whenever
 * the window regains focus or becomes visible again.
 * Returns the function that stops polling.
 */
export function pollRooms(): () => void {
  void refreshRooms();
  const timer = setInterval(() => {
    if (document.visibilityState === "visible") void refreshRooms();
  }, POLL_MS);
  const onFocus = () => void refreshRooms();
  const onVisible = () => {
    if (document.visibilityState === "visible") void refreshRooms();
  };
  addEventListener("focus", onFocus);
  document.addEventListener("visibilitychange", onVisible);
  return () => {
    rooms.value = [];
    roomsLoaded.value = false;
    roomsError.value = null;
    clearInterval(timer);
    removeEventListener("focus", onFocus);
    document.removeEventListener("visibilitychange", onVisible);
  };
}
