/**
 * The formatted message as plain data: what the parser (parse.ts) makes of a message's text
 * and the renderer (render.tsx) shows. Only the subset Hearth formats has a node here, so
 * nothing else can reach the page but text; every string in it is shown as text, never as HTML.
 */

/** Inside a paragraph: text, line breaks, code spans, emphasis and links. */
export type Inline =
  | { t: "text"; text: string }
  | { t: "br" }
  | { t: "code"; text: string }
  | { t: "strong" | "em" | "del"; children: Inline[] }
  /** `href` has passed the link rule (safe-link.ts): http, https or mailto. */
  | { t: "link"; href: string; children: Inline[] };

/**
 * Blocks: paragraphs, fenced code, quotes and lists. A `line` is the paragraph of a tight
 * list item, shown without a paragraph's spacing.
 */
export type Block =
  | { t: "p" | "line"; children: Inline[] }
  | { t: "pre"; text: string }
  | { t: "quote" | "ul" | "li"; children: Block[] }
  | { t: "ol"; start: number; children: Block[] };
