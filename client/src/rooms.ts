/**
 * My rooms as the sidebar shows them: loaded once at sign-in, then kept current by the per-user
 * channel (user-channel/: rooms added and removed, counts) and by what happens in the open room.
 * Nothing polls.
 */
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

let loading: Promise<void> | null = null;
/** The list shown came from the server (not from this device's copy, offline). */
let fromServer = false;

/** Loads the list (at sign-in, or when the channel says it changed while this tab was not listening). */
export function refreshRooms(): Promise<void> {
  loading ??= load().finally(() => (loading = null));
  return loading;
}

async function load(): Promise<void> {
  try {
    const { rooms: list } = await api.rooms();
    const open = openRoomId.value;
    rooms.value = list.map((room) => (room.id === open ? { ...room, unread: 0 } : room));
    roomsLoaded.value = true;
    roomsError.value = null;
    fromServer = true;
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

/** Signed out: forget the list. */
export function forgetRooms(): void {
  rooms.value = [];
  roomsLoaded.value = false;
  roomsError.value = null;
  fromServer = false;
}

/**
 * The channel's `hello` names every room I am in: when those are not the rooms listed (a room
 * came or went while the channel was down), the list is loaded again; so is a list that could
 * not be loaded, or came from this device's copy (offline), now that the server answers.
 */
export function reconcileRooms(roomIds: readonly string[]): void {
  if (!roomsLoaded.value || !fromServer) {
    if (!loading) void refreshRooms();
    return;
  }
  const listed = new Set(rooms.value.map((r) => r.id));
  if (roomIds.length !== listed.size || roomIds.some((id) => !listed.has(id))) void refreshRooms();
}

/** Adds or replaces one room (after create, join or opening a DM), first in the list. */
export function upsertRoom(room: Room): void {
  const others = rooms.value.filter((r) => r.id !== room.id);
  rooms.value = [room, ...others];
}

/** The channel says I am in `room`: a new one goes first, one already listed keeps its place. */
export function addRoom(room: Room): void {
  const index = rooms.value.findIndex((r) => r.id === room.id);
  if (index < 0) rooms.value = [room, ...rooms.value];
  else rooms.value = rooms.value.map((r) => (r.id === room.id ? { ...r, ...room } : r));
}

export function removeRoom(roomId: string): void {
  if (rooms.value.some((r) => r.id === roomId)) rooms.value = rooms.value.filter((r) => r.id !== roomId);
}

/**
 * Something new in a room: it moves first in the list. `seq` is its newest message; `unread`,
 * when known, what is unread there now.
 */
export function noteActivity(roomId: string, seq: number, ts: number, unread = 0): void {
  const index = rooms.value.findIndex((r) => r.id === roomId);
  if (index < 0) return;
  const room = rooms.value[index]!;
  if (seq <= room.lastSeq && room.unread === unread) return;
  const updated: Room = {
    ...room,
    lastSeq: Math.max(room.lastSeq, seq),
    lastMessageAt: seq > room.lastSeq ? new Date(ts).toISOString() : room.lastMessageAt,
    unread,
  };
  rooms.value = seq > room.lastSeq ? [updated, ...rooms.value.filter((r) => r.id !== roomId)] : rooms.value.map((r) => (r.id === roomId ? updated : r));
}
