/**
 * What this device keeps of the signed-in user for offline use, in IndexedDB (db.ts), all
 * under `u/<userId>/`:
 *   rooms                          the room list as last loaded
 *   recent                         the rooms whose history is kept, last opened first
 *   history/<roomId>               that room's newest messages as last shown (deletions applied)
 *   outbox/<roomId>/<clientId>     a message waiting to be sent (queue.ts)
 *   changes/<roomId>/<clientId>    an edit, deletion or reaction waiting to be sent (queue.ts)
 * Nothing is written for a user who is no longer signed in here, and a session that ends
 * deletes it all (wipe.ts).
 */
import type { Message, Room } from "../types";
import { del, delUnder, entriesUnder, get, put } from "./db";
import { pruneDrafts, saveDraft } from "./drafts";
import { writable } from "./signed-in";

/** How many rooms keep their history, and how many of their newest messages. */
export const KEPT_ROOMS = 8;
export const KEPT_MESSAGES = 50;

const base = (userId: string) => `u/${userId}/`;

export function loadRooms(userId: string): Promise<Room[] | undefined> {
  return get<Room[]>(`${base(userId)}rooms`);
}

/** Keeps the room list, and forgets every room not in it (left, removed, deleted). */
export async function saveRooms(userId: string, list: Room[]): Promise<void> {
  if (!writable(userId)) return;
  await put(`${base(userId)}rooms`, list);
  const member = new Set(list.map((room) => room.id));
  const gone = new Set<string>();
  for (const kind of ["history", "outbox", "changes"]) {
    const prefix = `${base(userId)}${kind}/`;
    for (const [key] of await entriesUnder(prefix)) {
      const roomId = key.slice(prefix.length).split("/")[0]!;
      if (!member.has(roomId)) gone.add(roomId);
    }
  }
  for (const roomId of gone) await forgetRoom(userId, roomId);
  pruneDrafts(userId, member);
}

export function loadHistory(userId: string, roomId: string): Promise<Message[] | undefined> {
  return get<Message[]>(`${base(userId)}history/${roomId}`);
}

/** Keeps a room's newest messages; the room becomes the most recent, and the oldest beyond KEPT_ROOMS is dropped. */
export async function saveHistory(userId: string, roomId: string, messages: Message[]): Promise<void> {
  if (!writable(userId)) return;
  const recentKey = `${base(userId)}recent`;
  const recent = [roomId, ...((await get<string[]>(recentKey)) ?? []).filter((id) => id !== roomId)];
  await put(`${base(userId)}history/${roomId}`, messages.slice(-KEPT_MESSAGES));
  await put(recentKey, recent.slice(0, KEPT_ROOMS));
  for (const dropped of recent.slice(KEPT_ROOMS)) await del(`${base(userId)}history/${dropped}`);
}

/** A room I am no longer in: its history, its draft and whatever waited to be sent there. */
export async function forgetRoom(userId: string, roomId: string): Promise<void> {
  saveDraft(userId, roomId, "");
  const recentKey = `${base(userId)}recent`;
  const recent = (await get<string[]>(recentKey)) ?? [];
  if (recent.includes(roomId) && writable(userId)) await put(recentKey, recent.filter((id) => id !== roomId));
  await del(`${base(userId)}history/${roomId}`);
  await delUnder(`${base(userId)}outbox/${roomId}/`);
  await delUnder(`${base(userId)}changes/${roomId}/`);
}

/** Where waiting items of one kind are kept (queue.ts): a room's, or every room's without `roomId`. */
export function queuePrefix(kind: "outbox" | "changes", userId: string, roomId?: string): string {
  return roomId === undefined ? `${base(userId)}${kind}/` : `${base(userId)}${kind}/${roomId}/`;
}
