/**
 * A run of consecutive stored messages, as loaded: seqs have no gaps (a deleted message keeps
 * its seq as a tombstone), so a window is known to be whole from its oldest to its newest seq,
 * and the first message of a room has seq 1.
 */
import type { ChatMessage as Message } from "../../../worker/contract/wire";

export class PageWindow {
  private readonly bySeq = new Map<number, Message>();
  /** Messages before the oldest one here exist (or may: not asked yet). */
  hasOlder = true;
  /** Messages after the newest one here exist; never for the window that follows the socket. */
  hasNewer = false;

  get size(): number {
    return this.bySeq.size;
  }

  has(seq: number): boolean {
    return this.bySeq.has(seq);
  }

  oldest(): number | undefined {
    let oldest: number | undefined;
    for (const seq of this.bySeq.keys()) if (oldest === undefined || seq < oldest) oldest = seq;
    return oldest;
  }

  newest(): number | undefined {
    let newest: number | undefined;
    for (const seq of this.bySeq.keys()) if (newest === undefined || seq > newest) newest = seq;
    return newest;
  }

  /** Adds or replaces messages by seq; false when nothing changed (the same states again). */
  put(list: Message[]): boolean {
    let changed = false;
    for (const message of list) {
      const known = this.bySeq.get(message.seq);
      if (known && sameState(known, message)) continue;
      this.bySeq.set(message.seq, message);
      changed = true;
    }
    return changed;
  }

  /** Replaces a message this window has (a change); false when it has none with that seq. */
  replace(message: Message): boolean {
    return this.bySeq.has(message.seq) && this.put([message]);
  }

  /** Takes in the messages of a window that meets or overlaps this one (kept: this one's states). */
  absorb(other: PageWindow): void {
    for (const message of other.bySeq.values()) {
      if (!this.bySeq.has(message.seq)) this.bySeq.set(message.seq, message);
    }
    const theirs = other.oldest();
    const ours = this.oldest();
    if (theirs !== undefined && (ours === undefined || theirs <= ours)) this.hasOlder = other.hasOlder;
  }

  /** Whether this window and `newer` form one run (no seq missing between them). */
  meets(newer: PageWindow): boolean {
    const end = this.newest();
    const start = newer.oldest();
    return end !== undefined && start !== undefined && end >= start - 1;
  }

  /** Oldest first. */
  list(): Message[] {
    return [...this.bySeq.values()].sort((a, b) => a.seq - b.seq);
  }
}

/** The same message in the same state (a page or replay repeating what is shown). */
function sameState(a: Message, b: Message): boolean {
  return a === b || JSON.stringify(a) === JSON.stringify(b);
}
