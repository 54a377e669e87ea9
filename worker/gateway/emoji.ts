/**
 * What a reaction may be: exactly one emoji, as Unicode's RGI set defines them (skin tones,
 * ZWJ sequences, flags and keycaps included; docs/protocol.md "Reactions"). The rule is the
 * same for every protocol; the room applies it before anything is stored.
 */

/** The longest reaction accepted, in UTF-16 units (the longest RGI emoji, a family with skin tones, is 35). */
export const MAX_EMOJI_LENGTH = 40;

// Built at run time: TypeScript's ES2022 target does not know the `v` flag, every runtime Hearth runs on does.
const ONE_EMOJI = new RegExp("^\\p{RGI_Emoji}$", "v");
const VARIATION_SELECTOR_16 = "\uFE0F";

/**
 * The emoji as stored, or null if `value` is not one emoji. A symbol typed without its emoji
 * variation selector ("❤" for "❤️") is stored in the fully-qualified form, so the two count as
 * one reaction.
 */
export function normalizeEmoji(value: unknown): string | null {
  if (typeof value !== "string" || value.length === 0 || value.length > MAX_EMOJI_LENGTH) return null;
  if (ONE_EMOJI.test(value)) return value;
  const qualified = value + VARIATION_SELECTOR_16;
  if (!value.endsWith(VARIATION_SELECTOR_16) && ONE_EMOJI.test(qualified)) return qualified;
  return null;
}
