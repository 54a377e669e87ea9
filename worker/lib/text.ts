/**
 * One rule for user text, used wherever text enters Hearth (docs/protocol.md, "Text"):
 *
 * - Text must be well-formed Unicode. A lone surrogate (`\ud800` in a JSON string) cannot be
 *   stored as it was sent: SQLite keeps UTF-8, so it would come back as U+FFFD while the sender's
 *   acknowledgement carried the original. Such text is refused, never repaired.
 * - Names (rooms, topics, display names, upload and bot names) lose their control characters
 *   (C0, DEL, C1) and bidirectional overrides and isolates (U+202A-202E, U+2066-2069): a name
 *   such as `evil\u202Egnp.png` would show as `evilpng.png` and disguise a file's type.
 *   Message bodies are kept as sent (they are rendered as text, never as HTML).
 */

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
// C0 controls, DEL, C1 controls, and the bidi embeddings, overrides and isolates.
const NAME_UNSAFE = /[\u0000-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/g;
const HAS_NAME_UNSAFE = new RegExp(NAME_UNSAFE.source);

/** True when `text` has no lone surrogate (what `String.prototype.isWellFormed` answers). */
export function isWellFormed(text: string): boolean {
  return !LONE_SURROGATE.test(text);
}

/** A name as it is stored and shown: without control characters and bidi controls. */
export function cleanName(text: string): string {
  return text.replace(NAME_UNSAFE, "");
}

/** True when a name has something `cleanName` would strip (usernames refuse such names). */
export function hasUnsafeNameChars(text: string): boolean {
  return HAS_NAME_UNSAFE.test(text);
}

/** The message every protocol gives for text that is not well-formed, naming the field. */
export function malformedText(field: string): string {
  return `${field} is not well-formed Unicode (it has a lone surrogate)`;
}

/**
 * A room name as uniqueness compares it (public room names are unique whatever their case,
 * docs/admin.md): NFKC (so full-width `ｇｅｎｅｒａｌ` is `general`), then lower case by
 * JavaScript's full Unicode rules (SQLite's lower() and NOCASE fold ASCII only).
 * @example nameKey("Café") === nameKey("CAFÉ") // true
 */
export function nameKey(name: string): string {
  return name.normalize("NFKC").toLowerCase().normalize("NFKC");
}
