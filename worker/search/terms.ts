/**
 * How text becomes search terms (docs/search.md "Matching"), the same way for a message when
 * it is indexed, for a query, and for the check of each hit against the message as it is now.
 *
 * No single FTS5 tokenizer serves every script (unicode61 keeps a CJK run as one token and
 * drops emoji; trigram misses queries under three characters), so Hearth segments text itself
 * with `Intl.Segmenter` (ICU word boundaries: dictionary-based for Chinese, Japanese and Thai,
 * spaces and punctuation elsewhere) and hands FTS5 the words separated by spaces; FTS5's
 * unicode61 tokenizer then only folds case and diacritics. Emoji become tokens of their own
 * (`emoji` + code points in hex), so 👍 is searchable and finds 👍🏽 too (a prefix of it).
 * Each word is folded here as well (NFKD, combining marks removed, lower case), so that the
 * check in JavaScript agrees with what FTS5 matched.
 */

import { mentionedNames, ROOM_MENTION } from "../contract/mentions";

const WORDS = new Intl.Segmenter("en", { granularity: "word" });
const EMOJI = /\p{Extended_Pictographic}|\p{Regional_Indicator}/u;
/** A word's pieces as unicode61 would cut them (it also splits at apostrophes and dots). */
const NOT_TOKEN = /[^\p{L}\p{N}]+/u;
const COMBINING = /\p{Mn}/gu;
const LINK = /\bhttps?:\/\/\S/i;

/** What a search term is made of: letters and digits only, so no token is FTS5 syntax. */
export type Token = string;

/** One word (or emoji) of a text: where it is (UTF-16 offsets) and its tokens, folded. */
export interface Word {
  start: number;
  end: number;
  tokens: Token[];
}

/** Case, accents and compatibility forms folded away: "Café" and "ｃａｆｅ" both give "cafe". */
export function fold(text: string): string {
  return text.normalize("NFKD").replace(COMBINING, "").normalize("NFC").toLowerCase();
}

/** An emoji as one token: its code points in hex, five digits each (variation selectors left out). */
export function emojiToken(emoji: string): Token {
  let hex = "";
  for (const ch of emoji) {
    const cp = ch.codePointAt(0)!;
    if (cp !== 0xfe0f && cp !== 0xfe0e) hex += cp.toString(16).padStart(5, "0");
  }
  return `emoji${hex}`;
}

/** The words of `text` in order, each with its folded tokens; punctuation and spaces left out. */
export function wordsOf(text: string): Word[] {
  const words: Word[] = [];
  for (const s of WORDS.segment(text)) {
    const end = s.index + s.segment.length;
    if (s.isWordLike) {
      const tokens = fold(s.segment).split(NOT_TOKEN).filter(Boolean);
      if (tokens.length > 0) words.push({ start: s.index, end, tokens });
    } else if (EMOJI.test(s.segment)) {
      words.push({ start: s.index, end, tokens: [emojiToken(s.segment)] });
    }
  }
  return words;
}

const NON_ASCII = /[^\x00-\x7f]/;

/**
 * Every token of `text`, in order. Most chat is ASCII, and there ICU's word boundaries and the
 * split at what is not a letter or digit give exactly the tokens one regular expression finds,
 * at about a tenth of the cost on the room's thread (BENCHMARKS.md "Search").
 */
export function tokensOf(text: string): Token[] {
  if (!NON_ASCII.test(text)) return text.toLowerCase().match(/[a-z0-9]+/g) ?? [];
  return segmentedTokens(text);
}

/** Every token of `text` through the segmenter (any script); what tokensOf's ASCII path must equal. */
export function segmentedTokens(text: string): Token[] {
  return wordsOf(text).flatMap((w) => w.tokens);
}

/**
 * Markers indexed beside a message's words, for the `has` filters and the Mentions view. They
 * look like words a person could type; that is harmless, because every hit is checked against
 * the message itself before it is shown (docs/search.md "Hits are checked").
 */
export const MARKER = {
  file: "hasxfile",
  image: "hasximage",
  link: "hasxlink",
  /** `@name` (hex of its UTF-8, so any username is one token), `@room` once accepted. */
  mention: (name: string) => `mentionx${[...new TextEncoder().encode(name.toLowerCase())].map((b) => b.toString(16).padStart(2, "0")).join("")}`,
} as const;

export type HasFilter = "file" | "image" | "link";

/**
 * The index text of a stored message: its attachment (JSON, as the room stores it) named, the
 * names it mentions (`room` only when `mentionsRoom`). A deleted message has none.
 */
export function indexTextOf(m: { kind: string; body: string; attachment: string | null; mentionsRoom: boolean; deleted: boolean }): string {
  if (m.deleted) return "";
  const mentioned = mentionedNames(m.body);
  if (!m.mentionsRoom) mentioned.delete(ROOM_MENTION);
  const attachmentName = m.attachment ? (JSON.parse(m.attachment) as { name?: string }).name ?? "" : null;
  return indexText({ kind: m.kind, body: m.body, attachmentName, mentioned });
}

/** What of a message is searched: its text (or caption), its file's name, what it has, whom it mentions. */
export interface Searchable {
  kind: string;
  body: string;
  attachmentName?: string | null;
  /** Lower-cased names it mentions (`room` only when its `@room` counts). */
  mentioned: Iterable<string>;
}

/** Whether a message has a file (any attachment), an image, or a link. */
export function messageHas(m: { kind: string; body: string; attachmentName?: string | null }, has: HasFilter): boolean {
  if (has === "file") return m.attachmentName != null;
  if (has === "image") return m.kind === "image";
  return LINK.test(m.body);
}

/**
 * The text FTS5 indexes for a message: its tokens and its file name's, separated by spaces,
 * then its markers. Empty for a message with nothing to find (a deleted one).
 */
export function indexText(m: Searchable): string {
  const parts = tokensOf(m.body);
  if (m.attachmentName) parts.push(...tokensOf(m.attachmentName));
  for (const has of ["file", "image", "link"] as const) if (messageHas(m, has)) parts.push(MARKER[has]);
  for (const name of m.mentioned) parts.push(MARKER.mention(name));
  return parts.join(" ");
}
