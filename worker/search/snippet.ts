/**
 * The part of a hit's text shown in results (contract/rest.ts `Snippet`): the whole text when
 * short, else a window around the first match, cut at spaces, with "…" where it was cut.
 */
import type { Snippet } from "../contract/rest";

/** Longest snippet, in UTF-16 code units (plus the "…"s). */
export const SNIPPET_CHARS = 200;
/** How much text comes before the first match in a window. */
const LEAD = 60;
/** How far an edge may move to fall on a space instead of inside a word. */
const SNAP = 20;

const isSpace = (text: string, i: number) => /\s/.test(text[i] ?? "");
const isLowSurrogate = (text: string, i: number) => {
  const c = text.charCodeAt(i);
  return c >= 0xdc00 && c <= 0xdfff;
};

/** A window of `text` holding the first of `marks`, the marks moved along. */
export function snippetOf(text: string, marks: Array<[number, number]>): Snippet {
  if (text.length <= SNIPPET_CHARS) return { text, marks };
  let start = Math.max(0, Math.min((marks[0]?.[0] ?? 0) - LEAD, text.length - SNIPPET_CHARS));
  let end = Math.min(text.length, start + SNIPPET_CHARS);
  if (start > 0) {
    const space = [...Array(SNAP).keys()].map((k) => start + k).find((i) => isSpace(text, i - 1));
    start = space ?? start;
    if (isLowSurrogate(text, start)) start += 1;
  }
  if (end < text.length) {
    const space = [...Array(SNAP).keys()].map((k) => end - k).find((i) => isSpace(text, i));
    end = space ?? end;
    if (isLowSurrogate(text, end)) end -= 1;
  }
  const lead = start > 0 ? "…" : "";
  const shift = lead.length - start;
  const kept = marks
    .map(([s, e]): [number, number] => [Math.max(s, start) + shift, Math.min(e, end) + shift])
    .filter(([s, e]) => e > s);
  return { text: lead + text.slice(start, end).trimEnd() + (end < text.length ? "…" : ""), marks: kept };
}
