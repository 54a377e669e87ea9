/**
 * The search panel's filters, three ways: as the panel's own URL (`/search?q=…&room=…`, so
 * Back and a reload come to the same search), as the query of `GET /api/search`, and as what
 * the form shows. Dates are whole days in the reader's time zone: "since" a day starts at its
 * local midnight, "until" a day takes that whole day in.
 */

export const HAS_KINDS = ["file", "image", "link"] as const;
export type Has = (typeof HAS_KINDS)[number];

export interface SearchFilters {
  /** The words searched for, as typed. */
  q: string;
  /** A room id, or "" for every room. */
  room: string;
  /** An author's username ("@" optional), or "". */
  from: string;
  /** First day (YYYY-MM-DD, local), or "". */
  since: string;
  /** Last day (YYYY-MM-DD, local), or "". */
  until: string;
  has: Has | "";
}

export const NO_FILTERS: SearchFilters = { q: "", room: "", from: "", since: "", until: "", has: "" };

/** The panel URL's keys, in the order they are written. */
const KEYS = ["q", "room", "from", "since", "until", "has"] as const;
const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** The filters a panel URL's query names; anything unknown or malformed reads as unset. */
export function filtersFromQuery(query: Readonly<Record<string, string | undefined>>): SearchFilters {
  const text = (key: string) => query[key] ?? "";
  const day = (key: string) => (DAY.test(text(key)) ? text(key) : "");
  const has = text("has");
  return {
    q: text("q"),
    room: text("room"),
    from: text("from"),
    since: day("since"),
    until: day("until"),
    has: (HAS_KINDS as readonly string[]).includes(has) ? (has as Has) : "",
  };
}

/**
 * The panel URL's query for `filters`: only what is set, always in the same order, so two
 * URLs for one search are the same string (it keys the results kept to go back to).
 * @example panelQuery({ ...NO_FILTERS, q: "deploy", has: "link" }) // "q=deploy&has=link"
 */
export function panelQuery(filters: SearchFilters): string {
  const query = new URLSearchParams();
  for (const key of KEYS) {
    const value = key === "q" ? filters.q.trim() : filters[key].trim();
    if (value) query.set(key, value);
  }
  return query.toString();
}

/**
 * The query of `GET /api/search` for `filters`, and for the page at `cursor` (null: the first).
 * The author loses a leading "@"; the days become instants: `after` the first day's local
 * midnight, `before` the midnight that ends the last day.
 */
export function searchParams(filters: SearchFilters, cursor: string | null = null, limit?: number): URLSearchParams {
  const query = new URLSearchParams({ q: filters.q.trim() });
  const room = filters.room.trim();
  const from = filters.from.trim().replace(/^@/, "");
  if (room) query.set("room", room);
  if (from) query.set("from", from);
  if (filters.since) query.set("after", dayStart(filters.since, 0).toISOString());
  if (filters.until) query.set("before", dayStart(filters.until, 1).toISOString());
  if (filters.has) query.set("has", filters.has);
  if (limit !== undefined) query.set("limit", String(limit));
  if (cursor !== null) query.set("cursor", cursor);
  return query;
}

/** Local midnight at the start of `day` (YYYY-MM-DD) plus `plusDays` days. */
function dayStart(day: string, plusDays: number): Date {
  const [, y, m, d] = DAY.exec(day)!;
  return new Date(Number(y), Number(m) - 1, Number(d) + plusDays);
}

/** Why `filters` cannot be searched yet, as a sentence; null when they can. */
export function notReady(filters: SearchFilters): string | null {
  if (!filters.q.trim()) return "Type a word or two to search for.";
  if (filters.since && filters.until && filters.since > filters.until) return "The first day is after the last one.";
  return null;
}

/** How many filters besides the words are set (the phone's "Filters" button shows it). */
export function filterCount(filters: SearchFilters): number {
  return KEYS.filter((key) => key !== "q" && filters[key].trim() !== "").length;
}
