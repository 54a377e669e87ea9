/**
 * What one commit costs SQLite and FTS5 (issue 20, the copy batcher): the same 30,000 rows
 * written into D1's schema for the copy (a WITHOUT ROWID table clustered by (room, seq), an
 * index on search_id, and the contentless FTS5 index with Hearth's settings), after 50,000
 * rows already there, in transactions of 15, 150 and 1,500 rows, three times interleaved.
 * Node's own SQLite (node:sqlite), not workerd's; ratios are what matter.
 *
 *   npx node bench/probes/fts-per-commit.mjs
 */
import { DatabaseSync } from "node:sqlite";
import { rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
const words = Array.from({ length: 3000 }, (_, i) => "w" + i.toString(36) + "x");
let seed = 7; const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
const text = () => Array.from({ length: 9 }, () => words[Math.floor(rnd() ** 2 * words.length)]).join(" ");
function run(txRows, total, file) {
  rmSync(file, { force: true }); rmSync(file + "-wal", { force: true });
  const d = new DatabaseSync(file);
  d.exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL");
  d.exec("CREATE TABLE m (room TEXT, seq INT, user TEXT, body TEXT, sid INT, PRIMARY KEY(room,seq)) WITHOUT ROWID; CREATE INDEX ms ON m(sid); CREATE VIRTUAL TABLE ix USING fts5(terms, content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 2', prefix='2 3')");
  // warm: 50k rows
  const ins = d.prepare("INSERT INTO m VALUES (?,?,?,?,?)"), fi = d.prepare("INSERT INTO ix(rowid, terms) VALUES (?,?)");
  let sid = 0;
  d.exec("BEGIN"); for (let i = 0; i < 50000; i++) { const t = text(); sid++; ins.run("r" + (i % 100), i, "u1", t, sid); fi.run(sid, t); } d.exec("COMMIT");
  const t0 = performance.now();
  for (let done = 0; done < total; done += txRows) {
    d.exec("BEGIN");
    for (let i = 0; i < txRows; i++) { const t = text(); sid++; ins.run("q" + (sid % 100), sid, "u1", t, sid); fi.run(sid, t); }
    d.exec("COMMIT");
  }
  const ms = performance.now() - t0; d.close();
  return (ms * 1000) / total;
}
for (let rep = 0; rep < 3; rep++) for (const n of [15, 150, 1500]) console.log(`rows/tx ${n}: ${run(n, 30000, join(tmpdir(), "hearth-fts-per-commit.sqlite")).toFixed(1)} µs/row`);
