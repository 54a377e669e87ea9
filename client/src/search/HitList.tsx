/**
 * A list of hits, as the search panel and the mentions view both show them: each hit's room,
 * author, time and snippet (the matched terms in <mark>), a link that opens the room at the
 * message; under them "Load more" while there are more pages, and what is going on (searching,
 * nothing found, a failure with a way to try again).
 */
import type { ComponentChildren } from "preact";
import { formatFull, formatTime } from "../format";
import type { SearchHit, Snippet } from "../types";
import { Avatar } from "../ui/Avatar";
import { Icon } from "../ui/Icon";
import type { KeptResults } from "./kept";
import { messagePath } from "./nav";
import { hitKey } from "./pager";
import { snippetParts } from "./snippet";
import "./search.css";

interface HitListProps {
  results: KeptResults;
  /** Names the list for assistive technology ("Search results", "Mentions"). */
  label: string;
  /** Shown before anything was asked. */
  idle?: ComponentChildren;
  /** Shown while the first page is on its way ("Searching…"). */
  busy: string;
  /** Shown when the answer holds no hit. */
  empty: ComponentChildren;
}

export function HitList({ results, label, idle, busy, empty }: HitListProps) {
  const { pager, scroller, onScroll, onOpen } = results;
  const state = pager.state.value;
  const hits = state.kind === "idle" ? [] : state.hits;

  return (
    <div class="results" ref={scroller} onScroll={onScroll} data-testid="hit-results">
      <p class="results__status" role="status">
        {state.kind === "idle" && idle}
        {state.kind === "loading" && hits.length === 0 && busy}
        {state.kind === "ready" && hits.length === 0 && empty}
        {hits.length > 0 && `${hits.length} ${hits.length === 1 ? "message" : "messages"}${state.kind === "ready" && state.next === null ? "" : " so far"}`}
      </p>
      {hits.length > 0 && (
        <ol class="hits" aria-label={label}>
          {hits.map((hit) => (
            <li key={hitKey(hit)}>
              <Hit hit={hit} onOpen={() => onOpen(hit)} />
            </li>
          ))}
        </ol>
      )}
      <div class="results__more">
        {state.kind === "failed" && (
          <p class="results__error" role="alert" data-testid="search-error">
            {state.error}
            {state.retryable && (
              <>
                {" "}
                <button type="button" class="link-btn" onClick={() => void pager.retry()}>
                  Try again
                </button>
              </>
            )}
          </p>
        )}
        {state.kind === "ready" && state.next !== null && (
          <button type="button" class="btn" onClick={() => void pager.more()} data-testid="load-more">
            Load more
          </button>
        )}
        {state.kind === "loading" && hits.length > 0 && (
          <button type="button" class="btn" disabled>
            Loading…
          </button>
        )}
        {state.kind === "ready" && state.next === null && hits.length > 0 && <p class="results__end">No more messages.</p>}
      </div>
    </div>
  );
}

const ROOM_ICON = { public: "hash", private: "lock", dm: "message" } as const;
const KIND_TEXT = { image: "Image", file: "File", audio: "Voice message" } as const;

function Hit({ hit, onOpen }: { hit: SearchHit; onOpen: () => void }) {
  const kind = hit.kind === "text" ? null : hit.kind;
  return (
    <a href={messagePath(hit.roomId, hit.seq)} class="hit" onClick={onOpen} data-hit={hitKey(hit)} data-testid="search-hit">
      <span class="hit__meta">
        <span class="hit__room">
          <Icon name={ROOM_ICON[hit.visibility]} size={14} />
          <span>{hit.roomName}</span>
        </span>
        <span class="hit__author">
          <Avatar name={hit.username} small />
          <span>{hit.username}</span>
        </span>
        <time class="hit__time" dateTime={new Date(hit.ts).toISOString()} title={formatFull(hit.ts)}>
          {shortTime(hit.ts)}
        </time>
      </span>
      <span class="hit__snippet" data-testid="hit-snippet">
        {kind && (
          <span class="hit__kind">
            <Icon name={kind === "audio" ? "mic" : kind} size={14} /> {KIND_TEXT[kind]}
            {hit.snippet.text && " · "}
          </span>
        )}
        <SnippetText snippet={hit.snippet} />
      </span>
    </a>
  );
}

/** The snippet's text with its marks as <mark> elements (text nodes only: never markup). */
export function SnippetText({ snippet }: { snippet: Snippet }) {
  return (
    <>
      {snippetParts(snippet).map((part, i) => (part.marked ? <mark key={i}>{part.text}</mark> : part.text))}
    </>
  );
}

const dayFormat = new Intl.DateTimeFormat(undefined, { month: "short", day: "numeric" });
const yearFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium" });

/** Today: the time; this year: "Mar 3"; before: "Mar 3, 2025". */
function shortTime(ts: number): string {
  const now = new Date();
  const then = new Date(ts);
  if (then.toDateString() === now.toDateString()) return formatTime(ts);
  return then.getFullYear() === now.getFullYear() ? dayFormat.format(ts) : yearFormat.format(ts);
}
