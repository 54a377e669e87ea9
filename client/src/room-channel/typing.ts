/**
 * Who is typing: this user's own `typing` frames (at most every 3 s, `false` when idle) and
 * the other people's, each forgotten 6 s after their last frame.
 */
import { signal } from "@preact/signals";
import type { Disposables } from "../disposables";
import type { ClientFrame, ServerFrame } from "../types";

/** Someone typing, as the `typing` frame names them. */
export type Typist = Pick<Extract<ServerFrame, { type: "typing" }>, "userId" | "username">;

const TYPING_REFRESH_MS = 3_000;
const TYPING_IDLE_MS = 3_000;
const TYPING_EXPIRY_MS = 6_000;

export interface TypingHost {
  readonly owner: Disposables;
  readonly myId: string;
  send(frame: ClientFrame): boolean;
}

export class Typing {
  readonly typists = signal<Typist[]>([]);

  /** When this user's last `typing: true` went out; 0: not typing. */
  private sentAt = 0;
  private cancelIdle: (() => void) | null = null;
  /** Per typist, the cancel of the timer that forgets them. */
  private readonly expiries = new Map<string, () => void>();

  constructor(private readonly host: TypingHost) {}

  /** Call on every edit of the composer. */
  note(hasText: boolean): void {
    if (!hasText) {
      this.stop();
      return;
    }
    const now = Date.now();
    if (now - this.sentAt >= TYPING_REFRESH_MS) {
      if (this.host.send({ type: "typing", typing: true })) this.sentAt = now;
    }
    this.cancelIdle?.();
    this.cancelIdle = this.host.owner.timeout(() => this.stop(), TYPING_IDLE_MS);
  }

  stop(): void {
    this.cancelIdle?.();
    this.cancelIdle = null;
    if (!this.sentAt) return;
    this.sentAt = 0;
    this.host.send({ type: "typing", typing: false });
  }

  /** The screen is going away: a last `typing: false` if one is due. */
  farewell(): void {
    if (this.sentAt) this.host.send({ type: "typing", typing: false });
  }

  onFrame(frame: Extract<ServerFrame, { type: "typing" }>): void {
    if (frame.userId === this.host.myId) return;
    if (!frame.typing) {
      this.remove(frame.userId);
      return;
    }
    this.expiries.get(frame.userId)?.();
    this.expiries.set(
      frame.userId,
      this.host.owner.timeout(() => this.remove(frame.userId), TYPING_EXPIRY_MS),
    );
    if (!this.typists.value.some((t) => t.userId === frame.userId)) {
      this.typists.value = [...this.typists.value, { userId: frame.userId, username: frame.username }];
    }
  }

  remove(userId: string): void {
    this.expiries.get(userId)?.();
    this.expiries.delete(userId);
    if (this.typists.value.some((t) => t.userId === userId)) {
      this.typists.value = this.typists.value.filter((t) => t.userId !== userId);
    }
  }

  clear(): void {
    for (const cancel of this.expiries.values()) cancel();
    this.expiries.clear();
    this.typists.value = [];
  }
}
