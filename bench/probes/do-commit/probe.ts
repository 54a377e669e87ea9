/**
 * What a Durable Object's write costs when it is the only one of its turn (issue 20, item 1), in the
 * test pool's storage (under `wrangler dev` the bench found commits shared between messages no
 * cheaper: BENCHMARKS.md, "a third look"):
 * the floor and Hearth both store each message in the event that received it, so each pays a
 * commit. A room object's SQLite, 2,000 inserts of a 200-byte row three ways, each followed by
 * one timer turn (`setTimeout(0)`, ~1 ms here): one insert per turn ("separate", as a message
 * per event), all inserts in the first turn ("together", one commit), none (the timers alone).
 * separate − none is an insert with its commit; together − none an insert without one.
 *
 *   npx vitest run -c bench/probes/do-commit/vitest.config.ts
 */
import { env, runInDurableObject } from "cloudflare:test";
import { it } from "vitest";

const N = 2000;

it("times a write with its own commit against writes that share one", async () => {
  const stub = env.ROOMS.get(env.ROOMS.idFromName("probe-commit"));
  await runInDurableObject(stub, async (_room, state) => {
    const sql = state.storage.sql;
    sql.exec("CREATE TABLE IF NOT EXISTS probe_frames (id INTEGER PRIMARY KEY, body TEXT)");
    const body = "x".repeat(200);
    const insert = () => sql.exec("INSERT INTO probe_frames (body) VALUES (?)", body);
    const turn = () => new Promise((ok) => setTimeout(ok, 0));
    for (let round = 1; round <= 3; round++) {
      const took: Record<string, number> = {};
      for (const way of ["separate", "together", "none"] as const) {
        const start = Date.now();
        if (way === "together") for (let i = 0; i < N; i++) insert();
        for (let i = 0; i < N; i++) {
          if (way === "separate") insert();
          await turn();
        }
        took[way] = ((Date.now() - start) * 1000) / N;
      }
      console.log(
        `round ${round}: per insert in a turn of its own ${(took.separate! - took.none!).toFixed(0)} µs, ` +
          `in a shared turn ${(took.together! - took.none!).toFixed(0)} µs (a timer turn alone ${took.none!.toFixed(0)} µs)`,
      );
    }
  });
}, 600_000);
