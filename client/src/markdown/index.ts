/**
 * Message formatting: a safe Markdown subset (parse.ts says which) rendered as Preact nodes,
 * never as HTML. The only way in for the rest of the client: the parser stays lazy.
 */
export { MessageText } from "./MessageText";
export type { Decorate } from "./render";
export { loadMarkdown } from "./load";
