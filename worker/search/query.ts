/**
 * A search query: what the user typed, as phrases of tokens (docs/search.md "Query syntax"),
 * written out for FTS5 and matched again in JavaScript against each hit's current text.
 *
 * The only syntax is double quotes: `"deploy failed"` is a phrase of whole words; every other
 * word is a prefix (`deplo` finds "deploy" and "deployment"), and all must match. Nothing
 * else is an operator: `*`, `-`, `:`, parentheses, `NEAR`, `AND`, `OR` are text like any other
 * (punctuation is not searchable; a word such as NEAR is a word). An unbalanced quote runs to
 * the end of the query. Each token reaches FTS5 inside a quoted string and is made of letters
 * and digits only, so nothing in a query can be FTS5 syntax.
 */
import { tokensOf, wordsOf, type Token, type Word } from "./terms";

/** Longest query, in characters. */
export const MAX_QUERY_CHARS = 200;
/** Most phrases (words and quoted phrases) in one query; the rest are refused. */
export const MAX_PHRASES = 16;

export interface Phrase {
  tokens: Token[];
  /** Its last token matches as a prefix. */
  prefix: boolean;
}

export type Parsed = { ok: true; phrases: Phrase[] } | { ok: false; message: string };

/**
 * A one-letter Latin token matches only itself (as a prefix it would match a 26th of every
 * word); one CJK character, or any other single non-ASCII letter, is worth a prefix.
 */
const worthPrefix = (token: Token) => token.length >= 2 || /[^\x00-\x7f]/.test(token);

export function parseQuery(q: string): Parsed {
  const text = q.trim();
  if (text === "") return { ok: false, message: "q must not be empty" };
  if ([...text].length > MAX_QUERY_CHARS) return { ok: false, message: `q must be at most ${MAX_QUERY_CHARS} characters` };
  const phrases: Phrase[] = [];
  text.split('"').forEach((part, i) => {
    if (i % 2 === 1) {
      const tokens = tokensOf(part);
      if (tokens.length > 0) phrases.push({ tokens, prefix: false });
      return;
    }
    for (const chunk of part.split(/\s+/)) {
      // "deploy-bot" or "明天部署": one chunk, several tokens, kept together as a phrase.
      const tokens = tokensOf(chunk);
      if (tokens.length > 0) phrases.push({ tokens, prefix: worthPrefix(tokens[tokens.length - 1]!) });
    }
  });
  if (phrases.length === 0) return { ok: false, message: "q has nothing to search for: give words, numbers or emoji" };
  if (phrases.length > MAX_PHRASES) return { ok: false, message: `q may have at most ${MAX_PHRASES} words or phrases` };
  return { ok: true, phrases };
}

/** The FTS5 MATCH expression for phrases (all must match) and markers (each a whole token). */
export function ftsExpression(phrases: readonly Phrase[], markers: readonly Token[] = []): string {
  const parts = phrases.map((p) => `"${p.tokens.join(" ")}"${p.prefix ? "*" : ""}`);
  for (const marker of markers) parts.push(`"${marker}"`);
  return parts.join(" AND ");
}

/** A text's tokens in order, each with the word it came from (for its offsets). */
type Flat = Array<{ token: Token; word: Word }>;

/** Where a phrase matches in a text's tokens, as [start, end) offsets into the text. */
function matchesOf(flat: Flat, phrase: Phrase): Array<[number, number]> {
  const n = phrase.tokens.length;
  const found: Array<[number, number]> = [];
  for (let i = 0; i + n <= flat.length; i++) {
    let ok = true;
    for (let j = 0; j < n && ok; j++) {
      const want = phrase.tokens[j]!;
      const have = flat[i + j]!.token;
      ok = j === n - 1 && phrase.prefix ? have.startsWith(want) : have === want;
    }
    if (ok) found.push([flat[i]!.word.start, flat[i + n - 1]!.word.end]);
  }
  return found;
}

/**
 * Whether every phrase matches one of `texts` (a message's body, its file's name), and where
 * in each: marks per text, sorted and merged. Null when some phrase matches none.
 */
export function matchPhrases(phrases: readonly Phrase[], texts: readonly string[]): Array<Array<[number, number]>> | null {
  const flats: Flat[] = texts.map((t) => wordsOf(t).flatMap((word) => word.tokens.map((token) => ({ token, word }))));
  const marks: Array<Array<[number, number]>> = texts.map(() => []);
  for (const phrase of phrases) {
    let any = false;
    flats.forEach((flat, i) => {
      const found = matchesOf(flat, phrase);
      if (found.length > 0) any = true;
      marks[i]!.push(...found);
    });
    if (!any) return null;
  }
  return marks.map(merge);
}

/** Ranges sorted by start, overlapping ones joined. */
export function merge(ranges: Array<[number, number]>): Array<[number, number]> {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const out: Array<[number, number]> = [];
  for (const [s, e] of sorted) {
    const last = out[out.length - 1];
    if (last && s <= last[1]) last[1] = Math.max(last[1], e);
    else out.push([s, e]);
  }
  return out;
}
