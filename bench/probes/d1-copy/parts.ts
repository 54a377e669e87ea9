/**
 * Which part of a D1 copy transaction costs what (issue 20, item 1), in workerd's own D1: the
 * copy's statements (db/messages.ts `copyRowsStatements`, their text with the tables renamed)
 * on D1's schema and on variants of it, 300 rows per transaction (rows.ts) after 20,000, the
 * variants interleaved transaction by transaction (order reversed every other one) so that
 * drift hits them alike; then what one `db.batch` call costs with nothing in it.
 *
 *   npx vitest run -c bench/probes/d1-copy/vitest.config.ts parts
 */
import { env } from "cloudflare:test";
import { it } from "vitest";
import { copyRowsStatements } from "../../../worker/db/messages";
import { Samples } from "../../lib/stats";
import { rows } from "./rows";

/** One schema: its tables made fresh, and the copy's statements for one JSON array on them. */
interface Variant {
  name: string;
  setup: string[];
  statements: (db: D1Database, json: string) => D1PreparedStatement[];
}

/** D1's `messages` (migrations 0005, 0007, 0010; 0005 rebuilt it without 0001's user index) under another name. */
const messagesTable = (name: string) =>
  `CREATE TABLE ${name} (room_id TEXT NOT NULL, seq INTEGER NOT NULL, user_id TEXT NOT NULL, username TEXT NOT NULL, body TEXT NOT NULL,
   client_id TEXT NOT NULL, created_at INTEGER NOT NULL, kind TEXT NOT NULL DEFAULT 'text', attachment TEXT, edited_at INTEGER,
   deleted INTEGER NOT NULL DEFAULT 0, search_id INTEGER, PRIMARY KEY (room_id, seq)) WITHOUT ROWID`;

/** D1's `message_index` (migrations 0010, 0014) under another name, with `prefix` as given. */
const indexTable = (name: string, prefix: string) => [
  `CREATE VIRTUAL TABLE ${name} USING fts5(terms, content = '', contentless_delete = 1, tokenize = 'unicode61 remove_diacritics 2'${prefix})`,
  `INSERT INTO ${name}(${name}, rank) VALUES('automerge', 16)`,
  `INSERT INTO ${name}(${name}, rank) VALUES('crisismerge', 32)`,
];

/** The copy's own statements on tables `m_<name>` and `i_<name>` (no search index: `prefix` null; `userIndex`: 0001's index on (user_id, created_at), which D1 no longer has). */
function variant(name: string, userIndex: boolean, prefix: string | null): Variant {
  const m = `m_${name}`;
  const i = prefix === null ? null : `i_${name}`;
  return {
    name,
    setup: [
      messagesTable(m),
      `CREATE INDEX ${m}_search ON ${m}(search_id) WHERE search_id IS NOT NULL`,
      ...(userIndex ? [`CREATE INDEX ${m}_user ON ${m}(user_id, created_at)`] : []),
      ...(i ? indexTable(i, prefix!) : []),
    ],
    statements: (db, json) =>
      copyRowsStatements(db, json, i !== null).map((s) => {
        // D1PreparedStatement keeps its text in `statement` (not in its types).
        const sql = (s as unknown as { statement: string }).statement.replaceAll("messages", m).replaceAll("message_index", i ?? "");
        return db.prepare(sql).bind(json);
      }),
  };
}

/** Only what search and unread counts read (room, seq, author, time, search id): no body, name, client id. */
const slim: Variant = {
  name: "slim",
  setup: [
    `CREATE TABLE m_slim (room_id TEXT NOT NULL, seq INTEGER NOT NULL, user_id TEXT NOT NULL, created_at INTEGER NOT NULL, search_id INTEGER, PRIMARY KEY (room_id, seq)) WITHOUT ROWID`,
    `CREATE INDEX m_slim_search ON m_slim(search_id) WHERE search_id IS NOT NULL`,
    ...indexTable("i_slim", ", prefix = '2 3'"),
  ],
  statements: (db, json) => {
    const last = "(SELECT coalesce(max(search_id), 0) FROM m_slim WHERE search_id IS NOT NULL)";
    const [, , lastSeq] = copyRowsStatements(db, json, true);
    return [
      db
        .prepare(
          `INSERT INTO i_slim (rowid, terms) SELECT ${last} + j.key + 1, json_extract(j.value, '$[11]') FROM json_each(?1) AS j
           WHERE json_extract(j.value, '$[11]') != '' AND NOT EXISTS (SELECT 1 FROM m_slim WHERE room_id = json_extract(j.value, '$[0]') AND seq = json_extract(j.value, '$[1]'))`,
        )
        .bind(json),
      db
        .prepare(
          `INSERT OR IGNORE INTO m_slim (room_id, seq, user_id, created_at, search_id)
           SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]'), json_extract(value, '$[8]'), ${last} + key + 1 FROM json_each(?1)`,
        )
        .bind(json),
      lastSeq!,
    ];
  },
};

const ROUNDS = 60;
const ROWS = 300;

it("times the parts of the D1 copy's transaction", async () => {
  const db = env.DB;
  const variants: Variant[] = [
    variant("d1", false, ", prefix = '2 3'"),
    variant("user_index", true, ", prefix = '2 3'"),
    variant("prefix_3", false, ", prefix = '3'"),
    variant("no_prefix", false, ""),
    variant("no_search_index", false, null),
    slim,
  ];
  for (const v of variants) for (const sql of v.setup) await db.prepare(sql).run();
  for (let i = 0; i < 40; i++) {
    const json = rows(500, "warm");
    for (const v of variants) await db.batch(v.statements(db, json));
  }
  const times = new Map<string, number[]>(variants.map((v) => [v.name, []]));
  for (let i = 0; i < ROUNDS; i++) {
    const json = rows(ROWS, "r");
    for (const v of i % 2 === 0 ? variants : [...variants].reverse()) {
      const start = Date.now();
      await db.batch(v.statements(db, json));
      times.get(v.name)!.push(Date.now() - start);
    }
  }
  const base = times.get("d1")!.reduce((a, b) => a + b, 0);
  for (const [name, t] of times) {
    const total = t.reduce((a, b) => a + b, 0);
    const [p50, max] = Samples.of(t).percentiles(0.5, 1);
    console.log(
      `${name.padEnd(16)} ${((total * 1000) / (ROUNDS * ROWS)).toFixed(1)} µs per row (${(total / base).toFixed(2)} of d1); transaction p50 ${p50} max ${max} ms`,
    );
  }

  // The fixed part: a batch of one statement that reads nothing, and one that inserts one short row.
  await db.prepare("CREATE TABLE one (x TEXT)").run();
  for (const [name, stmt] of [
    ["SELECT 1", () => db.prepare("SELECT 1")],
    ["INSERT one row", () => db.prepare("INSERT INTO one VALUES ('x')")],
  ] as const) {
    const start = Date.now();
    let n = 0;
    while (Date.now() - start < 3000) {
      await db.batch([stmt()]);
      n += 1;
    }
    console.log(`a db.batch of ${name}: ${((Date.now() - start) / n).toFixed(2)} ms each (${n} in 3 s)`);
  }
}, 900_000);
