/**
 * Pages of hits, newest first, as "Load more" asks for them: the cursor of the next page, the
 * hits so far (each once), what is being asked and what failed. A page may hold fewer hits
 * than asked, or none, while more pages follow (the server re-checks hits against each room's
 * state), so a page that adds nothing is followed at once, up to FOLLOW_EMPTY pages in a row,
 * rather than showing "nothing found" above a "Load more" button.
 */
import { signal } from "@preact/signals";
import type { SearchHit, SearchPage } from "../../../worker/contract/rest";

/** Pages without a new hit asked for in a row before the reader is left to ask for more. */
export const FOLLOW_EMPTY = 3;

export type PagerState =
  /** Nothing asked yet. */
  | { kind: "idle" }
  /** Asking for the page at `from` (null: the first page). */
  | { kind: "loading"; hits: SearchHit[]; from: string | null }
  /** `next`: where the next page starts; null: these are all the hits. */
  | { kind: "ready"; hits: SearchHit[]; next: string | null }
  /** The page at `from` could not be had; `retry` asks for it again (when asking again may help). */
  | { kind: "failed"; hits: SearchHit[]; from: string | null; error: string; retryable: boolean };

/** One page: `cursor` null asks for the first. */
export type FetchPage = (cursor: string | null) => Promise<SearchPage>;

/** How a failure is told: as a sentence, and whether asking again may help (not for a refused query). */
export interface Explain {
  describe?: (error: unknown) => string;
  retryable?: (error: unknown) => boolean;
}

/** An error's message (an ApiError's is a sentence to show already). */
const describeError = (error: unknown) => (error instanceof Error && error.message ? error.message : "Something went wrong. Try again.");

/** A hit's identity across pages. */
export const hitKey = (hit: Pick<SearchHit, "roomId" | "seq">) => `${hit.roomId}:${hit.seq}`;

/**
 * @example
 * const pager = new HitPager((cursor) => api.mentions(cursor));
 * await pager.start();  // pager.state.value: { kind: "ready", hits, next }
 * await pager.more();   // the next page's hits appended
 */
export class HitPager {
  readonly state = signal<PagerState>({ kind: "idle" });
  /** Bumped by every request: an answer to an older one ("Search" pressed again) is dropped. */
  private asked = 0;

  constructor(
    private readonly fetchPage: FetchPage,
    private readonly explain: Explain = {},
  ) {}

  /** Asks for the first page (again), forgetting the hits shown. */
  start(): Promise<void> {
    return this.ask(null, []);
  }

  /** Asks for the next page, if there is one and nothing is being asked. */
  more(): Promise<void> {
    const state = this.state.value;
    if (state.kind !== "ready" || state.next === null) return Promise.resolve();
    return this.ask(state.next, state.hits);
  }

  /** Asks again for the page that failed. */
  retry(): Promise<void> {
    const state = this.state.value;
    return state.kind === "failed" ? this.ask(state.from, state.hits) : Promise.resolve();
  }

  private async ask(from: string | null, shown: SearchHit[]): Promise<void> {
    const asked = ++this.asked;
    let cursor = from;
    let hits = shown;
    this.state.value = { kind: "loading", hits, from };
    try {
      for (let empty = 0; ; ) {
        const page = await this.fetchPage(cursor);
        if (asked !== this.asked) return;
        const before = hits.length;
        hits = merge(hits, page.hits);
        // A cursor that leads back to itself would loop: that is the end.
        const next = page.nextCursor === cursor ? null : page.nextCursor;
        if (hits.length > before || next === null || ++empty >= FOLLOW_EMPTY) {
          this.state.value = { kind: "ready", hits, next };
          return;
        }
        cursor = next;
        this.state.value = { kind: "loading", hits, from: cursor };
      }
    } catch (error) {
      if (asked !== this.asked) return;
      const { describe = describeError, retryable = () => true } = this.explain;
      this.state.value = { kind: "failed", hits, from: cursor, error: describe(error), retryable: retryable(error) };
    }
  }
}

/** `shown` followed by the hits of `page` not already in it. */
function merge(shown: SearchHit[], page: SearchHit[]): SearchHit[] {
  const seen = new Set(shown.map(hitKey));
  const added = page.filter((hit) => {
    const key = hitKey(hit);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return added.length ? [...shown, ...added] : shown;
}
