/**
 * A hit's snippet as runs of plain and marked text. The server marks the matched terms by
 * UTF-16 offsets into the snippet's text (never HTML); each run becomes a text node or a
 * `<mark>` element, so nothing of a message is ever parsed as markup.
 */
import type { Snippet } from "../../../worker/contract/rest";

export interface SnippetPart {
  text: string;
  marked: boolean;
}

/**
 * Splits `snippet.text` at its marks. Marks out of range are clipped, empty or malformed ones
 * dropped, overlapping or touching ones merged, and a mark that would cut a surrogate pair in
 * two (an emoji) is widened to the whole character.
 * @example snippetParts({ text: "ship the deploy", marks: [[9, 15]] })
 *   // [{ text: "ship the ", marked: false }, { text: "deploy", marked: true }]
 */
export function snippetParts({ text, marks }: Snippet): SnippetPart[] {
  const parts: SnippetPart[] = [];
  let at = 0;
  for (const [start, end] of ranges(text, marks)) {
    if (start > at) parts.push({ text: text.slice(at, start), marked: false });
    parts.push({ text: text.slice(start, end), marked: true });
    at = end;
  }
  if (at < text.length) parts.push({ text: text.slice(at), marked: false });
  return parts;
}

/** The marks as sorted, disjoint [start, end) ranges inside `text`, on character boundaries. */
function ranges(text: string, marks: ReadonlyArray<readonly [number, number]>): Array<[number, number]> {
  const clip = (n: number) => Math.min(Math.max(Math.trunc(n), 0), text.length);
  const sorted = marks
    .filter((mark) => Array.isArray(mark) && Number.isFinite(mark[0]) && Number.isFinite(mark[1]))
    .map(([start, end]): [number, number] => [widenStart(text, clip(start)), widenEnd(text, clip(end))])
    .filter(([start, end]) => end > start)
    .sort((a, b) => a[0] - b[0]);
  const merged: Array<[number, number]> = [];
  for (const range of sorted) {
    const last = merged[merged.length - 1];
    if (last && range[0] <= last[1]) last[1] = Math.max(last[1], range[1]);
    else merged.push(range);
  }
  return merged;
}

const isHigh = (code: number) => code >= 0xd800 && code <= 0xdbff;
const isLow = (code: number) => code >= 0xdc00 && code <= 0xdfff;

/** A start between the two halves of a surrogate pair moves back to the pair's start. */
function widenStart(text: string, at: number): number {
  return at > 0 && isLow(text.charCodeAt(at)) && isHigh(text.charCodeAt(at - 1)) ? at - 1 : at;
}

/** An end between the two halves of a surrogate pair moves on past the pair. */
function widenEnd(text: string, at: number): number {
  return at < text.length && isLow(text.charCodeAt(at)) && isHigh(text.charCodeAt(at - 1)) ? at + 1 : at;
}
