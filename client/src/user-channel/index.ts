/**
 * The per-user channel of this tab (docs/protocol.md §6): one socket while signed in that keeps
 * the whole app live. It tells the server when the page goes to the background (presence), and
 * turns the server's frames into the signals the screens read (state.ts, ring.ts): every room's
 * counts, rooms added and removed, calls that ring, and the status of the people I share a DM
 * with. A reconnect needs no catching up of its own: every `hello` carries all the counts again.
 *
 * @example const stop = startUserChannel(me); … stop(); // on sign-out
 */
import { batch } from "@preact/signals";
import { assertNever } from "../assert-never";
import { Disposables } from "../disposables";
import { noteReachable } from "../offline/status";
import { addRoom, noteActivity, reconcileRooms, removeRoom, rooms } from "../rooms";
import type { User } from "../types";
import type { RoomCounts, UserServerFrame } from "../../../worker/contract/user-wire";
import { UserSocket } from "./connection";
import { Ringer } from "./ring";
import { play } from "./sounds";
import { dmPresence, lookingAt, pageHidden, roomCounts } from "./state";

export { badgeOf, dmPresence, lookingAt, pageHidden, partnerStatus, roomCounts, totalUnread, type Badge, type PresenceStatus } from "./state";
export { channelRangAt, rings, type Ring } from "./ring";
export { setSounds, soundsOn } from "./sounds";

type Frame<T extends UserServerFrame["type"]> = Extract<UserServerFrame, { type: T }>;

class UserChannel {
  private readonly owner = new Disposables();
  private readonly socket = new UserSocket({ owner: this.owner, onFrame: (frame) => this.onFrame(frame) });
  private readonly ringer = new Ringer(this.owner);

  constructor(readonly me: User) {}

  start(): void {
    this.owner.listen(document, "visibilitychange", () => {
      pageHidden.value = document.visibilityState === "hidden";
      this.socket.send({ type: "visibility", hidden: pageHidden.value });
    });
    this.socket.open();
  }

  stop(): void {
    this.socket.stop();
    this.owner.dispose();
    batch(() => {
      roomCounts.value = new Map();
      dmPresence.value = {};
    });
  }

  /** I decline the call ringing for `roomId`: it stops here at once, and on my other devices. */
  decline(roomId: string): void {
    this.ringer.stop(roomId);
    this.socket.send({ type: "decline", roomId });
  }

  /** I answer the call ringing for `roomId` here (joining it stops it on my other devices). */
  answer(roomId: string): void {
    this.ringer.stop(roomId);
  }

  // ---- frames: one handler per type; unknown types never get here (frames.ts) -------------

  private onFrame(frame: UserServerFrame): void {
    switch (frame.type) {
      case "hello":
        return this.onHello(frame);
      case "counts":
        return this.onCounts(frame.counts);
      case "ring":
        return this.ringer.onRing(frame);
      case "ring-stop":
        return this.ringer.stop(frame.roomId);
      case "room-added":
        return addRoom(frame.room);
      case "room-removed":
        return this.onRoomRemoved(frame.roomId);
      case "presence":
        dmPresence.value = { ...dmPresence.value, ...frame.presence };
        return;
      case "pong":
      case "error":
        return;
      default:
        return assertNever(frame, "user channel frame");
    }
  }

  private onHello(frame: Frame<"hello">): void {
    // The server answers: whatever the offline banner thought (offline/status.ts).
    noteReachable();
    batch(() => {
      roomCounts.value = new Map(frame.rooms.map((counts) => [counts.roomId, counts]));
      dmPresence.value = { ...frame.presence };
    });
    reconcileRooms(frame.rooms.map((counts) => counts.roomId));
    // What happened while this tab was not listening moves those rooms up the list.
    for (const counts of frame.rooms) noteActivity(counts.roomId, counts.lastSeq, Date.now(), counts.unread);
    // A new socket counts as visible until told otherwise.
    if (pageHidden.value) this.socket.send({ type: "visibility", hidden: true });
  }

  private onCounts(counts: RoomCounts): void {
    const before = roomCounts.value.get(counts.roomId);
    roomCounts.value = new Map(roomCounts.value).set(counts.roomId, counts);
    noteActivity(counts.roomId, counts.lastSeq, Date.now(), counts.unread);
    if (before && counts.lastSeq > before.lastSeq && !lookingAt(counts.roomId)) {
      const dm = rooms.value.find((r) => r.id === counts.roomId)?.visibility === "dm";
      if (counts.mentions > before.mentions || (dm && counts.unread > before.unread)) play("chime");
    }
  }

  private onRoomRemoved(roomId: string): void {
    const counts = new Map(roomCounts.value);
    counts.delete(roomId);
    batch(() => {
      roomCounts.value = counts;
      this.ringer.stop(roomId);
      removeRoom(roomId);
    });
  }
}

let current: UserChannel | null = null;

/** Opens this tab's channel for `me`; returns what closes it (on sign-out). */
export function startUserChannel(me: User): () => void {
  current?.stop();
  const channel = new UserChannel(me);
  current = channel;
  channel.start();
  return () => {
    channel.stop();
    if (current === channel) current = null;
  };
}

/** Declines a ringing call (this tab and every other of mine stop ringing). */
export function declineRing(roomId: string): void {
  current?.decline(roomId);
}

/** Answers a ringing call here: the ring stops; joining the call stops it elsewhere. */
export function answerRing(roomId: string): void {
  current?.answer(roomId);
}
