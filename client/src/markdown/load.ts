/**
 * The parser arrives in a chunk of its own (markdown-it is about as big as the rest of the
 * client): the room view asks for it as it opens, messages are plain text until it is here,
 * and every message that reads `parser` re-renders formatted when it lands.
 */
import { signal } from "@preact/signals";
import type { Block } from "./tree";

/** The loaded parser, or null while it is on its way (or failed to come). */
export const parser = signal<((text: string) => Block[]) | null>(null);

let loading: Promise<void> | null = null;

/** Starts loading the parser, once; harmless to call again. */
export function loadMarkdown(): void {
  loading ??= import("./parse").then(
    (module) => {
      parser.value = module.parseMessage;
    },
    () => {
      loading = null; // offline, or a deploy replaced the chunk: plain text, and another try next time
    },
  );
}
