/**
 * The other people of a call as this browser sees them: their tiles (`remotes`) and their
 * names. Names come only from the server's participant list, never from what a peer claims.
 */
import { signal } from "@preact/signals";
import type { CallParticipant } from "../types";

export interface Remote {
  peerId: string;
  /** From the server's participant list (never from what the other side claims). */
  name: string | null;
  stream: MediaStream | null;
  /** Bumped when the remote stream gains a track, so the view re-renders. */
  tracks: number;
  state: "connecting" | "connected" | "unstable";
}

export class Roster {
  readonly remotes = signal<Remote[]>([]);
  private readonly names = new Map<string, string>();
  /** Peer ids the participant list has shown: one missing from it later has left. */
  private readonly listed = new Set<string>();

  /** Takes names from a participant list (`me`: my own peer id, skipped). */
  learn(list: CallParticipant[], me: string): void {
    for (const p of list) {
      if (p.peerId === me) continue;
      this.names.set(p.peerId, p.username);
      this.listed.add(p.peerId);
    }
    if (this.remotes.value.some((r) => r.name !== this.nameOf(r.peerId))) {
      this.remotes.value = this.remotes.value.map((r) => ({ ...r, name: this.nameOf(r.peerId) }));
    }
  }

  nameOf(peerId: string): string | null {
    return this.names.get(peerId) ?? null;
  }

  /** Listed once, and missing from `list`: this person has left. */
  hasLeft(peerId: string, list: CallParticipant[]): boolean {
    return this.listed.has(peerId) && !list.some((p) => p.peerId === peerId);
  }

  get(peerId: string): Remote | undefined {
    return this.remotes.value.find((r) => r.peerId === peerId);
  }

  /** Changes a remote's tile; `create` adds it if missing. */
  patch(peerId: string, change: Partial<Remote>, create = false): void {
    const list = this.remotes.value;
    if (list.some((r) => r.peerId === peerId)) {
      this.remotes.value = list.map((r) => (r.peerId === peerId ? { ...r, ...change } : r));
    } else if (create) {
      const base: Remote = { peerId, name: this.nameOf(peerId), stream: null, tracks: 0, state: "connecting" };
      this.remotes.value = [...list, { ...base, ...change }];
    }
  }

  remove(peerId: string): void {
    this.remotes.value = this.remotes.value.filter((r) => r.peerId !== peerId);
  }
}
