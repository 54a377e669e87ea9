/**
 * Seeding the search scenario's corpus straight into the stopped server's files (as history.ts
 * does for one room): each room's own SQLite log gets its messages in RoomObject's schema, with
 * the meta watermarks a finished copy to D1 leaves; D1 gets the copied rows with their search
 * ids and the FTS5 index with the terms the worker itself writes. The terms come from the
 * worker's own code (worker/search/terms.ts `indexTextOf`, bundled for Node with esbuild: the
 * worker's imports are extensionless), and `checkTerms` compares them with what the running
 * worker wrote for each room's first message.
 *
 * Messages are made in time order across all rooms (timestamps spread over months, weekdays
 * and working hours more than nights), so search ids follow time as the live copy makes them
 * follow it (docs/search.md). `d1: false` leaves D1 to the rooms' own copies (`flushed_seq` 1).
 */
import { build } from "esbuild";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { pathToFileURL } from "node:url";
import { ChatTextGenerator, prng, vocabulary, type ChatText } from "./chat-text.ts";
import { ROOT, tempDir } from "./servers.ts";
import { findSqlite } from "./state-files.ts";

export interface SeedUser {
  id: string;
  username: string;
}

export interface SeedRoom {
  id: string;
  owner: SeedUser;
  /**
   * The owner first; authors are drawn from them, the first ones more often. The owner and the
   * searcher joined through the API; the seed writes the others' memberships into D1.
   */
  members: SeedUser[];
  /** Whether the searching user is a member. */
  searcher: boolean;
}

/** A term planted into a known number of messages. */
export interface Planted {
  term: string;
  /** Messages in the searcher's rooms that get it. */
  inSearcherRooms: number;
  /** Messages in the other rooms that get it: a count, or a share of their messages. */
  elsewhere: number | { share: number };
}

export interface SeedPlan {
  rooms: SeedRoom[];
  /** Messages per room in all (seq 1, sent through the API before, included). */
  perRoom: number;
  seed: number;
  /** Timestamps fall in the `days` before `endTs`. */
  days: number;
  endTs: number;
  planted: Planted[];
  /** Queries (each a list of prefixes, as the worker's parser makes them; in one room or all) whose hits to count. */
  queries: Record<string, { prefixes: string[]; room?: string }>;
  /** false: leave D1 to the rooms' copies (their logs say nothing was copied after seq 1). */
  d1: boolean;
}

export interface SeedResult {
  messages: number;
  seconds: number;
  /** Average body length in UTF-16 code units (what JavaScript's length counts), and in UTF-8 bytes. */
  avgChars: number;
  avgBytes: number;
  avgTokens: number;
  nonLatinShare: number;
  distinctTerms: number;
  /** Per query: messages matching it, in all rooms (or its room) and in the searcher's. */
  hits: Record<string, { all: number; searcher: number }>;
  /** Per planted term, the searcher's messages that have it, newest first. */
  expected: Record<string, { roomId: string; seq: number }[]>;
  roomFilesBytes: number;
  /** The D1 file and its parts (bytes, dbstat page sizes), when D1 was seeded. */
  d1?: D1Size;
}

export interface D1Size {
  fileBytes: number;
  messages: number;
  /** `messages` (the copied rows, WITHOUT ROWID) and its `messages_search` index. */
  rowsBytes: number;
  /** The FTS5 shadow tables of `message_index`. */
  indexBytes: number;
  tables: Record<string, number>;
}

/** The worker's own code the bench runs in Node. */
export interface Terms {
  indexTextOf(m: { kind: string; body: string; attachment: string | null; mentionsRoom: boolean; deleted: boolean }): string;
  mentionedNames(body: string): Set<string>;
  parseQuery(q: string): { ok: true; phrases: unknown[] } | { ok: false; message: string };
  ftsExpression(phrases: unknown[], markers?: string[]): string;
  /** worker/db/search.ts: called with a stand-in for D1, it tells the SQL and parameters a search runs. */
  searchCandidates(db: unknown, f: { userId: string; match: string; roomId?: string; limit: number }): Promise<unknown[]>;
}

