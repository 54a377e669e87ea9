// Checks the two size budgets CI enforces:
//  - the client's initial JavaScript (what index.html loads before any lazy import), gzip;
//  - the production worker bundle from `wrangler deploy --dry-run` (no account needed), gzip.
// Run after `npm run build`.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { gzipSync } from "node:zlib";

export const CLIENT_INITIAL_JS_BUDGET = 60 * 1024;
export const WORKER_BUNDLE_BUDGET = 350 * 1024;

const root = resolve(import.meta.dirname, "..");
const client = join(root, "dist/client");
const gz = (file) => gzipSync(readFileSync(file), { level: 9 }).length;
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
let failed = false;

if (!existsSync(join(client, "index.html"))) {
  console.error("dist/client/index.html is missing: run `npm run build` first");
  process.exit(1);
}
const html = readFileSync(join(client, "index.html"), "utf8");
const initial = [...html.matchAll(/<(?:script[^>]*\bsrc|link[^>]*rel="modulepreload"[^>]*\bhref)="([^"]+\.js)"/g)].map((m) => m[1]);
let clientTotal = 0;
for (const src of new Set(initial)) {
  const size = gz(join(client, src.replace(/^\//, "")));
  clientTotal += size;
  console.log(`  client initial ${src}: ${kb(size)} gzip`);
}
const ok1 = clientTotal > 0 && clientTotal <= CLIENT_INITIAL_JS_BUDGET;
console.log(`client initial JavaScript: ${kb(clientTotal)} gzip (budget ${kb(CLIENT_INITIAL_JS_BUDGET)}) ${ok1 ? "ok" : "OVER BUDGET"}`);
failed ||= !ok1;

const out = join(root, "dist/worker");
execFileSync(join(root, "node_modules/.bin/wrangler"), ["deploy", "--dry-run", "--outdir", out], {
  cwd: root,
  stdio: ["ignore", "ignore", "inherit"],
  env: { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false" },
});
let workerTotal = 0;
for (const f of readdirSync(out)) {
  const p = join(out, f);
  if (statSync(p).isFile() && /\.(m?js|wasm)$/.test(f)) workerTotal += gz(p);
}
const ok2 = workerTotal > 0 && workerTotal <= WORKER_BUNDLE_BUDGET;
console.log(`worker bundle (wrangler deploy --dry-run): ${kb(workerTotal)} gzip (budget ${kb(WORKER_BUNDLE_BUDGET)}) ${ok2 ? "ok" : "OVER BUDGET"}`);
failed ||= !ok2;
process.exit(failed ? 1 : 0);
