/**
 * The room's stored messages as this screen knows them. The window that follows the socket
 * (`latest`): the newest page from REST, older pages on demand, and whatever the socket
 * delivers. A jump to a message that is not loaded (a reply's original) shows a second window,
 * the page around it, paged older and newer until it meets `latest` again (or the reader jumps
 * back to the latest messages). Changes (`update` frames, the answers to this user's changes)
 * replace a message by seq in both windows. It also keeps where a new socket resumes from: the
 * highest seq and the highest change seq seen. Without a network the newest page is the one
 * this device kept (offline/store.ts); the socket then resumes after it, and its replay brings
 * what changed meanwhile (docs/protocol.md, "Catching up").
 */
import { batch, signal } from "@preact/signals";
import { api, ApiError } from "../api";
import type { Message } from "../types";
import { PageWindow } from "./page-window";

const PAGE_SIZE = 50;

export interface HistoryHost {
  readonly roomId: string;
  /** The screen went away: a late page must not be shown. */
  isStopped(): boolean;
  /** The room cannot be read (not a member, gone): close the channel for good. */
  close(reason: string): void;
  /** The newest page arrived. */
  onNewest(): void;
  /** Something the reader asked for failed: tell them (a sentence). */
  notify(text: string): void;
  /** The newest page this device kept of the room, for when the server cannot be reached. */
  saved(): Promise<Message[] | undefined>;
}

/** A message the screen should bring into view (and mark), or the newest one ("latest"). */
export interface Focus {
  seq: number | "latest";
  /** Distinguishes two requests for the same message. */
  at: number;
}

export class History {
  /** The messages shown, oldest first: the latest window, or the one a jump opened. */
  readonly messages = signal<Message[]>([]);
  readonly error = signal<string | null>(null);
  readonly loaded = signal(false);
  readonly hasOlder = signal(true);
  readonly loadingOlder = signal(false);
  /** The window shown ends before the newest messages (a jump): they can be paged toward. */
  readonly hasNewer = signal(false);
  readonly loadingNewer = signal(false);
  /** A jump's window is shown instead of the latest messages. */
  readonly detached = signal(false);
  readonly focus = signal<Focus | null>(null);

  /** Highest seq received (history page or socket); null: no page yet, nothing to resume from. */
  private lastSeq: number | null = null;
  /** Highest change seq known to be seen with everything before it; null: none (resume by `since`). */
  private lastChangeSeq: number | null = null;
  private readonly latest = new PageWindow();
  private jumped: PageWindow | null = null;
  /** The newest state the socket brought of each changed message, for pages that answer late. */
  private readonly changed = new Map<number, Message>();

  constructor(private readonly host: HistoryHost) {}

  resumePoint(): number | null {
    return this.lastSeq;
  }

  changeResumePoint(): number | null {
    return this.lastChangeSeq;
  }

  /** A message with this seq has arrived (socket or `hello`): resume after it. */
  advance(seq: number): void {
    if (seq > (this.lastSeq ?? 0)) this.lastSeq = seq;
  }

  /** `hello` without a history page: resume from the room's newest message and change. */
  adopt(lastSeq: number, lastChangeSeq: number): void {
    const hadPage = this.lastSeq !== null;
    this.lastSeq = Math.max(this.lastSeq ?? 0, lastSeq);
    if (!hadPage) this.noteChange(lastChangeSeq);
  }

  /** Every change up to `changeSeq` has reached this screen (in order): resume after it. */
  noteChange(changeSeq: number | undefined): void {
    if (changeSeq !== undefined && changeSeq > (this.lastChangeSeq ?? 0)) this.lastChangeSeq = changeSeq;
  }

  /** Whether a socket `message` frame is one this screen already has (a stale socket's). */
  isStale(seq: number): boolean {
    return seq <= (this.lastSeq ?? 0);
  }

  /** The newest message this screen has (read marker), shown or not. */
  newestSeq(): number | undefined {
    return this.latest.newest();
  }

  /** The newest messages that follow the socket (what this device keeps for offline use); none before a page. */
  newestPage(): Message[] {
    return this.loaded.value ? this.latest.list().slice(-PAGE_SIZE) : [];
  }

  /** Loads the newest page (first load, or a retry after a failure); offline, the page kept here. */
  async loadNewest(): Promise<void> {
    try {
      const page = this.fresh(await api.messages(this.host.roomId, { limit: PAGE_SIZE }));
      if (this.host.isStopped()) return;
      this.showNewest(page);
    } catch (error) {
      if (error instanceof ApiError && (error.status === 403 || error.status === 404)) {
        this.host.close(error.message);
        return;
      }
      const saved = error instanceof ApiError && error.status === 0 && !this.loaded.value ? await this.host.saved() : undefined;
      if (saved?.length && !this.host.isStopped()) this.showNewest(saved);
      else this.error.value = describe(error);
    }
  }