let terms: Terms | null = null;
/** The worker's own `indexTextOf` (and the mention rule), bundled for Node. */
export async function workerTerms(): Promise<Terms> {
  if (terms) return terms;
  const out = join(tempDir("hearth-bench-terms-"), "terms.mjs");
  await build({
    stdin: {
      contents: [
        'export { indexTextOf } from "./worker/search/terms";',
        'export { mentionedNames } from "./worker/contract/mentions";',
        'export { parseQuery, ftsExpression } from "./worker/search/query";',
        'export { searchCandidates } from "./worker/db/search";',
      ].join("\n"),
      resolveDir: ROOT,
      loader: "ts",
    },
    bundle: true,
    format: "esm",
    platform: "neutral",
    outfile: out,
    logLevel: "error",
  });
  terms = (await import(pathToFileURL(out).href)) as Terms;
  return terms;
}


/** Every room object's SQLite file under a state dir, by room id. */
export function roomFiles(stateDir: string): Map<string, string> {
  const dir = join(stateDir, "v3/do/hearth-RoomObject");
  const files = new Map<string, string>();
  for (const f of readdirSync(dir)) {
    if (!f.endsWith(".sqlite") || f === "metadata.sqlite") continue;
    const db = new DatabaseSync(join(dir, f));
    try {
      const row = db.prepare("SELECT name FROM __miniflare_do_name").get() as { name?: string } | undefined;
      if (row?.name) files.set(row.name, join(dir, f));
    } catch {
      // not a room
    } finally {
      db.close();
    }
  }
  return files;
}

/** D1's local SQLite file (the one whose `rooms` holds `roomId`). */
export function d1File(stateDir: string, roomId: string): string {
  return findSqlite(join(stateDir, "v3/d1/miniflare-D1DatabaseObject"), (d) => d.prepare("SELECT id FROM rooms WHERE id = ?").get(roomId) !== undefined);
}

const upsertMeta = "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value";

/**
 * Timestamps of every message, sorted, each with its room: `ts * 1024 + room` in one sorted
 * array (rooms start on different days of the first two months; weekdays and 08-20 UTC are
 * busier).
 */
function timeline(plan: SeedPlan, rand: () => number): Float64Array {
  const n = plan.rooms.length;
  if (n > 1024) throw new Error("at most 1024 rooms");
  const per = plan.perRoom - 1;
  const day = 86_400_000;
  const start = plan.endTs - plan.days * day;
  const all = new Float64Array(n * per);
  let k = 0;
  for (let r = 0; r < n; r++) {
    const from = start + Math.floor(rand() * Math.min(60, plan.days / 3)) * day;
    const span = plan.endTs - from;
    for (let i = 0; i < per; ) {
      const ts = from + Math.floor(rand() * span);
      const d = new Date(ts);
      const weekend = d.getUTCDay() === 0 || d.getUTCDay() === 6;
      const h = d.getUTCHours();
      const busy = (weekend ? 0.25 : 1) * (h >= 8 && h < 20 ? 1 : 0.15);
      if (rand() >= busy) continue;
      all[k++] = ts * 1024 + r;
      i++;
    }
  }
  return all.sort();
}

/** Which messages (indices into the timeline) get which planted terms. */
function plantings(plan: SeedPlan, line: Float64Array, rand: () => number): Map<number, string[]> {
  const where = new Map<number, string[]>();
  const searcherIdx: number[] = [];
  const otherIdx: number[] = [];
  for (let i = 0; i < line.length; i++) (plan.rooms[line[i]! % 1024]!.searcher ? searcherIdx : otherIdx).push(i);
  const choose = (from: number[], count: number, term: string) => {
    const taken = new Set<number>();
    while (taken.size < Math.min(count, from.length)) taken.add(from[Math.floor(rand() * from.length)]!);
    for (const i of taken) where.set(i, [...(where.get(i) ?? []), term]);
  };
  for (const p of plan.planted) {
    choose(searcherIdx, p.inSearcherRooms, p.term);
    const count = typeof p.elsewhere === "number" ? p.elsewhere : Math.round(p.elsewhere.share * otherIdx.length);
    choose(otherIdx, count, p.term);
  }
  return where;
}

