/** A message's text, formatted once the parser is here (load.ts) and plain until then. */
import { useMemo } from "preact/hooks";
import { mayFormat } from "./fast-path";
import { parser } from "./load";
import { renderBlocks, type Decorate } from "./render";
import type { Block } from "./tree";

function formatted(parse: ((text: string) => Block[]) | null, text: string): Block[] | null {
  if (!parse || !mayFormat(text)) return null;
  try {
    return parse(text);
  } catch {
    return null; // a parser bug shows the text as typed rather than breaking the list
  }
}

/**
 * The formatted text, for an element that keeps white space (`white-space: pre-wrap`), which
 * the plain text needs for its line breaks. `decorate`, if given, shows each run of running
 * text (the whole text while it is plain): code and links' text are never passed to it.
 * @example <div class="msg__body"><MessageText text={message.body} /></div>
 */
export function MessageText({ text, decorate }: { text: string; decorate?: Decorate }) {
  const parse = parser.value;
  const blocks = useMemo(() => formatted(parse, text), [parse, text]);
  return <>{blocks ? renderBlocks(blocks, decorate) : decorate ? decorate(text) : text}</>;
}
