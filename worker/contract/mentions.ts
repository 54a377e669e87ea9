/**
 * How a message mentions people (docs/protocol.md "Mentions"), shared by the worker (unread
 * mention counts, pushes in "mentions only" mode, the Mentions view's index) and the client
 * (chips in the text, the composer's suggestions). Imports nothing.
 *
 * A mention is the text `@username`: an `@` at the start or after a character that is not a
 * letter, digit, `_` or `@` (so `bob@example.com` mentions no one), then a username, not
 * followed by a letter, digit, `_` or `-`. Matching ignores case; a name inside `code` or a
 * fenced code block is no mention. `@room` mentions every
 * member, but only when the room's owner or a moderator writes it: the server decides when it stores the
 * message and marks it `mentionsRoom: true`; from anyone else it stays plain text.
 */

/** The name that mentions everyone in the room; no account can take it. */
export const ROOM_MENTION = "room";
/** Usernames no one can sign up with: they mean something in a message. */
export const RESERVED_USERNAMES: readonly string[] = [ROOM_MENTION, "everyone", "here", "channel"];

const MENTION = /(^|[^\w@])@([a-z0-9_-]{3,32})(?![\w-])/gi;

/** One `@name` in a text: where it is (UTF-16 offsets, `@` included) and the name, lower-cased. */
export interface MentionSpan {
  start: number;
  end: number;
  name: string;
}

/** Code spans and fenced blocks: a name inside them is code, not a mention (clients show no chip there). */
const CODE = /```[\s\S]*?(?:```|$)|`[^`\n]+`/g;

/**
 * Every `@name` in `body`, in order (a name not of an existing user included: callers
 * decide), except inside `code` and fenced code blocks.
 */
export function mentionSpans(body: string): MentionSpan[] {
  const spans: MentionSpan[] = [];
  // Code blanked out at the same length, so offsets stay those of `body`.
  const text = body.includes("`") ? body.replace(CODE, (code) => " ".repeat(code.length)) : body;
  for (const m of text.matchAll(MENTION)) {
    const start = m.index + m[1]!.length;
    spans.push({ start, end: start + 1 + m[2]!.length, name: m[2]!.toLowerCase() });
  }
  return spans;
}

/** The names `body` mentions, lower-cased, each once (`room` among them for `@room`). */
export function mentionedNames(body: string): Set<string> {
  return new Set(mentionSpans(body).map((span) => span.name));
}

/**
 * Whether a message mentions `username`: by name, or through an `@room` the server accepted.
 * @example mentions({ body: "thanks @Alice!" }, "alice") // true
 */
export function mentions(message: { body: string; mentionsRoom?: boolean }, username: string): boolean {
  if (message.mentionsRoom) return true;
  const name = username.toLowerCase();
  return mentionSpans(message.body).some((span) => span.name === name);
}
