// `npm start`: one line per setup step, then wrangler dev's own output.
//   1. builds the client (vite build) into dist/client;
//   2. adds the local secrets .dev.vars lacks (scripts/dev-setup.mjs);
//   3. applies the D1 migrations to the local state in .wrangler/state;
//   4. runs wrangler dev on http://localhost:8787 until Ctrl-C.
// A step that fails prints its tool's whole output and stops here.
import { spawn, spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { prepareDevVars } from "./dev-setup.mjs";

const root = resolve(import.meta.dirname, "..");
const PORT = "8787";
const env = { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false" };

/** Runs a tool with its output captured; on failure prints that output and exits. */
function quietly(step, command, args) {
  const started = Date.now();
  const run = spawnSync(command, args, { cwd: root, env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], shell: process.platform === "win32" });
  if (run.status !== 0) {
    process.stderr.write(`${run.stdout ?? ""}${run.stderr ?? ""}${run.error ? `${run.error.message}\n` : ""}`);
    console.error(`✗ ${step} failed (${command} ${args.join(" ")}; its output is above)`);
    process.exit(1);
  }
  return { output: `${run.stdout}${run.stderr}`, seconds: ((Date.now() - started) / 1000).toFixed(1) };
}

function sizeOf(dir) {
  let bytes = 0;
  let files = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      const sub = sizeOf(path);
      bytes += sub.bytes;
      files += sub.files;
    } else {
      bytes += statSync(path).size;
      files += 1;
    }
  }
  return { bytes, files };
}

// 1. The client.
const build = quietly("client build", "vite", ["build", "--logLevel", "error"]);
const dist = sizeOf(join(root, "dist/client"));
console.log(`✓ client built in ${build.seconds} s (dist/client: ${dist.files} files, ${Math.round(dist.bytes / 1024)} KB)`);

// 2. The local secrets.
const added = prepareDevVars();
console.log(added.length ? `✓ .dev.vars created with ${added.join(", ")} (git-ignored)` : "✓ .dev.vars has its secrets");

// 3. The database.
const all = readdirSync(join(root, "migrations")).filter((f) => f.endsWith(".sql")).length;
const migrate = quietly("migrations", "wrangler", ["d1", "migrations", "apply", "DB", "--local"]);
const applied = /No migrations to apply/.test(migrate.output)
  ? 0
  : new Set(migrate.output.match(/\b\d{4}_[\w-]+\.sql\b/g) ?? []).size;
console.log(
  applied === 0
    ? `✓ migrations up to date (${all} in migrations/, local D1 in .wrangler/state)`
    : `✓ migrations applied (${applied} new of ${all}, local D1 in .wrangler/state)`,
);

// 4. The server, with its own output. Ctrl-C reaches wrangler directly (same process group);
// a SIGTERM to this script is passed on as SIGINT, which lets wrangler stop workerd cleanly.
console.log(`→ wrangler dev on http://localhost:${PORT} (Ctrl-C stops it)`);
// Sign-up is open for a local run (a deployment defaults to "invite"; docs/admin.md). An
// administrator can still change it at run time; the stored choice wins over this default.
const dev = spawn("wrangler", ["dev", "--port", PORT, "--ip", "127.0.0.1", "--var", "SIGNUP_MODE:open"], { cwd: root, env, stdio: "inherit", shell: process.platform === "win32" });
process.on("SIGINT", () => {});
process.on("SIGTERM", () => dev.kill("SIGINT"));
dev.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
