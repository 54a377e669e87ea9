// The web client's search (client/src/search): a snippet split at its marks (what becomes
// <mark> elements), the filters as the panel's URL and as GET /api/search's query, and paging
// by cursor. Runs in workerd: the modules are plain TypeScript. The server is a fake here;
// test/browser/search.test.ts drives the real one.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { humanError } from "../../client/src/errors";
import { FOLLOW_EMPTY, HitPager, type PagerState } from "../../client/src/search/pager";
import { filterCount, filtersFromQuery, NO_FILTERS, notReady, panelQuery, searchParams } from "../../client/src/search/query";
import { snippetParts } from "../../client/src/search/snippet";
import type { SearchHit, SearchPage } from "../../worker/contract/rest";

/** The parts as one string, marked runs in [brackets]. */
const shown = (text: string, marks: Array<[number, number]>) =>
  snippetParts({ text, marks })
    .map((part) => (part.marked ? `[${part.text}]` : part.text))
    .join("");

describe("a snippet's marks become marked runs of its text", () => {
  it("splits plain and marked text at the offsets", () => {
    expect(shown("ship the deploy today", [[9, 15]])).toBe("ship the [deploy] today");
    expect(shown("deploy it, deployment done", [[0, 6], [11, 21]])).toBe("[deploy] it, [deployment] done");
    expect(snippetParts({ text: "abc", marks: [[0, 3]] })).toEqual([{ text: "abc", marked: true }]);
  });

  it("leaves text without marks whole, and an empty text empty", () => {
    expect(snippetParts({ text: "no match shown", marks: [] })).toEqual([{ text: "no match shown", marked: false }]);
    expect(snippetParts({ text: "", marks: [[0, 2]] })).toEqual([]);
  });

  it("sorts marks, merges overlapping and touching ones, clips those out of range", () => {
    expect(shown("abcdefghij", [[6, 8], [1, 3]])).toBe("a[bc]def[gh]ij");
    expect(shown("abcdefghij", [[1, 4], [3, 6], [6, 7]])).toBe("a[bcdefg]hij");
    expect(shown("abcdef", [[-3, 2], [4, 99]])).toBe("[ab]cd[ef]");
  });

  it("drops empty, reversed and malformed marks", () => {
    const bad = [[2, 2], [4, 1], [Number.NaN, 3], [1, Number.POSITIVE_INFINITY]] as Array<[number, number]>;
    expect(shown("abcdef", bad)).toBe("abcdef");
  });

  it("counts UTF-16 code units and never cuts an emoji in half", () => {
    // "🚀" is two code units: offsets 4-6 in "ship🚀 now".
    expect(shown("ship🚀 now", [[4, 6]])).toBe("ship[🚀] now");
    expect(shown("ship🚀 now", [[5, 6]])).toBe("ship[🚀] now");
    expect(shown("ship🚀 now", [[0, 5]])).toBe("[ship🚀] now");
    expect(shown("…café ☕ open", [[1, 5]])).toBe("…[café] ☕ open");
  });

  it("any marks: the parts spell the text, no marked run is empty, no two marked runs touch", () => {
    const mark = fc.tuple(fc.integer({ min: -5, max: 60 }), fc.integer({ min: -5, max: 60 }));
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", maxLength: 40 }), fc.array(mark, { maxLength: 6 }), (text, marks) => {
        const parts = snippetParts({ text, marks });
        expect(parts.map((p) => p.text).join("")).toBe(text);
        for (const [i, part] of parts.entries()) {
          expect(part.text).not.toBe("");
          if (i > 0) expect(part.marked && parts[i - 1]!.marked).toBe(false);
          // A run never begins or ends inside a surrogate pair.
          expect(part.text.charCodeAt(0) >= 0xdc00 && part.text.charCodeAt(0) <= 0xdfff).toBe(false);
        }
      }),
    );
  });
});