  private showNewest(page: Message[]): void {
    this.latest.put(page);
    this.latest.hasOlder = page.length >= PAGE_SIZE && page[0]?.seq !== 1;
    batch(() => {
      this.lastSeq = Math.max(this.lastSeq ?? 0, page[page.length - 1]?.seq ?? 0);
      this.loaded.value = true;
      this.error.value = null;
      this.show();
    });
    this.host.onNewest();
  }

  /** Loads the page before the oldest message shown. */
  async loadOlder(): Promise<void> {
    const window = this.shown();
    const oldest = window.oldest();
    if (this.loadingOlder.value || !window.hasOlder || !this.loaded.value) return;
    if (oldest === undefined) {
      window.hasOlder = false;
      this.show();
      return;
    }
    this.loadingOlder.value = true;
    try {
      const page = this.fresh(await api.messages(this.host.roomId, { before: oldest, limit: PAGE_SIZE }));
      if (this.host.isStopped()) return;
      window.put(page);
      if (page.length < PAGE_SIZE || page[0]?.seq === 1) window.hasOlder = false;
      this.show();
    } catch (error) {
      this.error.value = describe(error);
    } finally {
      this.loadingOlder.value = false;
    }
  }

  /** Loads the page after the newest message shown, when a jump's window is shown. */
  async loadNewer(): Promise<void> {
    const window = this.jumped;
    const newest = window?.newest();
    if (!window || newest === undefined || this.loadingNewer.value) return;
    this.loadingNewer.value = true;
    try {
      const page = this.fresh(await api.messages(this.host.roomId, { after: newest, limit: PAGE_SIZE }));
      if (this.host.isStopped() || this.jumped !== window) return;
      window.put(page);
      if (page.length < PAGE_SIZE) window.hasNewer = false;
      this.show();
    } catch (error) {
      this.host.notify(describe(error));
    } finally {
      this.loadingNewer.value = false;
    }
  }

  /**
   * Brings message `seq` into view: at once if it is loaded, else after loading the page
   * around it (shown instead of the latest messages until they meet again).
   */
  async jumpTo(seq: number): Promise<void> {
    if (!this.shown().has(seq)) {
      if (this.latest.has(seq)) {
        this.jumped = null;
      } else {
        let page: Message[];
        try {
          page = this.fresh(await api.messages(this.host.roomId, { around: seq, limit: PAGE_SIZE }));
        } catch (error) {
          this.host.notify(describe(error));
          return;
        }
        if (this.host.isStopped()) return;
        const window = new PageWindow();
        window.put(page);
        window.hasOlder = page[0]?.seq !== 1 && page.length > 0;
        window.hasNewer = true;
        this.jumped = window;
      }
    }
    batch(() => {
      this.show();
      this.focus.value = { seq, at: Date.now() };
    });
  }

  /** Back to the latest messages (from a jump's window, or just to the bottom). */
  jumpToLatest(): void {
    this.jumped = null;
    batch(() => {
      this.show();
      this.focus.value = { seq: "latest", at: Date.now() };
    });
  }

  /** A message the socket delivered (new, or a duplicate's ack). */
  receive(message: Message): void {
    if (this.latest.put([message])) this.show();
  }

  /** A message's new state (an `update`, or the answer to this user's change). */
  update(message: Message): void {
    this.changed.set(message.seq, message);
    const inLatest = this.latest.replace(message);
    const inJumped = this.jumped?.replace(message) ?? false;
    if (inLatest || inJumped) this.show();
  }

  /** A page's messages, each in the newest state the socket has brought of it. */
  private fresh(page: Message[]): Message[] {
    return this.changed.size === 0 ? page : page.map((m) => this.changed.get(m.seq) ?? m);
  }

  /** The window on screen: a jump's, until it meets the latest messages. */
  private shown(): PageWindow {
    const jumped = this.jumped;
    if (jumped && (!jumped.hasNewer || jumped.meets(this.latest))) {
      this.latest.absorb(jumped);
      this.jumped = null;
    }
    return this.jumped ?? this.latest;
  }

  private show(): void {
    const window = this.shown();
    batch(() => {
      this.messages.value = window.list();
      this.hasOlder.value = window.hasOlder;
      this.hasNewer.value = window.hasNewer;
      this.detached.value = window !== this.latest;
    });
  }
}

function describe(error: unknown): string {
  return error instanceof ApiError ? error.message : "Something went wrong.";
}
