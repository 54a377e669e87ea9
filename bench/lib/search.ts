/**
 * The search scenario (issue 18, "Speed"): 1,000,000 messages of generated chat text
 * (bench/lib/chat-text.ts) in 100 rooms, a user who is a member of 20 of them, and
 * `GET /api/search` through the real REST path (session JWT, D1's FTS5 index joined with the
 * memberships, every hit checked against its room's log) for a rare term, a common term, a
 * two-word prefix query, a common term in one room and a term common only in rooms the
 * searcher is not in, interleaved with each other and with `GET /health` (the floor of any
 * request through wrangler dev here).
 *
 * Setup through the API (signups, rooms, joins, each room's first message, copied to D1 and
 * indexed by the running worker), then the server is stopped and the rest is seeded into its
 * files (bench/lib/search-seed.ts), and it is started again on the same state. Before
 * measuring: the worker's terms for the first messages equal the bench's, and a search for
 * each planted term returns exactly the searcher's messages that have it, newest first.
 * After: EXPLAIN QUERY PLAN of the candidate query (worker/db/search.ts, its SQL caught from
 * the worker's own code) and its time alone, both through `wrangler d1 execute` (workerd's
 * SQLite, D1's own duration), and Node's plan for it where that differs.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { loadavg } from "node:os";
import { DatabaseSync } from "node:sqlite";
import WebSocket from "ws";
import { checkTerms, d1File, d1Size, seedCorpus, workerTerms, type D1Size, type SeedPlan, type SeedResult, type SeedRoom, type SeedUser } from "./search-seed.ts";
import { hearthSnapshot, startHearthServer, type Server } from "./servers.ts";
import { Samples, pool, sleep } from "./stats.ts";
import { WRANGLER, WRANGLER_ENV } from "../../test/support/wrangler.ts";
import { call } from "./rest.ts";

export interface SearchOptions {
  rooms: number;
  /** Messages per room. */
  perRoom: number;
  /** Rooms the searching user is a member of. */
  memberOf: number;
  requests: number;
  /** "direct": D1's rows and index written into its file; "copy": the rooms copy themselves after the restart. */
  seedMode: "direct" | "copy";
}