describe("filters map onto the query parameters", () => {
  const filters = { ...NO_FILTERS, q: "  deploy plan ", room: "r_ops", from: "@alice", has: "link" as const };

  it("GET /api/search gets the trimmed words, the room, the author without '@', the kind, limit and cursor", () => {
    const query = searchParams(filters, "c_2", 20);
    expect(Object.fromEntries(query)).toEqual({ q: "deploy plan", room: "r_ops", from: "alice", has: "link", limit: "20", cursor: "c_2" });
    expect(Object.fromEntries(searchParams({ ...NO_FILTERS, q: "x" }))).toEqual({ q: "x" });
  });

  it("days are whole local days: after the first one's midnight, before the midnight that ends the last", () => {
    const query = searchParams({ ...NO_FILTERS, q: "x", since: "2026-01-05", until: "2026-01-07" });
    expect(query.get("after")).toBe(new Date(2026, 0, 5).toISOString());
    expect(query.get("before")).toBe(new Date(2026, 0, 8).toISOString());
    // The end of a month rolls over.
    expect(searchParams({ ...NO_FILTERS, q: "x", until: "2026-02-28" }).get("before")).toBe(new Date(2026, 2, 1).toISOString());
  });

  it("the panel's URL holds only what is set, in one order, and reads back the same", () => {
    const url = panelQuery({ ...filters, since: "2026-01-05" });
    expect(url).toBe("q=deploy+plan&room=r_ops&from=%40alice&since=2026-01-05&has=link");
    expect(filtersFromQuery(Object.fromEntries(new URLSearchParams(url)))).toEqual({ ...filters, q: "deploy plan", since: "2026-01-05" });
    expect(panelQuery(NO_FILTERS)).toBe("");
  });

  it("a URL's unknown kinds and malformed days read as unset", () => {
    expect(filtersFromQuery({ q: "x", has: "video", since: "5 Jan", until: "2026-1-7", extra: "y" })).toEqual({ ...NO_FILTERS, q: "x" });
  });

  it("says why a search cannot be asked yet, and counts the filters besides the words", () => {
    expect(notReady({ ...NO_FILTERS, q: "   " })).toMatch(/type a word/i);
    expect(notReady({ ...NO_FILTERS, q: "x", since: "2026-02-01", until: "2026-01-01" })).toMatch(/first day is after/i);
    expect(notReady({ ...NO_FILTERS, q: "x", since: "2026-01-01", until: "2026-01-01" })).toBeNull();
    expect(filterCount(filters)).toBe(3);
    expect(filterCount({ ...NO_FILTERS, q: "x", from: "  " })).toBe(0);
  });
});

const hit = (seq: number, roomId = "r_1"): SearchHit => ({
  roomId,
  roomName: "ops",
  visibility: "public",
  seq,
  userId: "u_a",
  username: "ann",
  ts: 1_000 + seq,
  kind: "text",
  snippet: { text: `message ${seq}`, marks: [[0, 7]] },
});
const page = (seqs: number[], nextCursor: string | null): SearchPage => ({ hits: seqs.map((s) => hit(s)), nextCursor });

/** A fake server: the pages in order by cursor (null: the first), recording what was asked. */
function fakeServer(pages: Record<string, SearchPage | Error>) {
  const asked: Array<string | null> = [];
  const fetchPage = async (cursor: string | null) => {
    asked.push(cursor);
    const answer = pages[cursor ?? "first"];
    if (!answer) throw new Error(`no page ${cursor}`);
    if (answer instanceof Error) throw answer;
    return answer;
  };
  return { asked, fetchPage };
}
const seqs = (state: PagerState) => (state.kind === "idle" ? [] : state.hits.map((h) => h.seq));

