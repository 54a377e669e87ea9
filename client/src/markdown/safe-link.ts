/**
 * The link rule: only http, https and mailto addresses become links. Anything else
 * (`javascript:`, `data:`, `vbscript:`, `file:`, relative paths, addresses that do not parse)
 * stays text. The address is read by the same URL parser the browser uses for `href`, so
 * what is checked is what would be followed: `JAVASCRIPT:` and `java\tscript:` (the parser
 * drops tabs and newlines) are both `javascript:`.
 */
const LINK_SCHEMES = new Set(["http:", "https:", "mailto:"]);

/** Every link in a message: a new tab that cannot reach back, sends no referrer, and earns no rank. */
export const LINK_ATTRS = { rel: "noopener noreferrer nofollow", target: "_blank" } as const;

/**
 * `url` if it may be a link's `href`, else null.
 * @example safeHref("https://example.com/a") // "https://example.com/a"
 * @example safeHref("javascript:alert(1)")   // null
 */
export function safeHref(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null; // relative, or not an address at all
  }
  return LINK_SCHEMES.has(parsed.protocol) ? url : null;
}
