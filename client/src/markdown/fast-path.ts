/**
 * Text that the parser could not format: no emphasis, code, quote, escape or link characters,
 * and no line that starts like a list item. Such text (most chat lines) is shown as it is,
 * without waiting for the parser or running it.
 */
const MAY_FORMAT = /[*_~`>[\\]|:\/\/|mailto:|www\.|^[ \t]*(?:[-+]|\d{1,9}[.)])(?:[ \t]|$)/im;

/** Whether `text` may hold formatting; false means the parser would show it as plain text. */
export function mayFormat(text: string): boolean {
  return MAY_FORMAT.test(text);
}
