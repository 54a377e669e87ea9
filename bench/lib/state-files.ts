/** The SQLite files `wrangler dev` keeps under a state dir, found by what they hold (Miniflare names them by hashes). */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";

/** The SQLite file in `dir` that `match` accepts. */
export function findSqlite(dir: string, match: (db: DatabaseSync) => boolean): string {
  for (const f of readdirSync(dir)) {
    if (!f.endsWith(".sqlite") || f === "metadata.sqlite") continue;
    const db = new DatabaseSync(join(dir, f));
    try {
      if (match(db)) return join(dir, f);
    } catch {
      // not this one
    } finally {
      db.close();
    }
  }
  throw new Error(`no matching SQLite file in ${dir}`);
}
