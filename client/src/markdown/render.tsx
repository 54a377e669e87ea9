/**
 * The message tree (tree.ts) as Preact nodes. Every string becomes a text node; the only
 * attribute taken from the message is a link's `href`, which passed the link rule.
 */
import type { ComponentChildren, VNode } from "preact";
import { assertNever } from "../assert-never";
import { LINK_ATTRS } from "./safe-link";
import type { Block, Inline } from "./tree";

function inline(node: Inline, key: number): ComponentChildren {
  switch (node.t) {
    case "text":
      return node.text;
    case "br":
      return <br key={key} />;
    case "code":
      return <code key={key}>{node.text}</code>;
    case "strong":
      return <strong key={key}>{inlines(node.children)}</strong>;
    case "em":
      return <em key={key}>{inlines(node.children)}</em>;
    case "del":
      return <del key={key}>{inlines(node.children)}</del>;
    case "link":
      return (
        <a key={key} href={node.href} {...LINK_ATTRS}>
          {inlines(node.children)}
        </a>
      );
    default:
      return assertNever(node, "inline node");
  }
}

function inlines(nodes: Inline[]): ComponentChildren {
  return nodes.map(inline);
}

function block(node: Block, key: number): VNode | ComponentChildren {
  switch (node.t) {
    case "p":
      return <p key={key}>{inlines(node.children)}</p>;
    case "line":
      return inlines(node.children);
    case "pre":
      // Focusable: a code block wider than the message scrolls, also from the keyboard.
      return (
        <pre key={key} tabIndex={0}>
          <code>{node.text}</code>
        </pre>
      );
    case "quote":
      return <blockquote key={key}>{renderBlocks(node.children)}</blockquote>;
    case "ul":
      return <ul key={key}>{renderBlocks(node.children)}</ul>;
    case "ol":
      return (
        <ol key={key} start={node.start}>
          {renderBlocks(node.children)}
        </ol>
      );
    case "li":
      return <li key={key}>{renderBlocks(node.children)}</li>;
    default:
      return assertNever(node, "block node");
  }
}

/** A formatted message's blocks, to put inside the message body's element. */
export function renderBlocks(nodes: Block[]): ComponentChildren {
  return nodes.map(block);
}
