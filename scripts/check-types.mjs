// `npm run check:types`: worker-configuration.d.ts must be what `npm run types` writes today
// (wrangler.toml's bindings and vars, the secrets named in .dev.vars.example). Regenerates it,
// compares the whole file, and puts the committed copy back; on a difference prints the diff.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const root = resolve(import.meta.dirname, "..");
const file = join(root, "worker-configuration.d.ts");
const committed = readFileSync(file, "utf8");

const run = spawnSync("npm", ["run", "--silent", "types"], {
  cwd: root,
  encoding: "utf8",
  env: { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false" },
  shell: process.platform === "win32",
});
const generated = readFileSync(file, "utf8");
writeFileSync(file, committed);
if (run.status !== 0) {
  process.stderr.write(run.stdout + run.stderr);
  console.error("check:types: `npm run types` failed (output above)");
  process.exit(1);
}
if (generated !== committed) {
  const dir = mkdtempSync(join(tmpdir(), "hearth-types-"));
  writeFileSync(join(dir, "generated.d.ts"), generated);
  spawnSync("git", ["diff", "--no-index", "--no-color", "--", file, join(dir, "generated.d.ts")], { stdio: "inherit" });
  rmSync(dir, { recursive: true, force: true });
  console.error("check:types: worker-configuration.d.ts is out of date: run `npm run types` and commit it");
  process.exit(1);
}
console.log("✓ worker-configuration.d.ts is what `npm run types` writes");
