/**
 * One open room's copy on this device (store.ts): its newest messages, written as soon as the
 * first page is shown, then a moment after they change (a burst is written once), and when the
 * screen or the page goes away, so the room opens offline as it was last seen, with deletions
 * and edits applied; forgotten when the room closes for good (I left or was removed, or it is
 * gone).
 */
import type { Disposables } from "../disposables";
import type { Message } from "../types";
import { forgetRoom, loadHistory, saveHistory } from "./store";

const WRITE_AFTER_MS = 1_000;

export interface RoomCopyHost {
  readonly owner: Disposables;
  readonly userId: string;
  readonly roomId: string;
  /** The newest messages as shown (none before the first page). */
  newestPage(): Message[];
}

export class RoomCopy {
  private cancelWrite: (() => void) | null = null;
  private written = false;

  constructor(private readonly host: RoomCopyHost) {
    // A reload or a closed tab does not stop the screen: write what waits before the page goes.
    host.owner.listen(window, "pagehide", () => this.flush());
  }

  /** The newest page kept here, for when the server cannot be reached. */
  saved(): Promise<Message[] | undefined> {
    return loadHistory(this.host.userId, this.host.roomId);
  }

  /** The messages changed: write them soon (the first page at once). */
  schedule(): void {
    if (!this.written) {
      this.write();
      return;
    }
    this.cancelWrite ??= this.host.owner.timeout(() => {
      this.cancelWrite = null;
      this.write();
    }, WRITE_AFTER_MS);
  }

  /** The screen goes away: write now what is waiting. */
  flush(): void {
    if (!this.cancelWrite) return;
    this.cancelWrite();
    this.cancelWrite = null;
    this.write();
  }

  /** The room closed for good: nothing of it stays here. */
  forget(): void {
    this.cancelWrite?.();
    this.cancelWrite = null;
    void forgetRoom(this.host.userId, this.host.roomId);
  }

  private write(): void {
    const page = this.host.newestPage();
    if (page.length === 0) return;
    this.written = true;
    void saveHistory(this.host.userId, this.host.roomId, page);
  }
}
