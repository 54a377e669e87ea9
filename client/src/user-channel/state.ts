/**
 * What the per-user channel knows, as signals the screens read: each room's counts, the status
 * of the people I share a DM with, and whether this page is in the background. The badges of
 * the room list and the tab title are derived here.
 */
import { computed, signal } from "@preact/signals";
import { openRoomId, rooms } from "../rooms";
import type { Room } from "../types";
import type { PresenceStatus, RoomCounts } from "../../../worker/contract/user-wire";

export type { PresenceStatus, RoomCounts };

/** Each room's counts as the channel last told them (absent: not yet; the REST list's unread stands). */
export const roomCounts = signal<ReadonlyMap<string, RoomCounts>>(new Map());

/** The status of people I share a DM with, by user id (absent: offline). */
export const dmPresence = signal<Readonly<Record<string, PresenceStatus>>>({});

/** This page is in the background (another tab, minimized). */
export const pageHidden = signal(document.visibilityState === "hidden");

export interface Badge {
  unread: number;
  mentions: number;
  /** People in the room's call (0: none). */
  inCall: number;
}

/** Whether I am looking at this room now: its messages are read as they come. */
export function lookingAt(roomId: string): boolean {
  return roomId === openRoomId.value && !pageHidden.value;
}

/** What a room's entry in the list shows. */
export function badgeOf(room: Room): Badge {
  const counts = roomCounts.value.get(room.id);
  const inCall = counts?.inCall ?? 0;
  if (lookingAt(room.id)) return { unread: 0, mentions: 0, inCall };
  return { unread: counts?.unread ?? room.unread, mentions: counts?.mentions ?? 0, inCall };
}

/** Unread messages in all my rooms (the tab title's count). */
export const totalUnread = computed(() => rooms.value.reduce((sum, room) => sum + badgeOf(room).unread, 0));

/** The status of a DM's other member. */
export function partnerStatus(room: Room): PresenceStatus {
  return (room.dmWith && dmPresence.value[room.dmWith.id]) || "offline";
}