/** Seeds the stopped server's state (see the file comment). Room seq 1 exists already in each room. */
export async function seedCorpus(plan: SeedPlan, stateDir: string, log: (s: string) => void): Promise<SeedResult> {
  const t0 = performance.now();
  const { indexTextOf, mentionedNames } = await workerTerms();
  const rand = prng(plan.seed);
  const vocab = vocabulary(plan.seed + 1, 25_000, plan.planted.map((p) => p.term));
  const gen = new ChatTextGenerator(vocab, prng(plan.seed + 2));
  const line = timeline(plan, rand);
  const plantedAt = plantings(plan, line, rand);
  const firstTs = Math.floor(line[0]! / 1024) - 60_000;

  // The rooms' own logs.
  const files = roomFiles(stateDir);
  const rooms = plan.rooms.map((room) => {
    const file = files.get(room.id);
    if (!file) throw new Error(`no SQLite file for room ${room.id}`);
    const db = new DatabaseSync(file);
    db.exec("PRAGMA synchronous = OFF");
    const last = (db.prepare("SELECT max(seq) AS s FROM messages").get() as { s: number | null }).s;
    if (last !== 1) throw new Error(`room ${room.id}: expected its one message sent through the API, found up to seq ${last}`);
    db.prepare("UPDATE messages SET ts = ? WHERE seq = 1").run(firstTs);
    db.exec("BEGIN");
    const insert = db.prepare("INSERT INTO messages (seq, ts, user_id, username, kind, body, client_id, attachment, mentions_room) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
    // Authors: the first members talk most (weights 1, 1/2, 1/3, ...).
    const weights = room.members.map((_, i) => 1 / (i + 1));
    const total = weights.reduce((a, b) => a + b, 0);
    const names = room.members.map((m) => m.username);
    return { room, db, insert, weights, total, names, seq: 1, lastTs: firstTs };
  });

  // D1: the members, and the copied rows and the index, search ids after the ones the live copy gave seq 1.
  const d1 = new DatabaseSync(d1File(stateDir, plan.rooms[0]!.id));
  d1.exec("PRAGMA synchronous = OFF");
  d1.exec("BEGIN");
  const member = d1.prepare("INSERT OR IGNORE INTO memberships (room_id, user_id, role, joined_at) VALUES (?, ?, 'member', ?)");
  for (const r of plan.rooms) for (const m of r.members) member.run(r.id, m.id, firstTs - 86_400_000);
  // Each room's first message (sent through the API just now) moves to before the seeded ones.
  for (const r of plan.rooms) d1.prepare("UPDATE messages SET created_at = ? WHERE room_id = ? AND seq = 1").run(firstTs, r.id);
  d1.exec("COMMIT");
  let insertRow: ReturnType<DatabaseSync["prepare"]> | null = null;
  let insertTerms: ReturnType<DatabaseSync["prepare"]> | null = null;
  let searchId = 0;
  if (plan.d1) {
    const copied = (d1.prepare("SELECT count(*) AS n, coalesce(max(search_id), 0) AS s FROM messages WHERE search_id IS NOT NULL").get() as { n: number; s: number });
    if (copied.n !== plan.rooms.length) throw new Error(`D1 has ${copied.n} copied messages, expected each room's first (${plan.rooms.length})`);
    searchId = copied.s;
    insertRow = d1.prepare(
      "INSERT INTO messages (room_id, seq, user_id, username, kind, body, client_id, attachment, created_at, edited_at, deleted, search_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, 0, ?)",
    );
    insertTerms = d1.prepare("INSERT INTO message_index (rowid, terms) VALUES (?, ?)");
    d1.exec("BEGIN");
  }

  const queries = Object.entries(plan.queries);
  const hits: SeedResult["hits"] = Object.fromEntries(queries.map(([q]) => [q, { all: 0, searcher: 0 }]));
  const expected: SeedResult["expected"] = Object.fromEntries(plan.planted.map((p) => [p.term, []]));
  const seen = new Set<string>();
  let chars = 0;
  let bytes = 0;
  let tokens = 0;
  let nonLatin = 0;
  const enc = new TextEncoder();
  for (let i = 0; i < line.length; i++) {
    const r = rooms[line[i]! % 1024]!;
    const ts = Math.floor(line[i]! / 1024);
    const seq = ++r.seq;
    let x = rand() * r.total;
    let a = 0;
    while (x > r.weights[a]! && a < r.weights.length - 1) x -= r.weights[a++]!;
    const author = r.room.members[a]!;
    const isOwner = author.id === r.room.owner.id;
    const plant = plantedAt.get(i);
    const m: ChatText = gen.next({ members: r.names.filter((n) => n !== author.username), mayMentionRoom: isOwner, plant });
    const mentionsRoom = isOwner && mentionedNames(m.body).has("room");
    const text = indexTextOf({ kind: m.kind, body: m.body, attachment: m.attachment, mentionsRoom, deleted: false });
    const clientId = `seed-${seq}`;
    r.insert.run(seq, ts, author.id, author.username, m.kind, m.body, clientId, m.attachment, mentionsRoom ? 1 : null);
    r.lastTs = ts;
    if (plan.d1) {
      searchId++;
      insertRow!.run(r.room.id, seq, author.id, author.username, m.kind, m.body, clientId, m.attachment, ts, searchId);
      if (text !== "") insertTerms!.run(searchId, text);
      if (searchId % 1000 === 0) {
        d1.exec("COMMIT");
        d1.exec("BEGIN");
      }
    }
    // What the queries match (each prefix must start some token), and the corpus's numbers.
    const toks = text === "" ? [] : text.split(" ");
    tokens += toks.length;
    for (const t of toks) seen.add(t);
    for (const [q, { prefixes, room }] of queries) {
      if ((room === undefined || room === r.room.id) && prefixes.every((p) => toks.some((t) => t.startsWith(p)))) {
        hits[q]!.all++;
        if (r.room.searcher) hits[q]!.searcher++;
      }
    }
    if (plant && r.room.searcher) for (const term of plant) expected[term]!.push({ roomId: r.room.id, seq });
    chars += m.body.length;
    bytes += enc.encode(m.body).length;
    if (m.nonLatin) nonLatin++;
    if (i % 100_000 === 99_999) log(`      ${(i + 1).toLocaleString("en-US")} messages (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
  }

  // Each log as a finished copy leaves it: every client id filed, D1 up to date (or, without
  // D1 seeding, copied up to seq 1 only: the rooms copy the rest themselves).
  let roomFilesBytes = 0;
  for (const r of rooms) {
    r.db.exec("INSERT OR IGNORE INTO client_ids (user_id, client_id, seq) SELECT user_id, client_id, seq FROM messages");
    r.db.prepare(upsertMeta).run("client_ids_seq", String(r.seq));
    r.db.prepare(upsertMeta).run("flushed_seq", String(plan.d1 ? r.seq : 1));
    r.db.exec("COMMIT");
    r.db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
    roomFilesBytes += (r.db.prepare("SELECT page_count * page_size AS b FROM pragma_page_count(), pragma_page_size()").get() as { b: number }).b;
    r.db.close();
  }
  let size: D1Size | undefined;
  if (plan.d1) {
    const lastSeq = d1.prepare("UPDATE rooms SET last_seq = ?, last_message_at = ? WHERE id = ?");
    for (const r of rooms) lastSeq.run(r.seq, r.lastTs, r.room.id);
    d1.exec("COMMIT");
    d1.exec("PRAGMA wal_checkpoint(TRUNCATE)");
    size = d1Size(d1);
  }
  d1.close();
  for (const e of Object.values(expected)) e.reverse();
  const n = line.length;
  return {
    messages: n + plan.rooms.length,
    seconds: (performance.now() - t0) / 1000,
    avgChars: chars / n,
    avgBytes: bytes / n,
    avgTokens: tokens / n,
    nonLatinShare: nonLatin / n,
    distinctTerms: seen.size,
    hits,
    expected,
    roomFilesBytes,
    d1: size,
  };
}

/** D1's file and the bytes of its message copy and its index (dbstat: whole pages). */
export function d1Size(db: DatabaseSync): D1Size {
  const rows = db.prepare("SELECT name, sum(pgsize) AS b FROM dbstat GROUP BY name").all() as { name: string; b: number }[];
  const tables = Object.fromEntries(rows.map((r) => [r.name, r.b]));
  const fileBytes = (db.prepare("SELECT page_count * page_size AS b FROM pragma_page_count(), pragma_page_size()").get() as { b: number }).b;
  const messages = (db.prepare("SELECT count(*) AS n FROM messages").get() as { n: number }).n;
  const sum = (f: (name: string) => boolean) => rows.filter((r) => f(r.name)).reduce((a, r) => a + r.b, 0);
  return {
    fileBytes,
    messages,
    rowsBytes: sum((name) => name === "messages" || name === "messages_search"),
    indexBytes: sum((name) => name.startsWith("message_index_")),
    tables,
  };
}

/**
 * Whether the terms this bench computes are the ones the worker wrote: for the messages the
 * live copy indexed (each room's first), the index's terms in order (fts5vocab) against those
 * of the same bodies indexed here through the same FTS5 tokenizer. Run before seeding, while
 * D1's index holds only those.
 */
export async function checkTerms(stateDir: string, roomId: string, bodies: { roomId: string; seq: number; body: string; mentionsRoom: boolean }[]): Promise<{ compared: number; mismatches: string[] }> {
  const { indexTextOf } = await workerTerms();
  const db = new DatabaseSync(d1File(stateDir, roomId));
  try {
    db.exec(`
      CREATE VIRTUAL TABLE temp.probe USING fts5(terms, content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 2', prefix='2 3');
      CREATE VIRTUAL TABLE temp.live_terms USING fts5vocab(main, message_index, instance);
      CREATE VIRTUAL TABLE temp.probe_terms USING fts5vocab(temp, probe, instance);
    `);
    const idOf = db.prepare("SELECT search_id AS id FROM messages WHERE room_id = ? AND seq = ?");
    const put = db.prepare("INSERT INTO temp.probe (rowid, terms) VALUES (?, ?)");
    for (const b of bodies) {
      const row = idOf.get(b.roomId, b.seq) as { id: number } | undefined;
      if (!row) throw new Error(`room ${b.roomId} seq ${b.seq} is not in D1`);
      put.run(row.id, indexTextOf({ kind: "text", body: b.body, attachment: null, mentionsRoom: b.mentionsRoom, deleted: false }));
    }
    const read = (table: string) =>
      new Map(
        (db.prepare(`SELECT doc, group_concat(term, ' ') AS t FROM (SELECT doc, term FROM temp.${table} ORDER BY doc, "offset") GROUP BY doc`).all() as { doc: number; t: string }[]).map((r) => [r.doc, r.t]),
      );
    const live = read("live_terms");
    const mine = read("probe_terms");
    const mismatches: string[] = [];
    for (const [doc, t] of mine) if (live.get(doc) !== t) mismatches.push(`search id ${doc}: worker "${live.get(doc)}", bench "${t}"`);
    return { compared: mine.size, mismatches };
  } finally {
    db.close();
  }
}
