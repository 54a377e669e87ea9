/**
 * Rows as the D1 copy sends them (db/messages.ts `CopiedRow`), for the probes: bodies of 9
 * words drawn from 3,000 (a few common, most rare), each room's rows by one user and in seq
 * order, a room's 150 rows together (a busy room's copy every 10 s, as the batcher's
 * transactions carry them: two or three rooms each). Deterministic.
 */
import type { CopiedRow } from "../../../worker/db/messages";

const words = Array.from({ length: 3000 }, (_, i) => "w" + i.toString(36) + "x");
let seed = 7;
const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
const text = () => Array.from({ length: 9 }, () => words[Math.floor(rnd() ** 2 * words.length)]).join(" ");

let made = 0;
const seqs = new Map<string, number>();

/** `n` rows as one JSON array (the bound value of the copy's statements); rooms are named `${prefix}0..99`. */
export function rows(n: number, prefix: string): string {
  return JSON.stringify(
    Array.from({ length: n }, (): CopiedRow => {
      const t = text();
      made += 1;
      const k = Math.floor(made / 150) % 100;
      const room = `${prefix}${k}`;
      const seq = (seqs.get(room) ?? 0) + 1;
      seqs.set(room, seq);
      return [room, seq, `user-${k}`, "user", "text", t, `c${made}`, null, Date.now(), null, 0, t];
    }),
  );
}
