/**
 * What one transaction of the D1 copy costs in workerd's own D1 (issue 20, item 1), by the
 * search index's merge settings and the transaction's size: the copy's real statements
 * (db/messages.ts `copyRowsStatements`, the index written) over the rows of rows.ts, after
 * 20,000 rows already there; 9,000 rows per setting and size. Each transaction's
 * wall time is taken around its `db.batch` (workerd's clock moves at I/O, so only whole
 * milliseconds): the copy's cost per row and its slowest transactions, which under `wrangler
 * dev` are pauses for every room. The settings run in turn on one growing index, default first
 * and again last, so the last row shows the drift.
 *
 *   npx vitest run -c bench/probes/d1-copy/vitest.config.ts probe.ts
 */
import { env } from "cloudflare:test";
import { it } from "vitest";
import { copyRowsStatements } from "../../../worker/db/messages";
import { Samples } from "../../lib/stats";
import { rows } from "./rows";

it("times the D1 copy's transactions by merge setting and size", async () => {
  const db = env.DB;
  for (let i = 0; i < 40; i++) await db.batch(copyRowsStatements(db, rows(500, "warm"), true));
  const settings: [number, number][] = [[4, 16], [8, 16], [16, 32], [2, 16], [4, 16]];
  for (const [automerge, crisismerge] of settings) {
    // Inline integers (constants of this file): D1 binds a JS number as a REAL, which FTS5's settings refuse.
    await db.prepare(`INSERT INTO message_index(message_index, rank) VALUES('automerge', ${automerge})`).run();
    await db.prepare(`INSERT INTO message_index(message_index, rank) VALUES('crisismerge', ${crisismerge})`).run();
    for (const size of [300, 100]) {
      const times: number[] = [];
      for (let i = 0; i < 9000 / size; i++) {
        const json = rows(size, `r${automerge}-${size}`);
        const start = Date.now();
        await db.batch(copyRowsStatements(db, json, true));
        times.push(Date.now() - start);
      }
      const total = times.reduce((a, b) => a + b, 0);
      const [p50, p90, p97, max] = Samples.of(times).percentiles(0.5, 0.9, 0.97, 1);
      console.log(
        `automerge ${automerge} crisismerge ${crisismerge}, ${size} rows per transaction: ${((total * 1000) / 9000).toFixed(1)} µs per row; ` +
          `transaction p50 ${p50} p90 ${p90} p97 ${p97} max ${max} ms`,
      );
    }
  }
}, 600_000);
