/**
 * The room's stored messages as this screen knows them: the newest page from REST, older pages
 * on demand, and whatever the socket delivers, kept once per seq. It also keeps the highest seq
 * seen, the point a new socket resumes from.
 */
import { batch, signal } from "@preact/signals";
import { api, ApiError } from "../api";
import type { Message } from "../types";

const PAGE_SIZE = 50;

export interface HistoryHost {
  readonly roomId: string;
  /** The screen went away: a late page must not be shown. */
  isStopped(): boolean;
  /** The room cannot be read (not a member, gone): close the channel for good. */
  close(reason: string): void;
  /** The newest page arrived. */
  onNewest(): void;
}

export class History {
  /** Stored messages, oldest first. */
  readonly messages = signal<Message[]>([]);
  readonly error = signal<string | null>(null);
  readonly loaded = signal(false);
  readonly hasOlder = signal(true);
  readonly loadingOlder = signal(false);

  /** Highest seq received (history page or socket); null: no page yet, nothing to resume from. */
  private lastSeq: number | null = null;
  private readonly bySeq = new Map<number, Message>();

  constructor(private readonly host: HistoryHost) {}

  resumePoint(): number | null {
    return this.lastSeq;
  }

  /** A message with this seq has arrived (socket or `hello`): resume after it. */
  advance(seq: number): void {
    if (seq > (this.lastSeq ?? 0)) this.lastSeq = seq;
  }

  /** `hello` without a history page: resume from the room's newest message. */
  adopt(lastSeq: number): void {
    this.lastSeq = Math.max(this.lastSeq ?? 0, lastSeq);
  }

  /** Whether a socket `message` frame is one this screen already has (a stale socket's). */
  isStale(seq: number): boolean {
    return seq <= (this.lastSeq ?? 0);
  }

  newestSeq(): number | undefined {
    return this.messages.value[this.messages.value.length - 1]?.seq;
  }

  /** Loads the newest page (first load, or a retry after a failure). */
  async loadNewest(): Promise<void> {
    try {
      const page = await api.messages(this.host.roomId, { limit: PAGE_SIZE });
      if (this.host.isStopped()) return;
      batch(() => {
        this.add(page);
        this.adopt(page[page.length - 1]?.seq ?? 0);
        this.hasOlder.value = page.length >= PAGE_SIZE && page[0]?.seq !== 1;
        this.loaded.value = true;
        this.error.value = null;
      });
      this.host.onNewest();
    } catch (error) {
      if (error instanceof ApiError && (error.status === 403 || error.status === 404)) {
        this.host.close(error.message);
        return;
      }
      this.error.value = describe(error);
    }
  }

  /** Loads the page before the oldest message shown. */
  async loadOlder(): Promise<void> {
    if (this.loadingOlder.value || !this.hasOlder.value || !this.loaded.value) return;
    const oldest = this.messages.value[0];
    if (!oldest) {
      this.hasOlder.value = false;
      return;
    }
    this.loadingOlder.value = true;
    try {
      const page = await api.messages(this.host.roomId, { before: oldest.seq, limit: PAGE_SIZE });
      if (this.host.isStopped()) return;
      batch(() => {
        this.add(page);
        if (page.length < PAGE_SIZE || page[0]?.seq === 1) this.hasOlder.value = false;
      });
    } catch (error) {
      this.error.value = describe(error);
    } finally {
      this.loadingOlder.value = false;
    }
  }

  /** Adds messages by seq (a message seen again with the same content changes nothing). */
  add(list: Message[]): void {
    let changed = false;
    for (const message of list) {
      const known = this.bySeq.get(message.seq);
      if (known && known.clientId === message.clientId && known.body === message.body) continue;
      this.bySeq.set(message.seq, message);
      changed = true;
    }
    if (!changed) return;
    this.messages.value = [...this.bySeq.values()].sort((a, b) => a.seq - b.seq);
  }
}

function describe(error: unknown): string {
  return error instanceof ApiError ? error.message : "Something went wrong.";
}
