/**
 * The results a view (the search panel, the mentions view) showed when the reader opened a
 * hit, kept in memory with their scroll position, so that coming back (the room's "Back to"
 * link, or the browser's Back) shows them again as they were, without asking the server.
 */
import type { RefObject } from "preact";
import { useEffect, useLayoutEffect, useMemo, useRef } from "preact/hooks";
import { ApiError } from "../api";
import { currentUser } from "../session";
import type { SearchHit } from "../types";
import { resultsPlace } from "./nav";
import { hitKey, HitPager, type FetchPage } from "./pager";

export type View = "search" | "mentions";

interface Kept {
  /** Whose results, and for what: another user or another search starts afresh. */
  key: string;
  pager: HitPager;
  scrollTop: number;
  /** The hit opened last (it gets the keyboard back), or null. */
  opened: string | null;
}

const kept = new Map<View, Kept>();

export interface KeptResults {
  pager: HitPager;
  scroller: RefObject<HTMLDivElement>;
  /** Shown again as they were (not asked afresh). */
  restored: boolean;
  onScroll: () => void;
  /** A hit is being opened: remember where the reader was, for the way back. */
  onOpen: (hit: SearchHit) => void;
  /** The same question again, from the top ("Search" pressed again). */
  restart: () => void;
}

/**
 * The results of `view` for `key`: the kept ones, scrolled where they were, when they are for
 * the same key and user and `reuse` says so (search: always; mentions: only coming back from a
 * hit, or they would go stale); else a new pager, started at once when `runnable`.
 * `label` names the results in the room's way back ("search results").
 */
export function useKeptResults(view: View, key: string, fetchPage: FetchPage, options: { reuse: "same-key" | "after-open"; runnable: boolean; label: string }): KeptResults {
  const scroller = useRef<HTMLDivElement>(null);
  const fullKey = `${currentUser.value?.id ?? ""}|${key}`;
  const entry = useMemo(() => {
    const known = kept.get(view);
    if (known?.key === fullKey && (options.reuse === "same-key" || known.opened !== null)) return { kept: known, restored: true };
    const fresh: Kept = { key: fullKey, pager: new HitPager(fetchPage, { retryable }), scrollTop: 0, opened: null };
    kept.set(view, fresh);
    return { kept: fresh, restored: false };
  }, [view, fullKey]);

  useEffect(() => {
    if (!entry.restored && options.runnable) void entry.kept.pager.start();
  }, [entry]);

  // Back where the reader was, the hit they opened under the keyboard again.
  useLayoutEffect(() => {
    const el = scroller.current;
    if (!entry.restored || !el) return;
    el.scrollTop = entry.kept.scrollTop;
    const opened = entry.kept.opened;
    entry.kept.opened = null;
    if (opened) el.querySelector<HTMLElement>(`[data-hit="${CSS.escape(opened)}"]`)?.focus({ preventScroll: true });
  }, [entry]);

  return {
    pager: entry.kept.pager,
    scroller,
    restored: entry.restored,
    onScroll: () => {
      entry.kept.scrollTop = scroller.current?.scrollTop ?? 0;
    },
    onOpen: (hit) => {
      entry.kept.opened = hitKey(hit);
      entry.kept.scrollTop = scroller.current?.scrollTop ?? 0;
      resultsPlace.value = { path: location.pathname + location.search, label: options.label };
    },
    restart: () => {
      entry.kept.scrollTop = 0;
      if (scroller.current) scroller.current.scrollTop = 0;
      void entry.kept.pager.start();
    },
  };
}

/** A refusal of the query itself (400, 403) fails again; no answer, a 429 or a 5xx may not. */
const retryable = (error: unknown) => !(error instanceof ApiError) || error.status === 0 || error.status === 429 || error.status >= 500;
