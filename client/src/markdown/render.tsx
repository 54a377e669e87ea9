/**
 * The message tree (tree.ts) as Preact nodes. Every string becomes a text node; the only
 * attribute taken from the message is a link's `href`, which passed the link rule. Running
 * text may be decorated (mentions as chips), never a link's text, a code span or a code block.
 */
import type { ComponentChildren, VNode } from "preact";
import { assertNever } from "../assert-never";
import { LINK_ATTRS } from "./safe-link";
import type { Block, Inline } from "./tree";

/** Shows a run of plain text: the text itself, or nodes made of it (MessageText's `decorate`). */
export type Decorate = (text: string) => ComponentChildren;

const asIs: Decorate = (text) => text;

function inline(node: Inline, key: number, decorate: Decorate): ComponentChildren {
  switch (node.t) {
    case "text":
      return decorate(node.text);
    case "br":
      return <br key={key} />;
    case "code":
      return <code key={key}>{node.text}</code>;
    case "strong":
      return <strong key={key}>{inlines(node.children, decorate)}</strong>;
    case "em":
      return <em key={key}>{inlines(node.children, decorate)}</em>;
    case "del":
      return <del key={key}>{inlines(node.children, decorate)}</del>;
    case "link":
      return (
        <a key={key} href={node.href} {...LINK_ATTRS}>
          {inlines(node.children, asIs)}
        </a>
      );
    default:
      return assertNever(node, "inline node");
  }
}

function inlines(nodes: Inline[], decorate: Decorate): ComponentChildren {
  return nodes.map((node, key) => inline(node, key, decorate));
}

function block(node: Block, key: number, decorate: Decorate): VNode | ComponentChildren {
  switch (node.t) {
    case "p":
      return <p key={key}>{inlines(node.children, decorate)}</p>;
    case "line":
      return inlines(node.children, decorate);
    case "pre":
      // Focusable: a code block wider than the message scrolls, also from the keyboard.
      return (
        <pre key={key} tabIndex={0}>
          <code>{node.text}</code>
        </pre>
      );
    case "quote":
      return <blockquote key={key}>{renderBlocks(node.children, decorate)}</blockquote>;
    case "ul":
      return <ul key={key}>{renderBlocks(node.children, decorate)}</ul>;
    case "ol":
      return (
        <ol key={key} start={node.start}>
          {renderBlocks(node.children, decorate)}
        </ol>
      );
    case "li":
      return <li key={key}>{renderBlocks(node.children, decorate)}</li>;
    default:
      return assertNever(node, "block node");
  }
}

/** A formatted message's blocks, to put inside the message body's element; `decorate` shows its running text. */
export function renderBlocks(nodes: Block[], decorate: Decorate = asIs): ComponentChildren {
  return nodes.map((node, key) => block(node, key, decorate));
}
