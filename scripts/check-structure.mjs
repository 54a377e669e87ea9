// `npm run check:structure`: the code-structure checks, each run to the end so that one
// failure does not hide another, then one line per check and a non-zero exit if any failed.
//   check:deps   dependency-cruiser, rules in .dependency-cruiser.cjs (cycles, layers, features)
//   check:sizes  scripts/check-sizes.mjs (line budgets per file)
//   check:dupes  jscpd, settings in .jscpd.json (copied code)
import { spawnSync } from "node:child_process";

const CHECKS = [
  ["check:deps", "import rules (.dependency-cruiser.cjs)"],
  ["check:sizes", "file size budgets (scripts/check-sizes.mjs)"],
  ["check:dupes", "copied code (.jscpd.json)"],
];

const results = CHECKS.map(([script, what]) => {
  console.log(`\n── ${script}: ${what}`);
  const run = spawnSync("npm", ["run", "--silent", script], { stdio: "inherit", shell: process.platform === "win32" });
  return { script, what, ok: run.status === 0 };
});
console.log("");
for (const r of results) console.log(`${r.ok ? "✓" : "✗"} ${r.script}: ${r.what}`);
const failed = results.filter((r) => !r.ok);
if (failed.length) {
  console.error(`check:structure failed: ${failed.map((r) => r.script).join(", ")} (details above)`);
  process.exit(1);
}