describe("paging by cursor", () => {
  it("loads the first page, then each next page on 'Load more', until the cursor is null", async () => {
    const server = fakeServer({ first: page([9, 8], "c1"), c1: page([7, 6], "c2"), c2: page([5], null) });
    const pager = new HitPager(server.fetchPage);
    expect(pager.state.value).toEqual({ kind: "idle" });
    const first = pager.start();
    expect(pager.state.value).toEqual({ kind: "loading", hits: [], from: null });
    await first;
    expect(pager.state.value).toMatchObject({ kind: "ready", next: "c1" });
    await pager.more();
    await pager.more();
    expect(seqs(pager.state.value)).toEqual([9, 8, 7, 6, 5]);
    expect(pager.state.value).toMatchObject({ kind: "ready", next: null });
    await pager.more(); // nothing more to ask
    expect(server.asked).toEqual([null, "c1", "c2"]);
  });

  it("asks once while a page is on its way, and shows each hit once across pages", async () => {
    const server = fakeServer({ first: page([9, 8], "c1"), c1: page([8, 7], null) });
    const pager = new HitPager(server.fetchPage);
    await pager.start();
    const twice = [pager.more(), pager.more()];
    expect(pager.state.value).toMatchObject({ kind: "loading", from: "c1" });
    await Promise.all(twice);
    expect(server.asked).toEqual([null, "c1"]);
    expect(seqs(pager.state.value)).toEqual([9, 8, 7]);
  });

  it("keeps the same seq in two rooms apart", async () => {
    const pager = new HitPager(async () => ({ hits: [hit(3, "r_1"), hit(3, "r_2")], nextCursor: null }));
    await pager.start();
    expect(pager.state.value.kind === "ready" && pager.state.value.hits.map((h) => h.roomId)).toEqual(["r_1", "r_2"]);
  });

  it("follows a page that brings no hit while a cursor remains, up to FOLLOW_EMPTY pages in a row", async () => {
    const server = fakeServer({ first: page([], "c1"), c1: page([], "c2"), c2: page([4], "c3") });
    const pager = new HitPager(server.fetchPage);
    await pager.start();
    expect(server.asked).toEqual([null, "c1", "c2"]);
    expect(pager.state.value).toMatchObject({ kind: "ready", next: "c3" });
    expect(seqs(pager.state.value)).toEqual([4]);

    const empty = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [i === 0 ? "first" : `e${i}`, page([], `e${i + 1}`)]));
    const patient = fakeServer(empty);
    const stops = new HitPager(patient.fetchPage);
    await stops.start();
    expect(patient.asked).toHaveLength(FOLLOW_EMPTY);
    expect(stops.state.value).toEqual({ kind: "ready", hits: [], next: `e${FOLLOW_EMPTY}` });
  });

  it("stops at a cursor that leads back to itself", async () => {
    const server = fakeServer({ first: page([2], "c1"), c1: page([2], "c1") });
    const pager = new HitPager(server.fetchPage);
    await pager.start();
    await pager.more();
    expect(pager.state.value).toMatchObject({ kind: "ready", next: null });
  });

  it("a failure keeps the hits shown, says why, and 'Try again' asks the same page", async () => {
    const pages: Record<string, SearchPage | Error> = { first: page([9], "c1"), c1: new Error("The server is busy.") };
    const server = fakeServer(pages);
    const pager = new HitPager(server.fetchPage);
    await pager.start();
    await pager.more();
    expect(pager.state.value).toEqual({ kind: "failed", hits: [hit(9)], from: "c1", error: "The server is busy.", retryable: true });
    pages.c1 = page([8], null);
    await pager.retry();
    expect(server.asked).toEqual([null, "c1", "c1"]);
    expect(seqs(pager.state.value)).toEqual([9, 8]);
  });

  it("a first page refused (a 400) shows the server's sentence, told as the view says, with no 'Try again'", async () => {
    const refusal = Object.assign(new Error("q is longer than 200 characters"), { status: 400 });
    const pager = new HitPager(
      async () => {
        throw refusal;
      },
      { describe: (e) => `${(e as Error).message}!`, retryable: (e) => (e as { status: number }).status >= 500 },
    );
    await pager.start();
    expect(pager.state.value).toEqual({ kind: "failed", hits: [], from: null, error: "q is longer than 200 characters!", retryable: false });
  });

  it("a new start drops the answer to the one before", async () => {
    let release!: (p: SearchPage) => void;
    const answers = [new Promise<SearchPage>((ok) => (release = ok)), Promise.resolve(page([2], null))];
    const pager = new HitPager(() => answers.shift()!);
    const stale = pager.start();
    await pager.start();
    release(page([1], null));
    await stale;
    expect(seqs(pager.state.value)).toEqual([2]);
  });
});

describe("the server's refusals of a search, as sentences", () => {
  it("names the search, not the parameter q", () => {
    expect(humanError("invalid_query", "q must be at most 200 characters")).toBe("The search must be at most 200 characters.");
    expect(humanError("invalid_query", "q has nothing to search for: give words, numbers or emoji")).toBe(
      "The search has nothing to search for: give words, numbers or emoji.",
    );
    expect(humanError("invalid_cursor", "bad cursor")).toBe("These results are out of date. Search again.");
  });
});
