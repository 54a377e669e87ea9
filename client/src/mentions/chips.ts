/**
 * Which `@name`s of a piece of message text show as chips, as a pure function (the chip
 * itself is Chip.tsx). The shared parser (worker/contract/mentions.ts) finds them; only the
 * names a caller accepts (the room's members, and `room` when the server marked the message)
 * become chips, and none inside an address or a code span: `https://host/@alice` and
 * `` `@alice` `` stay as typed.
 */
import { mentionSpans, type MentionSpan } from "../../../worker/contract/mentions";

/** A run of text, or a mention to show as a chip (offsets into the text given). */
export type Piece = string | MentionSpan;

/** A word with a scheme or a `www.` in it: an address, whatever the `@` in it says. */
const ADDRESS = /\S*(?::\/\/|\bwww\.)\S*/gi;
/** A code span or fenced block as markdown pairs them: a run of backticks up to the same run. */
const CODE = /(`+)[\s\S]*?\1/g;

function ranges(text: string, pattern: RegExp): [number, number][] {
  return [...text.matchAll(pattern)].map((m) => [m.index, m.index + m[0].length]);
}

/**
 * `text` cut into plain runs and the mentions `isChip` accepts (given the lower-cased name),
 * in order; joined back, the runs and the spans' text are `text`.
 * @example chipPieces("hi @Alice!", (name) => name === "alice") // ["hi ", { start: 3, end: 9, name: "alice" }, "!"]
 */
export function chipPieces(text: string, isChip: (name: string) => boolean): Piece[] {
  if (!text.includes("@")) return [text];
  const skip = [...ranges(text, ADDRESS), ...ranges(text, CODE)];
  const pieces: Piece[] = [];
  let from = 0;
  for (const span of mentionSpans(text)) {
    if (!isChip(span.name) || skip.some(([a, b]) => span.start < b && span.end > a)) continue;
    if (span.start > from) pieces.push(text.slice(from, span.start));
    pieces.push(span);
    from = span.end;
  }
  if (from < text.length) pieces.push(text.slice(from));
  return pieces;
}
