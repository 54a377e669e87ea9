/**
 * A message's text to its formatted tree. This module carries markdown-it (and linkify-it),
 * so the client loads it lazily (load.ts) and shows plain text until it arrives.
 *
 * The subset: **bold**, *italic*, ~~strikethrough~~, `code`, ``` fenced code, > quotes,
 * ordered and unordered lists, [text](url) links and bare http(s)://… and www.… addresses.
 * markdown-it starts from its "zero" preset (every rule off) and only the rules below are
 * turned on, so headings, images, tables, rules, indented code, reference links, entities
 * and raw HTML are never parsed: they stay the characters that were typed.
 */
import MarkdownIt, { type MarkdownIt as Parser } from "markdown-it";
import { safeHref } from "./safe-link";
import { toBlocks } from "./to-tree";
import type { Block } from "./tree";

const BLOCK_RULES = ["paragraph", "fence", "blockquote", "list"];
const INLINE_RULES = ["text", "newline", "escape", "backticks", "emphasis", "strikethrough", "link", "autolink", "linkify"];
const CORE_RULES = ["normalize", "block", "strip_references", "inline", "linkify", "text_join"];

function createParser(): Parser {
  // breaks: a single newline is a line break, as in any chat. html stays off: tags are text.
  const md = new MarkdownIt("zero", { breaks: true, linkify: true, html: false });
  md.block.ruler.enableOnly(BLOCK_RULES);
  md.inline.ruler.enableOnly(INLINE_RULES);
  md.inline.ruler2.enableOnly(["balance_pairs", "strikethrough", "emphasis", "fragments_join"]);
  md.core.ruler.enableOnly(CORE_RULES);
  // Bare www.… addresses need fuzzy links (to-tree.ts keeps only those); bare e-mail
  // addresses are not links (git@host:repo is not meant as one), mailto:… ones are.
  md.linkify.set({ fuzzyLink: true, fuzzyEmail: false });
  md.linkify.add("ftp:", null).add("//", null);
  // A link whose address breaks the link rule is not parsed as a link: "[x](javascript:…)"
  // stays those characters.
  md.validateLink = (url) => safeHref(url) !== null;
  return md;
}

let parser: Parser | undefined;

/**
 * The formatted tree of a message's text.
 * @example parseMessage("**hi** https://example.com")
 * // [{ t: "p", children: [{ t: "strong", … }, { t: "text", text: " " }, { t: "link", href: "https://example.com", … }] }]
 */
export function parseMessage(text: string): Block[] {
  parser ??= createParser();
  return toBlocks(parser.parse(text, {}));
}
