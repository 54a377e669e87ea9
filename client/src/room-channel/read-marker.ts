/**
 * What this user has seen of the room: the read marker (debounced, only while the page is
 * visible) and the page's visibility, which the room uses to decide who gets web pushes.
 */
import { api } from "../api";
import type { Disposables } from "../disposables";
import type { ClientFrame } from "../types";

const MARK_READ_DELAY_MS = 800;

export interface ReadMarkerHost {
  readonly roomId: string;
  readonly owner: Disposables;
  isStopped(): boolean;
  newestSeq(): number | undefined;
  send(frame: ClientFrame): boolean;
}

export class ReadMarker {
  private cancelMark: (() => void) | null = null;
  private lastMarkedSeq = 0;

  constructor(private readonly host: ReadMarkerHost) {}

  /** Follows the page's visibility from now on. */
  watch(): void {
    this.host.owner.listen(document, "visibilitychange", () => {
      this.reportVisibility();
      this.schedule();
    });
  }

  /** A new socket counts as visible until told otherwise. */
  onHello(): void {
    if (document.visibilityState === "hidden") this.reportVisibility();
  }

  /** Tells the server what has been seen, debounced, only while the page is visible. */
  schedule(): void {
    if (this.cancelMark || document.visibilityState !== "visible") return;
    this.cancelMark = this.host.owner.timeout(() => this.mark(), MARK_READ_DELAY_MS);
  }

  /** The screen is going away: do not lose a marker that is waiting. */
  flush(): void {
    if (this.cancelMark) this.mark();
  }

  /** Tells the room whether this page is in the background: away users get web pushes. */
  private reportVisibility(): void {
    this.host.send({ type: "visibility", hidden: document.visibilityState === "hidden" });
  }

  private mark(): void {
    this.cancelMark?.();
    this.cancelMark = null;
    if (this.host.isStopped() || document.visibilityState !== "visible") return;
    const newest = this.host.newestSeq();
    if (newest === undefined || newest <= this.lastMarkedSeq) return;
    this.lastMarkedSeq = newest;
    api.markRead(this.host.roomId, newest).catch(() => {
      this.lastMarkedSeq = 0;
    });
  }
}
