/**
 * Messages kept in the outbox of rooms that are not on screen go out over REST as soon as the
 * server answers: on load, and each time the connection comes back. The room on screen sends
 * its own over its socket (room-channel/outbox.ts). Each message keeps its clientId, so one that
 * both paths send, or that is sent again after a reload, is still stored once; each room's go
 * out one after the other, in the order they were written. A refusal (not a member, too long, an
 * upload gone) marks the message failed, to be retried or discarded when its room is opened.
 * Pending edits, deletions and reactions wait for their room to be opened.
 */
import { effect } from "@preact/signals";
import { api, ApiError } from "../api";
import type { PendingMessage } from "../room-channel/outbox";
import { openRoomId } from "../rooms";
import { del, put } from "./db";
import { keptQueues } from "./queue";
import { writable } from "./signed-in";
import { offline } from "./status";

let draining = false;

async function drain(userId: string): Promise<void> {
  if (draining) return;
  draining = true;
  try {
    for (const [roomId, list] of await keptQueues<PendingMessage>("outbox", userId)) {
      if (roomId === openRoomId.value) continue;
      for (const { key, stored } of list) {
        if (stored.item.failed) continue;
        if (offline.value || !writable(userId) || roomId === openRoomId.value) return;
        const { clientId, body, kind, attachment, replyTo } = stored.item;
        try {
          await api.postMessage(roomId, { clientId, body, ...(kind && attachment ? { kind, attachment } : {}), ...(replyTo ? { replyTo: replyTo.seq } : {}) });
          await del(key);
        } catch (error) {
          // Unreachable, rate limited or failing: the rest of this room waits for the next time.
          if (!(error instanceof ApiError) || error.status === 0 || error.status === 429 || error.status >= 500) break;
          // Refused for good: marked, and the next one goes (as the socket's outbox does).
          if (writable(userId)) await put(key, { ...stored, item: { ...stored.item, failed: error.message } });
        }
      }
    }
  } finally {
    draining = false;
  }
}

/** Sends the kept messages of rooms not on screen now and whenever the server can be reached again. Returns its stop. */
export function drainWhenReachable(userId: string): () => void {
  return effect(() => {
    if (!offline.value) void drain(userId);
  });
}
