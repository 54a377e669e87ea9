/**
 * Calls that ring me wherever I am in the app (`ring` frames of the per-user channel): the
 * rings on now, the ring tone while any is on, and how each ends: `ring-stop` (answered on a
 * device of mine, declined on one, or the call ended), my answer here, or RING_MS without one.
 */
import { computed, effect, signal, untracked } from "@preact/signals";
import type { Disposables } from "../disposables";
import type { UserServerFrame } from "../../../worker/contract/user-wire";
import { play } from "./sounds";

/** A ring nobody answers stops after this long (the caller's side gives up after as long). */
const RING_MS = 60_000;
/** The ring tone repeats this often while it rings. */
const TONE_EVERY_MS = 3_000;

export type RingFrame = Extract<UserServerFrame, { type: "ring" }>;

export interface Ring {
  roomId: string;
  roomName: string;
  from: RingFrame["from"];
  /** When it started ringing here (ms). */
  at: number;
}

/** The calls ringing now, oldest first (one per room). */
export const rings = signal<readonly Ring[]>([]);

/** When the channel last rang for each room: the room's own banner leaves such a ring to the channel's. */
export const channelRangAt = signal<ReadonlyMap<string, number>>(new Map());

const ringing = computed(() => rings.value.length > 0);

export class Ringer {
  private readonly expiries = new Map<string, () => void>();

  constructor(private readonly owner: Disposables) {
    owner.add(
      effect(() => {
        if (!ringing.value) return;
        untracked(() => play("ring"));
        const timer = setInterval(() => untracked(() => play("ring")), TONE_EVERY_MS);
        return () => clearInterval(timer);
      }),
    );
    owner.add(() => {
      rings.value = [];
    });
  }

  onRing(frame: RingFrame): void {
    const at = Date.now();
    this.stop(frame.roomId);
    rings.value = [...rings.value, { roomId: frame.roomId, roomName: frame.roomName, from: frame.from, at }];
    channelRangAt.value = new Map(channelRangAt.value).set(frame.roomId, at);
    this.expiries.set(frame.roomId, this.owner.timeout(() => this.stop(frame.roomId), RING_MS));
  }

  /** The ring of `roomId` is over (answered, declined, ended, or given up). */
  stop(roomId: string): void {
    this.expiries.get(roomId)?.();
    this.expiries.delete(roomId);
    if (rings.value.some((r) => r.roomId === roomId)) rings.value = rings.value.filter((r) => r.roomId !== roomId);
  }
}
