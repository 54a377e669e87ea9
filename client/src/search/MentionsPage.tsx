/**
 * The mentions view (`/mentions`): recent messages that mention me (by @username, or an @room
 * the room's owner wrote) across my rooms, newest first, listed and opened like search hits.
 * Asked afresh each time it opens, except when coming back from a hit. A lazy chunk.
 */
import { api } from "../api";
import { HitList } from "./HitList";
import { useKeptResults } from "./kept";
import { ResultsBar } from "./ResultsBar";

export function MentionsPage() {
  const results = useKeptResults("mentions", "mentions", (cursor) => api.mentions(cursor), {
    reuse: "after-open",
    runnable: true,
    label: "mentions",
  });
  return (
    <section class="results-view" aria-labelledby="results-title" data-testid="mentions-view">
      <ResultsBar title="Mentions">Messages that mention you, newest first.</ResultsBar>
      <HitList results={results} label="Mentions" busy="Loading…" empty="No one has mentioned you yet." />
    </section>
  );
}
