/** The room list kept on this device while someone is signed in (store.ts). */
import { effect } from "@preact/signals";
import { rooms, roomsLoaded } from "../rooms";
import { saveRooms } from "./store";

const WRITE_AFTER_MS = 500;

/**
 * Writes the room list a moment after each change (load, join, leave, a new DM), and with it
 * forgets the rooms no longer in it. Returns its stop.
 */
export function keepRooms(userId: string): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const stop = effect(() => {
    const list = rooms.value;
    if (!roomsLoaded.value) return;
    clearTimeout(timer);
    timer = setTimeout(() => void saveRooms(userId, list), WRITE_AFTER_MS);
  });
  return () => {
    stop();
    clearTimeout(timer);
  };
}
