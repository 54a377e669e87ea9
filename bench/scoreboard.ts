/**
 * `npm run bench:scoreboard -- bench/results/bench-A.json bench/results/bench-B.json ...`
 *
 * One Markdown table of every scored target (issue 7) across several saved runs: the same-run
 * ratio (or value) per run, whether it met the target, and in how many of the runs it did.
 * The machines here are shared and their speed moves from one run to the next, so a single
 * run says little about a target near its line; the `GET /health` p50 of each run's history
 * scenario is printed as that run's speed (about 3 ms on a quiet machine). Runs without every
 * scenario, or with fewer than 3 repetitions, are listed but not counted.
 */
import { readFileSync } from "node:fs";
import { basename } from "node:path";

interface SummaryRow {
  scenario: string;
  metric: string;
  hearth: number | null;
  ratio?: number | null;
  target: string;
  pass?: boolean;
  unit: string;
}
interface Saved {
  startedAt: string;
  finishedAt?: string;
  errors?: unknown[];
  config: { quick: boolean; reps: number; scenarios: string[] };
  summary: SummaryRow[];
  history?: { health?: { p50: number } };
}

const files = process.argv.slice(2).filter((a) => !a.startsWith("--"));
if (files.length === 0) {
  console.error("usage: npm run bench:scoreboard -- bench/results/bench-<time>.json ...");
  process.exit(2);
}

const scored = (row: SummaryRow) => typeof row.pass === "boolean" && !row.target.startsWith("(");
const key = (row: SummaryRow) => `${row.scenario.replace(/ \(n=\d+\)$/, "")} · ${row.metric}`;

const runs = files.map((f) => {
  const saved = JSON.parse(readFileSync(f, "utf8")) as Saved;
  const full =
    !saved.config.quick &&
    saved.config.reps >= 3 &&
    ["fanout", "rooms", "idle", "overload", "history"].every((s) => saved.config.scenarios.includes(s)) &&
    // A scenario that failed is caught and the run still writes its summary: not a full run.
    Boolean(saved.finishedAt) &&
    (saved.errors ?? []).length === 0 &&
    (saved.summary ?? []).some(scored);
  return { name: basename(f), time: saved.startedAt.slice(0, 16).replace("T", " "), full, saved };
});
// One column per run (latest.json repeats the newest), oldest first.
const counted = runs
  .filter((r, i) => r.full && runs.findIndex((o) => o.saved.startedAt === r.saved.startedAt) === i)
  .sort((a, b) => a.saved.startedAt.localeCompare(b.saved.startedAt));
const partial = runs.filter((r) => !r.full);
if (partial.length > 0) console.error(`not counted, not full runs (every scenario, 3+ repetitions, finished): ${partial.map((r) => r.name).join(", ")}`);
if (counted.length === 0) process.exit(2);

// Targets in the order the newest run prints them.
const keys: string[] = [];
for (const run of [...counted].reverse()) for (const row of run.saved.summary) if (scored(row) && !keys.includes(key(row))) keys.push(key(row));

// A ratio or a value where the target is a bound on it; "yes" where it is a condition.
const cell = (row: SummaryRow | undefined) => {
  if (!row) return "—";
  // JSON keeps NaN and Infinity as null.
  const finite = (n: number | null | undefined): n is number => typeof n === "number" && Number.isFinite(n);
  let value: string;
  if (!/^[≥≤]|^0 in/.test(row.target)) value = row.pass ? "yes" : "no";
  else if (row.ratio !== undefined) value = finite(row.ratio) ? row.ratio.toFixed(2) : "n/a";
  else if (!finite(row.hearth)) value = "n/a";
  else value = `${Number.isInteger(row.hearth) ? row.hearth : row.hearth.toFixed(1)}${row.unit === "ms" ? " ms" : ""}`;
  return row.pass ? value : `**${value}** ✗`;
};

const lines = [
  `| target | ${counted.map((r) => r.time.slice(5)).join(" | ")} | met |`,
  `|---|${counted.map(() => "---:").join("|")}|---:|`,
  `| (machine: \`GET /health\` p50) | ${counted.map((r) => (r.saved.history?.health ? `${r.saved.history.health.p50.toFixed(1)} ms` : "—")).join(" | ")} | |`,
];
for (const k of keys) {
  const rows = counted.map((r) => r.saved.summary.find((row) => scored(row) && key(row) === k));
  const target = rows.find(Boolean)!.target;
  const met = rows.filter((row) => row?.pass).length;
  lines.push(`| ${k} (${target}) | ${rows.map(cell).join(" | ")} | ${met} of ${rows.filter(Boolean).length} |`);
}
const all = counted.map((r) => r.saved.summary.filter(scored));
lines.push(`| **targets met in the run** | ${all.map((rows) => `${rows.filter((row) => row.pass).length} of ${rows.length}`).join(" | ")} | |`);
console.log(lines.join("\n"));
