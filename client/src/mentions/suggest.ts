/**
 * The composer's mention suggestions, as pure functions: where the `@name` being typed is
 * (`mentionAt`), which members it may mean and in what order (`suggest`), and the text once
 * one is picked (`insertMention`). The picker (usePicker.ts) and the workerd tests use them.
 */
import { RESERVED_USERNAMES, ROOM_MENTION } from "../../../worker/contract/mentions";
import type { Member } from "../../../worker/contract/rest";

/** The `@…` under the caret: `start` is the `@`, `end` the caret, `query` what lies between. */
export interface MentionQuery {
  start: number;
  end: number;
  query: string;
}

/** One entry of the list: a member, or `@room` (`everyone`) for the room's owner. */
export interface Suggestion {
  username: string;
  displayName?: string;
  everyone?: true;
}

/** At most this many suggestions show at once; typing more narrows them. */
export const MAX_SUGGESTIONS = 8;
/** A display name is at most 64 characters: nothing longer can match. */
const MAX_QUERY = 64;

/**
 * What may follow the `@` while suggestions show: letters of any script (display names are
 * not ASCII), digits, `_` and `-`. Anything else (a space, punctuation) ends the query.
 */
const QUERY_CHAR = /[\p{L}\p{M}\p{N}_-]/u;
/** The same boundary as the parser's (worker/contract/mentions.ts): `bob@host` is not a mention. */
const WORD_BEFORE = /[\w@]/;

/**
 * The mention being typed when the caret is at `caret`, or null.
 * @example mentionAt("hi @al", 6) // { start: 3, end: 6, query: "al" }
 * @example mentionAt("bob@al", 6) // null
 */
export function mentionAt(text: string, caret: number): MentionQuery | null {
  let at = caret;
  while (at > 0 && caret - at <= MAX_QUERY) {
    const char = text[at - 1]!;
    if (char === "@") {
      const before = text[at - 2];
      if (before !== undefined && WORD_BEFORE.test(before)) return null;
      return { start: at - 1, end: caret, query: text.slice(at, caret) };
    }
    // Surrogate halves (letters outside the BMP) are letters too: test the whole code point.
    const low = char.charCodeAt(0);
    const unit = low >= 0xdc00 && low <= 0xdfff && at > 1 ? text.slice(at - 2, at) : char;
    if (!QUERY_CHAR.test(unit)) return null;
    at -= unit.length;
  }
  return null;
}

/** Lower case without accents: "Zoë" is found by "zoe". */
const fold = (text: string) => text.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();

/** How well a name matches: lower is better, null is no match. */
function rank(query: string, username: string, displayName: string | undefined): number | null {
  if (username === query) return 0;
  if (username.startsWith(query)) return 1;
  if (!displayName) return null;
  const name = fold(displayName);
  if (name.startsWith(query)) return 2;
  return name.split(/[\s_.-]+/u).some((word) => word.startsWith(query)) ? 3 : null;
}

interface Ranked {
  suggestion: Suggestion;
  rank: number;
}

/**
 * The members `query` may mean, best first: the username itself, then usernames that start
 * with it, display names that start with it, display names with a word that does (case and
 * accents ignored); alphabetical within each. I am left out; `@room` is offered to the room's
 * owner, found by "room" and by the names people bring from elsewhere ("everyone", "here",
 * "channel"), after the members that match as well.
 * @example suggest(members, "ali", { me: "bob", owner: false }) // [{ username: "alice", displayName: "Alice Liddell" }]
 */
export function suggest(
  members: readonly Pick<Member, "username" | "displayName">[],
  query: string,
  { me, owner, limit = MAX_SUGGESTIONS }: { me: string; owner: boolean; limit?: number },
): Suggestion[] {
  const q = fold(query);
  const found: Ranked[] = [];
  for (const member of members) {
    if (member.username === me) continue;
    const at = rank(q, member.username, member.displayName);
    if (at === null) continue;
    const suggestion: Suggestion = { username: member.username };
    if (member.displayName) suggestion.displayName = member.displayName;
    found.push({ suggestion, rank: at });
  }
  found.sort((a, b) => a.rank - b.rank || a.suggestion.username.localeCompare(b.suggestion.username));
  if (owner && RESERVED_USERNAMES.some((name) => name.startsWith(q))) {
    // After the members of the same rank or better: a person is what one usually means.
    const everyone: Ranked = { suggestion: { username: ROOM_MENTION, everyone: true }, rank: q === ROOM_MENTION ? 0 : 1 };
    const after = found.findIndex((r) => r.rank > everyone.rank);
    found.splice(after === -1 ? found.length : after, 0, everyone);
  }
  return found.slice(0, limit).map((r) => r.suggestion);
}

/**
 * `text` with the mention at `at` replaced by `@username` (the rest of a name the caret was
 * inside goes too) and a space, unless a space or punctuation follows already; `caret` is
 * where typing goes on: after the space, or right after the name before punctuation.
 * @example insertMention("hi @al", { start: 3, end: 6, query: "al" }, "alice") // { text: "hi @alice ", caret: 10 }
 */
export function insertMention(text: string, at: MentionQuery, username: string): { text: string; caret: number } {
  let end = at.end;
  while (end < text.length && QUERY_CHAR.test(text[end]!)) end++;
  const rest = text.slice(end);
  const mention = `@${username}`;
  const space = rest === "" || /^[\p{L}\p{N}\p{So}]/u.test(rest) ? " " : "";
  const caret = at.start + mention.length + (space || rest.startsWith(" ") ? 1 : 0);
  return { text: text.slice(0, at.start) + mention + space + rest, caret };
}