export interface Percentiles {
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export type SearchKind = "rare" | "common" | "prefix" | "room" | "elsewhere";

export interface SearchKindResult extends Percentiles {
  q: string;
  room?: string;
  /** Messages the query matches: in all rooms, in the searcher's rooms (in the one room for `room`). */
  matches: { all: number; searcher: number };
  /** Hits on the (first) page, and whether it had a next page. */
  hits: number;
  nextCursor: boolean;
  /** The candidate query alone in workerd's SQLite after the run (D1's duration, whole ms): median of 10, and the first (cold). */
  sqlMs?: number;
  sqlColdMs?: number;
}

export interface SearchResult {
  options: SearchOptions;
  users: number;
  setupS: number;
  seed: SeedResult;
  /** With seedMode "copy": how long the rooms took to copy themselves to D1 after the restart. */
  copyS?: number;
  restartS: number;
  termsCheck: { compared: number; mismatches: string[] };
  /** Each planted term's first page against the messages that have it. */
  verified: Record<string, { expected: number; found: number; ok: boolean }>;
  firstRequestMs: number;
  kinds: Record<SearchKind, SearchKindResult>;
  health: Percentiles;
  explain: { kind: SearchKind; plan: string[]; tempBTree: boolean; /** Node's SQLite's plan for the same query, when it differs. */ nodePlan?: string[] }[];
  d1?: D1Size;
  loadavg: { start: number[]; end: number[] };
}

const PASSWORD = "bench-password-1";
const NAMES =
  "alice bob_k carol dave erin frank grace heidi ivan judy mallory niaj olivia peggy rupert sybil trent victor walter xenia yusuf zoe amir bea chen dmitri esra farid gita hana ines jonas kwame lena mateo noor oskar priya quinn".split(" ");

/** The texts of each room's first message, sent through the API: every script and marker the terms handle. */
const PROBES = [
  "We deploy the Café release on Friday 🎉",
  "我们明天部署新版本，请看一下文档",
  "明日の会議は三時からです。よろしくお願いします",
  "Привет, команда! Релиз готов 👍🏽",
  "مرحبا، الخادم لا يعمل",
  "@{member} can you check https://github.com/acme/api/pull/4821 before standup?",
  "ｃａｆｅ and naïve résumé, deploy-bot v2.3.1 ✅",
  "🇩🇪 🤷‍♀️ ok",
  "Ελληνικά: δοκιμή κειμένου",
  "Let's ship it 🚀 @room",
];


function percentiles(s: Samples): Percentiles {
  const [p50, p95, p99, max] = s.percentiles(0.5, 0.95, 0.99, 1);
  return { p50: p50!, p95: p95!, p99: p99!, max: max! };
}

/** Users, rooms and memberships through the API; each room's first message sent by its owner. */
async function setup(server: Server, opts: SearchOptions, log: (s: string) => void) {
  const users: (SeedUser & { token: string })[] = [];
  const t0 = performance.now();
  const lap = (what: string) => log(`      ${what}: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  for (const name of ["searcher", ...NAMES]) {
    const r = await call(server.url, "POST", "/api/auth/signup", undefined, { username: name, password: PASSWORD });
    if (r.status !== 201) throw new Error(`signup ${name}: ${r.status} ${JSON.stringify(r.json)}`);
    users.push({ id: r.json.user.id, username: name, token: r.json.token });
  }
  lap("signups");
  const searcher = users[0]!;
  const others = users.slice(1);
  let k = 0;
  const rand = () => ((k = (k * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const rooms: (SeedRoom & { firstBody: string })[] = [];
  for (let i = 0; i < opts.rooms; i++) {
    const owner = others[i % others.length]!;
    const members: SeedUser[] = [owner];
    const size = 4 + Math.floor(rand() * 8);
    while (members.length < size) {
      const u = others[Math.floor(rand() * others.length)]!;
      if (!members.includes(u)) members.push(u);
    }
    const isSearcher = i < opts.memberOf;
    if (isSearcher) members.splice(1 + Math.floor(rand() * (members.length - 1)), 0, searcher);
    rooms.push({ id: "", owner, members, searcher: isSearcher, firstBody: `${PROBES[i % PROBES.length]!.replace("{member}", members[1]!.username)} (${i})` });
  }
  await pool(rooms, 4, async (room, i) => {
    const r = await call(server.url, "POST", "/api/rooms", users.find((u) => u.id === room.owner.id)!.token, { name: `team-${i}`, visibility: "public" });
    if (r.status !== 201) throw new Error(`create room: ${r.status} ${JSON.stringify(r.json)}`);
    room.id = r.json.id;
  });
  lap("rooms");
  // The searcher joins through the API; the other members are written into D1 with the seed.
  const joins = rooms.filter((room) => room.searcher).map((room) => ({ room, m: searcher }));
  await pool(joins, 4, async ({ room, m }) => {
    const r = await call(server.url, "POST", `/api/rooms/${room.id}/join`, users.find((u) => u.id === m.id)!.token, {});
    if (r.status !== 200) throw new Error(`join: ${r.status} ${JSON.stringify(r.json)}`);
  });
  lap("joins");
  log(`    ${users.length} users, ${rooms.length} rooms, the searcher joined ${joins.length}; sending each room's first message`);
  await pool(rooms, 4, async (room, i) => {
    const r = await call(server.url, "POST", `/api/rooms/${room.id}/messages`, users.find((u) => u.id === room.owner.id)!.token, { body: room.firstBody, clientId: `first-${i}` });
    if (r.status !== 201 || r.json.seq !== 1) throw new Error(`first message: ${r.status} ${JSON.stringify(r.json)}`);
  });
  // Their copies to D1 (and with them the index) run 2 s after each room's message.
  await sleep(4000);
  return { users, searcher, rooms };
}

/** The SQL and parameters worker/db/search.ts runs for a query, caught with a stand-in for D1. */
async function candidateQuery(userId: string, q: string, roomId?: string): Promise<{ sql: string; params: unknown[] }> {
  const { parseQuery, ftsExpression, searchCandidates } = await workerTerms();
  const parsed = parseQuery(q);
  if (!parsed.ok) throw new Error(parsed.message);
  let caught: { sql: string; params: unknown[] } | null = null;
  const db = {
    prepare: (sql: string) => ({
      bind: (...params: unknown[]) => ({
        all: async () => {
          caught = { sql, params };
          return { results: [] };
        },
      }),
    }),
  };
  await searchCandidates(db, { userId, match: ftsExpression(parsed.phrases), roomId, limit: 20 });
  return caught!;
}

/** `?N` replaced by SQL literals (for `wrangler d1 execute --command`, which binds nothing). */
function inline(sql: string, params: unknown[]): string {
  return sql.replace(/\?(\d+)/g, (_, n) => {
    const v = params[Number(n) - 1];
    return typeof v === "number" ? String(v) : `'${String(v).replaceAll("'", "''")}'`;
  });
}

/**
 * Statements run by workerd's SQLite (`wrangler d1 execute --local` on the stopped server's
 * state, one call): each one's rows and D1's own duration (whole milliseconds).
 */
function inWorkerd(stateDir: string, statements: string[]): { rows: Record<string, unknown>[]; ms: number }[] {
  const command = statements.map((q) => q.replace(/\s+/g, " ")).join(";\n");
  const r = spawnSync(WRANGLER, ["d1", "execute", "DB", "--local", "-c", join(hearthSnapshot(), "wrangler.toml"), "--persist-to", stateDir, "--json", "--command", command], {
    env: { ...WRANGLER_ENV },
    encoding: "utf8",
    maxBuffer: 64 * 2 ** 20,
  });
  if (r.status !== 0) throw new Error(`wrangler d1 execute: ${r.stdout}\n${r.stderr}`);
  const out = JSON.parse(r.stdout.slice(r.stdout.indexOf("["))) as { results: Record<string, unknown>[]; meta: { duration: number } }[];
  return out.map((o) => ({ rows: o.results, ms: o.meta.duration }));
}

/** An EXPLAIN QUERY PLAN's rows as indented lines. */
function planLines(rows: { id: number; parent: number; detail: string }[]): string[] {
  const depth = (row: { parent: number }): number => {
    const p = rows.find((x) => x.id === row.parent);
    return p ? 1 + depth(p) : 0;
  };
  return rows.map((row) => `${"  ".repeat(depth(row))}${row.detail}`);
}

export async function runSearch(opts: SearchOptions, log: (s: string) => void): Promise<SearchResult> {
  const loadStart = loadavg();
  const secret = `bench-search-${Date.now()}-0123456789abcdef`;
  const t0 = performance.now();
  let server = await startHearthServer({ JWT_SECRET: secret });
  const stateDir = server.stateDir;
  let made: Awaited<ReturnType<typeof setup>>;
  try {
    made = await setup(server, opts, log);
  } finally {
    await server.stop();
  }
  const { users, searcher, rooms } = made;
  const setupS = (performance.now() - t0) / 1000;
  log(`    setup through the API in ${setupS.toFixed(1)} s`);

  const termsCheck = await checkTerms(
    stateDir,
    rooms[0]!.id,
    rooms.map((r) => ({ roomId: r.id, seq: 1, body: r.firstBody, mentionsRoom: r.firstBody.includes("@room") })),
  );
  log(`    terms: the worker's and the bench's agree on ${termsCheck.compared - termsCheck.mismatches.length} of ${termsCheck.compared} first messages`);
  for (const m of termsCheck.mismatches) log(`      MISMATCH ${m}`);

  const rare = "quokka";
  const elsewhere = "kubernetes";
  const plan: SeedPlan = {
    rooms,
    perRoom: opts.perRoom,
    seed: 18,
    days: 180,
    // Midnight UTC today: the same corpus for every run of a day (the rooms' ids aside).
    endTs: Math.floor(Date.now() / 86_400_000) * 86_400_000,
    planted: [
      // Rare: 40 messages, 10 of them in the searcher's rooms.
      { term: rare, inSearcherRooms: 10, elsewhere: 30 },
      // Common in the rooms the searcher is not in (5 % of their messages), rare in theirs: the
      // index walks past the others' hits (docs/search.md, "Rooms per user").
      { term: elsewhere, inSearcherRooms: 20, elsewhere: { share: 0.05 } },
    ],
    queries: {
      [rare]: { prefixes: [rare] },
      that: { prefixes: ["that"] },
      "depl rel": { prefixes: ["depl", "rel"] },
      [elsewhere]: { prefixes: [elsewhere] },
      "that, one room": { prefixes: ["that"], room: rooms.find((r) => r.searcher)!.id },
    },
    d1: opts.seedMode === "direct",
  };
  log(`    seeding ${(opts.rooms * opts.perRoom).toLocaleString("en-US")} messages (${opts.seedMode === "direct" ? "room logs and D1" : "room logs; D1 by the rooms' own copies"})`);
  const seed = await seedCorpus(plan, stateDir, log);
  log(
    `    seeded in ${seed.seconds.toFixed(1)} s: ${seed.avgChars.toFixed(1)} characters and ${seed.avgTokens.toFixed(1)} terms per message, ${seed.distinctTerms.toLocaleString("en-US")} distinct terms, ` +
      `${(seed.nonLatinShare * 100).toFixed(1)} % non-Latin lines` +
      (seed.d1 ? `; D1 ${(seed.d1.fileBytes / 2 ** 20).toFixed(0)} MiB, ${((seed.d1.rowsBytes + seed.d1.indexBytes) / seed.d1.messages).toFixed(0)} bytes per message (rows ${(seed.d1.rowsBytes / seed.d1.messages).toFixed(0)} + index ${(seed.d1.indexBytes / seed.d1.messages).toFixed(0)})` : ""),
  );
  for (const [q, h] of Object.entries(seed.hits)) log(`      "${q}" matches ${h.all.toLocaleString("en-US")} messages (${((h.all / seed.messages) * 100).toFixed(2)} %), ${h.searcher.toLocaleString("en-US")} in the searcher's rooms`);

  const tr = performance.now();
  server = await startHearthServer({ JWT_SECRET: secret }, stateDir);
  const restartS = (performance.now() - tr) / 1000;
  const result: Partial<SearchResult> = { options: opts, users: users.length, setupS, seed, restartS, termsCheck };
  try {
    if (opts.seedMode === "copy") result.copyS = await copyThemselves(server, rooms, users, opts.perRoom, log);
    const base = server.url;
    const token = searcher.token;
    const room = rooms.find((r) => r.searcher)!.id;
    const get = async (q: string, more: Record<string, string> = {}) => {
      const t = performance.now();
      const res = await fetch(`${base}/api/search?${new URLSearchParams({ q, ...more })}`, { headers: { authorization: `Bearer ${token}` } });
      const json = (await res.json()) as { hits: { roomId: string; seq: number }[]; nextCursor: string | null };
      const ms = performance.now() - t;
      if (res.status !== 200) throw new Error(`search ${q}: ${res.status} ${JSON.stringify(json)}`);
      return { ms, json };
    };

    // The whole path holds the data: each planted term finds exactly the searcher's messages with it.
    const tf = performance.now();
    const first = await get(rare, { limit: "50" });
    result.firstRequestMs = performance.now() - tf;
    result.verified = {};
    for (const term of [rare, elsewhere]) {
      const want = seed.expected[term]!;
      const { json } = term === rare ? first : await get(term, { limit: "50" });
      // Newest first when D1 was seeded in time order; the rooms' own copies number room by room.
      const key = (hs: { roomId: string; seq: number }[]) => {
        const keys = hs.map((h) => `${h.roomId}:${h.seq}`);
        return JSON.stringify(opts.seedMode === "direct" ? keys : keys.sort());
      };
      const ok = key(json.hits) === key(want);
      result.verified[term] = { expected: want.length, found: json.hits.length, ok };
      if (!ok) throw new Error(`search "${term}" found ${JSON.stringify(json.hits.map((h) => [h.roomId, h.seq]))}, expected ${JSON.stringify(want.map((h) => [h.roomId, h.seq]))}`);
      log(`    "${term}": all ${want.length} of the searcher's messages with it${opts.seedMode === "direct" ? ", newest first" : ""}`);
    }

    const kinds: { kind: SearchKind; q: string; room?: string; matches: { all: number; searcher: number } }[] = [
      { kind: "rare", q: rare, matches: seed.hits[rare]! },
      { kind: "common", q: "that", matches: seed.hits.that! },
      { kind: "prefix", q: "depl rel", matches: seed.hits["depl rel"]! },
      { kind: "room", q: "that", room, matches: seed.hits["that, one room"]! },
      { kind: "elsewhere", q: elsewhere, matches: seed.hits[elsewhere]! },
    ];
    const samples = new Map(kinds.map((k) => [k.kind, new Samples()]));
    const pages = new Map<SearchKind, { hits: number; next: boolean }>();
    const health = new Samples();
    for (let i = 0; i < 10; i++) for (const k of kinds) await get(k.q, k.room ? { room: k.room } : {});
    for (let i = 0; i < opts.requests; i++) {
      const th = performance.now();
      await (await fetch(`${base}/health`)).text();
      health.push(performance.now() - th);
      // Each round in another order, so no kind always follows the same one.
      for (let j = 0; j < kinds.length; j++) {
        const k = kinds[(i + j) % kinds.length]!;
        const { ms, json } = await get(k.q, k.room ? { room: k.room } : {});
        samples.get(k.kind)!.push(ms);
        pages.set(k.kind, { hits: json.hits.length, next: json.nextCursor !== null });
      }
      if (i % 100 === 99) log(`      ${i + 1} rounds`);
    }
    result.health = percentiles(health);
    result.kinds = Object.fromEntries(
      kinds.map((k) => [k.kind, { q: k.q, room: k.room, matches: k.matches, hits: pages.get(k.kind)!.hits, nextCursor: pages.get(k.kind)!.next, ...percentiles(samples.get(k.kind)!) }]),
    ) as Record<SearchKind, SearchKindResult>;
    for (const k of kinds) {
      const r = result.kinds[k.kind];
      log(`    ${k.kind} "${k.q}"${k.room ? " in one room" : ""}: p50/p95/p99/max ${r.p50.toFixed(1)}/${r.p95.toFixed(1)}/${r.p99.toFixed(1)}/${r.max.toFixed(1)} ms, ${r.hits} hits on the page`);
    }
    log(`    GET /health: p50/p99 ${result.health.p50.toFixed(1)}/${result.health.p99.toFixed(1)} ms`);
    result.loadavg = { start: loadStart, end: loadavg() };

    await server.stop();
    // The candidate query as the worker runs it: its plan and its time alone in workerd's SQLite
    // (the first run of each cold, then RUNS more), and the plan Node's SQLite would pick.
    const RUNS = 10;
    const queries = await Promise.all(kinds.map((k) => candidateQuery(searcher.id, k.q, k.room)));
    const statements = queries.flatMap(({ sql, params }) => [`EXPLAIN QUERY PLAN ${inline(sql, params)}`, ...Array.from({ length: RUNS + 1 }, () => inline(sql, params))]);
    const out = inWorkerd(stateDir, statements);
    result.explain = [];
    const db = new DatabaseSync(d1File(stateDir, room), { readOnly: true });
    try {
      kinds.forEach((k, i) => {
        const at = i * (RUNS + 2);
        const plan = planLines(out[at]!.rows as { id: number; parent: number; detail: string }[]);
        const times = out.slice(at + 2, at + 2 + RUNS).map((o) => o.ms).sort((a, b) => a - b);
        const nodePlan = planLines(db.prepare(`EXPLAIN QUERY PLAN ${queries[i]!.sql}`).all(...(queries[i]!.params as (string | number)[])) as { id: number; parent: number; detail: string }[]);
        result.explain!.push({ kind: k.kind, plan, tempBTree: plan.some((l) => /TEMP B-TREE/.test(l)), nodePlan: nodePlan.join("\n") === plan.join("\n") ? undefined : nodePlan });
        result.kinds![k.kind].sqlMs = times[Math.floor(RUNS / 2)]!;
        result.kinds![k.kind].sqlColdMs = out[at + 1]!.ms;
        log(`    EXPLAIN (${k.kind}): ${plan.join(" | ")}; D1's duration: cold ${out[at + 1]!.ms} ms, then median ${times[Math.floor(RUNS / 2)]} ms${nodePlan.join("\n") === plan.join("\n") ? "" : `; Node's SQLite plans it otherwise: ${nodePlan.join(" | ")}`}`);
      });
      result.d1 = seed.d1 ?? d1Size(db);
    } finally {
      db.close();
    }
    return result as SearchResult;
  } finally {
    await server.stop();
  }
}

/**
 * seedMode "copy": each room copies its log to D1 itself. A socket opened in each room arms its
 * copy (flushDelayMs later); waits until D1's `last_seq` of every room is its last message.
 */
async function copyThemselves(server: Server, rooms: SeedRoom[], users: (SeedUser & { token: string })[], perRoom: number, log: (s: string) => void): Promise<number> {
  const t0 = performance.now();
  const sockets: WebSocket[] = [];
  for (const room of rooms) {
    const owner = users.find((u) => u.id === room.owner.id)!;
    const ws = new WebSocket(`${server.url.replace("http", "ws")}/api/rooms/${room.id}/ws`, ["hearth.v1", `bearer.${owner.token}`]);
    await new Promise<void>((ok, fail) => {
      ws.once("message", () => ok());
      ws.once("error", fail);
    });
    sockets.push(ws);
  }
  const done = new Set<string>();
  while (done.size < rooms.length) {
    await sleep(2000);
    for (const room of rooms) {
      if (done.has(room.id)) continue;
      const r = await call(server.url, "GET", `/api/rooms/${room.id}`, users.find((u) => u.id === room.owner.id)!.token);
      if (r.json.lastSeq >= perRoom) done.add(room.id);
    }
    log(`      copied: ${done.size} of ${rooms.length} rooms (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
  }
  for (const ws of sockets) ws.close();
  return (performance.now() - t0) / 1000;
}
