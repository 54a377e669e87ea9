/**
 * The search panel (`/search?q=…&room=…&from=…&since=…&until=…&has=…`): the words, the
 * filters, and the hits, newest first. The URL holds the search asked, so Back, a reload and
 * the room's "Back to search results" come to the same one; its results are kept in memory
 * (kept.ts) and shown again as they were. A lazy chunk: nothing of it loads before it opens.
 */
import type { JSX } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { useLocation } from "preact-iso";
import { api } from "../api";
import { rooms } from "../rooms";
import { Icon } from "../ui/Icon";
import { HitList } from "./HitList";
import { useKeptResults } from "./kept";
import { searchFieldWanted, searchPath } from "./nav";
import { filterCount, filtersFromQuery, NO_FILTERS, notReady, panelQuery, searchParams, type SearchFilters } from "./query";
import { ResultsBar } from "./ResultsBar";

/** The shortcut's last request the field answered (the panel comes and goes; this stays). */
let fieldAsked = 0;

export function SearchPage() {
  const { query, route } = useLocation();
  const asked = filtersFromQuery(query);
  const key = panelQuery(asked);
  const results = useKeptResults("search", key, (cursor) => api.search(searchParams(asked, cursor)), {
    reuse: "same-key",
    runnable: notReady(asked) === null,
    label: "search results",
  });
  const [draft, setDraft] = useState(asked);
  const [problem, setProblem] = useState(() => (key ? notReady(asked) : null));
  const [filtersOpen, setFiltersOpen] = useState(filterCount(asked) > 0);
  const input = useRef<HTMLInputElement>(null);

  // Another search in the URL (Back, Forward): the form shows it.
  useEffect(() => setDraft(asked), [key]);
  useEffect(() => void (searchPath.value = key ? `/search?${key}` : "/search"), [key]);
  // The keyboard goes to the field, unless the reader came back to the hit they opened; the
  // shortcut (pressed to open the panel, or again while it is open) always brings it there.
  useEffect(() => {
    if (!results.restored) input.current?.focus();
    return searchFieldWanted.subscribe((asked) => {
      if (asked === fieldAsked) return;
      fieldAsked = asked;
      input.current?.focus();
      input.current?.select();
    });
  }, []);

  function ask(filters: SearchFilters) {
    const why = notReady(filters);
    setProblem(why);
    if (why) return;
    const next = panelQuery(filters);
    if (next === key) results.restart();
    else route(`/search?${next}`, true);
  }

  /** A filter chosen from a list or a calendar applies at once (once there are words to search). */
  const choose = (field: keyof SearchFilters) => (event: JSX.TargetedEvent<HTMLInputElement | HTMLSelectElement>) => {
    const next = { ...draft, [field]: event.currentTarget.value };
    setDraft(next);
    if (next.q.trim()) ask(next);
  };
  const type = (field: keyof SearchFilters) => (event: JSX.TargetedEvent<HTMLInputElement>) =>
    setDraft({ ...draft, [field]: event.currentTarget.value });

  function clearFilters() {
    const next = { ...NO_FILTERS, q: draft.q };
    setDraft(next);
    if (next.q.trim()) ask(next);
  }

  const count = filterCount(draft);
  const channels = rooms.value.filter((room) => room.visibility !== "dm");
  const dms = rooms.value.filter((room) => room.visibility === "dm");
  const roomKnown = rooms.value.some((room) => room.id === draft.room);

  return (
    <section class="results-view" aria-labelledby="results-title" data-testid="search-panel">
      <ResultsBar title="Search" />
      <form
        class="search-form"
        role="search"
        onSubmit={(event) => {
          event.preventDefault();
          ask(draft);
        }}
      >
        <div class="search-form__row">
          <label class="search-form__field">
            <Icon name="search" size={18} />
            <span class="sr-only">Search messages</span>
            <input
              ref={input}
              type="search"
              value={draft.q}
              onInput={type("q")}
              placeholder="Search messages"
              enterKeyHint="search"
              autoComplete="off"
              data-testid="search-input"
            />
          </label>
          <button type="submit" class="btn btn--primary">
            Search
          </button>
        </div>
        <button
          type="button"
          class="search-form__toggle"
          aria-expanded={filtersOpen}
          aria-controls="search-filters"
          onClick={() => setFiltersOpen(!filtersOpen)}
        >
          Filters{count > 0 && ` (${count})`}
        </button>
        <div id="search-filters" class={`search-form__filters${filtersOpen ? "" : " search-form__filters--closed"}`}>
          <label class="search-filter">
            <span>In</span>
            <select value={draft.room} onChange={choose("room")} data-testid="filter-room">
              <option value="">All rooms</option>
              {channels.map((room) => (
                <option key={room.id} value={room.id}>
                  #{room.name}
                </option>
              ))}
              {dms.map((room) => (
                <option key={room.id} value={room.id}>
                  @{room.name}
                </option>
              ))}
              {draft.room && !roomKnown && <option value={draft.room}>Another room</option>}
            </select>
          </label>
          <label class="search-filter">
            <span>From</span>
            <input type="text" value={draft.from} onInput={type("from")} placeholder="username" autoComplete="off" data-testid="filter-from" />
          </label>
          <label class="search-filter">
            <span>Since</span>
            <input type="date" value={draft.since} max={draft.until || undefined} onChange={choose("since")} data-testid="filter-since" />
          </label>
          <label class="search-filter">
            <span>Until</span>
            <input type="date" value={draft.until} min={draft.since || undefined} onChange={choose("until")} data-testid="filter-until" />
          </label>
          <label class="search-filter">
            <span>Has</span>
            <select value={draft.has} onChange={choose("has")} data-testid="filter-has">
              <option value="">Anything</option>
              <option value="file">A file</option>
              <option value="image">An image</option>
              <option value="link">A link</option>
            </select>
          </label>
          {count > 0 && (
            <button type="button" class="link-btn search-form__clear" onClick={clearFilters}>
              Clear filters
            </button>
          )}
        </div>
        {problem && (
          <p class="form__error" role="alert">
            {problem}
          </p>
        )}
      </form>
      <HitList
        results={results}
        label="Search results"
        busy="Searching…"
        idle="Search the messages of every room and conversation you are in."
        empty={<>No messages match “{asked.q.trim()}”{filterCount(asked) > 0 && " with these filters"}.</>}
      />
    </section>
  );
}
