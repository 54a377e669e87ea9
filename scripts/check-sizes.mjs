// Size budgets for hand-written source (part of `npm run check:structure`):
//  - no TypeScript/JavaScript file in worker/ or client/src over 450 lines;
//  - tighter budgets for single files named below (the room Durable Object: 300 lines).
// Generated code (any gen/ folder) is exempt. Prints the biggest files either way.
import { readdirSync, readFileSync, existsSync } from "node:fs";
import { join, relative, resolve } from "node:path";

export const MAX_LINES = 450;
export const FILE_BUDGETS = { "worker/room/RoomObject.ts": 300 };
const ROOTS = ["worker", "client/src"];
const SOURCE = /\.(ts|tsx|js|jsx|mjs|cjs)$/;
const SHOW = 10;

const root = resolve(import.meta.dirname, "..");
const lines = (file) => {
  const text = readFileSync(file, "utf8");
  return text === "" ? 0 : text.split("\n").length - (text.endsWith("\n") ? 1 : 0);
};
function* walk(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== "gen" && entry.name !== "node_modules") yield* walk(path);
    } else if (SOURCE.test(entry.name)) yield path;
  }
}

const files = ROOTS.flatMap((r) => [...walk(join(root, r))])
  .map((f) => ({ path: relative(root, f).split("\\").join("/"), lines: lines(f) }))
  .sort((a, b) => b.lines - a.lines);
const failures = [];
for (const f of files) {
  const budget = FILE_BUDGETS[f.path] ?? MAX_LINES;
  if (f.lines > budget) failures.push(`${f.path}: ${f.lines} lines (budget ${budget})`);
}
for (const path of Object.keys(FILE_BUDGETS)) {
  if (!existsSync(join(root, path))) failures.push(`${path}: has a budget in scripts/check-sizes.mjs but does not exist (moved? update the budget)`);
}

console.log(`biggest source files (of ${files.length}; gen/ exempt):`);
for (const f of files.slice(0, SHOW)) console.log(`  ${String(f.lines).padStart(5)}  ${f.path}`);
if (failures.length) {
  console.error(`size budget: ${failures.length} over (max ${MAX_LINES} lines a file; ${Object.entries(FILE_BUDGETS).map(([p, n]) => `${p} ${n}`).join(", ")}):`);
  for (const f of failures) console.error(`  ${f}`);
  process.exit(1);
}
console.log(`size budget ok (max ${MAX_LINES} lines a file; ${Object.entries(FILE_BUDGETS).map(([p, n]) => `${p} ${n}`).join(", ")})`);
