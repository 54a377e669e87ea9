/**
 * markdown-it's tokens to Hearth's message tree (tree.ts). Only the tokens of the formatting
 * subset become nodes; a token of anything else (were a rule turned on by mistake) is kept
 * as its text or dropped, never passed on as markup.
 */
import type { Token } from "markdown-it";
import { safeHref } from "./safe-link";
import type { Block, Inline } from "./tree";

type Container<N> = N & { children: N[] };

/**
 * Builds a tree from a flat token list: an opening token (nesting 1) that `open` turns into a
 * container takes the tokens up to its closing one as children; one it answers null for is
 * transparent (its children go to its parent). Other tokens become nodes through `leaf`.
 */
function build<N>(
  tokens: readonly Token[],
  open: (token: Token, index: number) => Container<N> | null,
  leaf: (token: Token) => N | null,
): N[] {
  const root: N[] = [];
  const outer: N[][] = [];
  let out = root;
  tokens.forEach((token, index) => {
    if (token.nesting === 1) {
      outer.push(out);
      const node = open(token, index);
      if (node) {
        out.push(node);
        out = node.children;
      }
    } else if (token.nesting === -1) {
      out = outer.pop() ?? root;
    } else {
      const node = leaf(token);
      if (node) out.push(node);
    }
  });
  return root;
}

/**
 * An address found in running text is a link only when written with its scheme or as www.…:
 * linkify also finds bare domains, and `setup.py` or `notes.md` are not meant as links.
 */
const BARE_LINK = /^(?:https?:\/\/|mailto:|www\.)/i;

function openInline(token: Token, next: Token | undefined): Container<Inline> | null {
  switch (token.type) {
    case "strong_open":
      return { t: "strong", children: [] };
    case "em_open":
      return { t: "em", children: [] };
    case "s_open":
      return { t: "del", children: [] };
    case "link_open": {
      const href = safeHref(String(token.attrGet("href") ?? ""));
      const found = token.markup === "linkify"; // its text is the address as written
      if (!href || (found && !BARE_LINK.test(next?.content ?? ""))) return null;
      return { t: "link", href, children: [] };
    }
    default:
      return null;
  }
}

function inlineLeaf(token: Token): Inline | null {
  switch (token.type) {
    case "softbreak":
    case "hardbreak":
      return { t: "br" };
    case "code_inline":
      return { t: "code", text: token.content };
    default:
      return token.content ? { t: "text", text: token.content } : null;
  }
}

/** A paragraph's content: text, breaks, code spans, emphasis and links. */
export function toInlines(tokens: readonly Token[]): Inline[] {
  return build<Inline>(
    tokens,
    (token, index) => openInline(token, tokens[index + 1]),
    inlineLeaf,
  );
}

/** A whole message: paragraphs, fenced code, quotes and lists. */
export function toBlocks(tokens: readonly Token[]): Block[] {
  let tight = false; // the paragraph being read is a tight list item's (markdown-it hides it)
  const open = (token: Token): Container<Block> | null => {
    switch (token.type) {
      case "blockquote_open":
        return { t: "quote", children: [] };
      case "bullet_list_open":
        return { t: "ul", children: [] };
      case "ordered_list_open":
        return { t: "ol", start: Number(token.attrGet("start") ?? 1), children: [] };
      case "list_item_open":
        return { t: "li", children: [] };
      case "paragraph_open":
        tight = token.hidden;
        return null; // its inline token below becomes the paragraph
      default:
        return null;
    }
  };
  const leaf = (token: Token): Block | null => {
    switch (token.type) {
      case "inline":
        return { t: tight ? "line" : "p", children: toInlines(token.children ?? []) };
      case "fence":
        return { t: "pre", text: token.content.replace(/\n$/, "") };
      default:
        return token.content ? { t: "p", children: [{ t: "text", text: token.content }] } : null;
    }
  };
  return build<Block>(tokens, open, leaf);
}
