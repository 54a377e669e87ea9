/**
 * Where read receipts show in a room's scrollback: a pure function of the messages and the
 * reads (its types straight from worker/contract, so that the workerd tests can import it).
 */
import type { ChatMessage as Message } from "../../../worker/contract/wire";

export interface Reader {
  id: string;
  username: string;
}

/** The readers shown under one message; a DM's "Seen" when `dm`. */
export interface Receipt {
  dm: boolean;
  readers: Reader[];
}

/**
 * Where each reader shows: under the newest loaded message at or below how far they have read,
 * each reader once, never me. In a DM only my own messages (still standing) carry a "Seen".
 * A reader past the loaded messages while newer ones are not loaded (a jump's page) is left
 * out: where they are is not on screen.
 *
 * @example
 * placeReaders(messages, new Map([["u_b", 42]]), names, "u_a", { dm: true, complete: true })
 * // Map { 41 => [{ id: "u_b", username: "bob" }] } when 41 is my newest message at or below 42
 */
export function placeReaders(
  messages: readonly Message[],
  reads: ReadonlyMap<string, number>,
  names: ReadonlyMap<string, string>,
  myId: string,
  { dm, complete }: { dm: boolean; complete: boolean },
): Map<number, Reader[]> {
  const bySeq = new Map<number, Reader[]>();
  const shown = dm ? messages.filter((m) => m.userId === myId && !m.deleted) : messages;
  const newest = messages[messages.length - 1]?.seq ?? 0;
  for (const [id, seq] of reads) {
    if (id === myId || (!complete && seq > newest)) continue;
    const at = shown.findLast((m) => m.seq <= seq);
    if (!at) continue;
    const readers = bySeq.get(at.seq) ?? [];
    readers.push({ id, username: names.get(id) ?? "someone" });
    bySeq.set(at.seq, readers);
  }
  for (const readers of bySeq.values()) readers.sort((a, b) => a.username.localeCompare(b.username));
  return bySeq;
}
