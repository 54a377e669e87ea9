/** The search panel and the mentions view: one lazy chunk for both (they share the hit list). */
export { SearchPage } from "./SearchPage";
export { MentionsPage } from "./MentionsPage";
