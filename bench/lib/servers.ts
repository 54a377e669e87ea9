/**
 * Starting and stopping what the bench measures: Hearth and the ceiling worker in
 * bench/ceiling/, each under its own `wrangler dev` on a free loopback port with fresh state,
 * started and stopped by test/support/wrangler.ts (SIGINT to wrangler's process group). Also: memory of a server's
 * process group, and a registry so that every server started is stopped on exit or Ctrl-C.
 */
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT, WRANGLER, WRANGLER_ENV, startHearth } from "../../test/support/wrangler.ts";

export { ROOT };
const CEILING_CONFIG = join(ROOT, "bench/ceiling/wrangler.toml");
const ENV = {
  ...WRANGLER_ENV,
  // wrangler dev's local tracing (on by default) streams every invocation and its storage and
  // D1 calls as spans to a collector worker in the same runtime; production has no such thing.
  X_LOCAL_OBSERVABILITY: process.env.X_LOCAL_OBSERVABILITY ?? "false",
};

/** Whether wrangler dev's local tracing runs (off by default in the bench; see BENCHMARKS.md). */
export function setDevTracing(on: boolean) {
  ENV.X_LOCAL_OBSERVABILITY = on ? "true" : "false";
}
export const devTracing = () => ENV.X_LOCAL_OBSERVABILITY === "true";

export interface Server {
  kind: "hearth" | "ceiling";
  url: string;
  port: number;
  stateDir: string;
  /** wrangler's process group (wrangler, its Node, both workerd processes). */
  pgid: number;
  stop(): Promise<void>;
  output(): string;
}

const running = new Set<Server>();
export const runningServers = running;
const tempDirs = new Set<string>();

/** Stops every server still running (SIGINT to each process group) and removes temp state. */
export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((s) => s.stop().catch(() => undefined)));
  for (const d of tempDirs) rmSync(d, { recursive: true, force: true });
  tempDirs.clear();
}

let handlersInstalled = false;
/** On Ctrl-C, SIGTERM or SIGHUP: stop every server first, then exit. */
export function installSignalHandlers() {
  if (handlersInstalled) return;
  handlersInstalled = true;
  for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.once(sig, () => {
      console.error(`\n${sig}: stopping every server the bench started...`);
      void stopAll().finally(() => process.exit(130));
    });
  }
}

export function tempDir(prefix: string): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.add(d);
  return d;
}

/** Snapshots made so far, by the checkout they were made from. */
const snapshots = new Map<string, string>();
/** The snapshot of this checkout (profiles read its bundle). */
let snapshot: string | null = null;
/**
 * A frozen copy of Hearth to run: `wrangler deploy --dry-run` bundles worker/ once into a
 * temp folder, with a copy of wrangler.toml pointing at that bundle (and at copies of the
 * built client and the migrations). wrangler dev watches its sources and restarts the worker
 * when one changes ("Your worker restarted mid-request"), so running the working tree
 * directly would let an edit elsewhere in the repo restart Hearth in the middle of a run.
 */
export function hearthSnapshot(root = ROOT): string {
  const made = snapshots.get(root);
  if (made) return made;
  const dir = tempDir("hearth-bench-snapshot-");
  const out = join(dir, "bundle");
  const b = spawnSync(WRANGLER, ["deploy", "--dry-run", "--outdir", out], { cwd: root, env: ENV, encoding: "utf8" });
  if (b.status !== 0) throw new Error(`wrangler deploy --dry-run failed:\n${b.stdout}\n${b.stderr}`);
  const main = readdirSync(out).find((f) => /^index\.m?js$/.test(f)) ?? readdirSync(out).find((f) => /\.m?js$/.test(f));
  if (!main) throw new Error(`no bundle in ${out}`);
  cpSync(join(root, "migrations"), join(dir, "migrations"), { recursive: true });
  mkdirSync(join(dir, "client"));
  if (existsSync(join(root, "dist/client"))) cpSync(join(root, "dist/client"), join(dir, "client"), { recursive: true });
  let toml = readFileSync(join(root, "wrangler.toml"), "utf8");
  toml = toml
    .replace(/^main\s*=.*$/m, `main = "bundle/${main}"\nno_bundle = true`)
    .replace(/^directory\s*=.*$/m, `directory = "client"`)
    .replace(/^migrations_dir\s*=.*$/m, `migrations_dir = "migrations"`);
  writeFileSync(join(dir, "wrangler.toml"), toml);
  // The same worker without its [assets] section: no static-asset router in front of it (idle, info only).
  const withoutAssets = toml.replace(/^\[assets\]\n(?:(?!\[).*\n)*/m, "");
  if (withoutAssets === toml) throw new Error("wrangler.toml: no [assets] section found to leave out");
  writeFileSync(join(dir, "wrangler.no-assets.toml"), withoutAssets);
  snapshots.set(root, dir);
  if (root === ROOT) snapshot = dir;
  return dir;
}

/** The text of line `line` (1-based) of the snapshot's bundle, for profiles. */
export function snapshotLine(file: string, line: number): string | undefined {
  if (!snapshot) return undefined;
  try {
    return readFileSync(join(snapshot, "bundle", file), "utf8").split("\n")[line - 1];
  } catch {
    return undefined;
  }
}

const templates = new Map<string, string>();
/** A state directory with the D1 migrations of the checkout at `root` applied, copied (faster than migrating each time). */
function migratedState(root = ROOT): string {
  let template = templates.get(root);
  if (!template) {
    template = tempDir("hearth-bench-template-");
    templates.set(root, template);
    const m = spawnSync(WRANGLER, ["d1", "migrations", "apply", "DB", "--local", "-c", join(hearthSnapshot(root), "wrangler.toml"), "--persist-to", template], {
      cwd: ROOT,
      env: ENV,
      encoding: "utf8",
      input: "y\n",
    });
    if (m.status !== 0) throw new Error(`migrations failed:\n${m.stdout}\n${m.stderr}`);
  }
  const dir = tempDir("hearth-bench-state-");
  cpSync(template, dir, { recursive: true });
  return dir;
}

function pgidOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // pid (comm) state ppid pgrp ...: comm may hold spaces, so split after the last ')'.
  const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return Number(rest[2]);
}

export interface GroupMemory {
  /** Sum of VmRSS over every process of the group, bytes. */
  total: number;
  /** Per process: the workerd serving the code (runtime), wrangler's proxy workerd, and Node. */
  processes: { pid: number; name: string; role: string; rss: number }[];
}

/** RSS of every process whose process group is `pgid` (read from /proc/<pid>/status). */
export function groupMemory(pgid: number): GroupMemory {
  const processes: GroupMemory["processes"] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    try {
      if (pgidOf(pid) !== pgid) continue;
      const status = readFileSync(`/proc/${pid}/status`, "utf8");
      const rss = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
      const cmd = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
      const exe = cmd[0]?.split("/").pop() ?? "?";
      let role = exe;
      if (exe === "workerd") role = cmd.some((a) => a.startsWith("--inspector-addr")) ? "workerd (runtime)" : "workerd (proxy)";
      else if (exe === "node") role = "node (wrangler)";
      processes.push({ pid, name: exe, role, rss });
    } catch {
      // exited meanwhile
    }
  }
  return { total: processes.reduce((a, p) => a + p.rss, 0), processes };
}

installSignalHandlers();

/**
 * Hearth (the snapshot above) under wrangler dev with fresh, migrated state and `vars`.
 * `assets: false` leaves out the [assets] section (the client), and with it the static-asset
 * router that wrangler puts in front of the worker. `root`: another checkout of Hearth (the
 * ab scenario's base), snapshotted the same way.
 */
export async function startHearthServer(vars: Record<string, string>, stateDir?: string, opts: { assets?: boolean; root?: string } = {}): Promise<Server> {
  const config = join(hearthSnapshot(opts.root), opts.assets === false ? "wrangler.no-assets.toml" : "wrangler.toml");
  const dir = stateDir ?? migratedState(opts.root);
  return startWrangler("hearth", config, dir, { JWT_SECRET: randomBytes(32).toString("base64url"), ...vars });
}

/**
 * The ceiling worker (bench/ceiling/) under its own wrangler dev. `assets: true` serves a
 * one-file static folder beside it with `run_worker_first = true`, as Hearth's config does:
 * the same static-asset router in front of the same bare worker (idle, info only).
 */
export async function startCeiling(opts: { assets?: boolean } = {}): Promise<Server> {
  let config = CEILING_CONFIG;
  if (opts.assets) {
    const dir = tempDir("hearth-bench-ceiling-assets-");
    mkdirSync(join(dir, "public"));
    writeFileSync(join(dir, "public/index.html"), "<!doctype html><title>ceiling</title>\n");
    const toml = readFileSync(CEILING_CONFIG, "utf8").replace(/^main\s*=.*$/m, `main = ${JSON.stringify(join(ROOT, "bench/ceiling/worker.ts"))}`);
    writeFileSync(join(dir, "wrangler.toml"), `${toml}\n[assets]\ndirectory = "public"\nrun_worker_first = true\n`);
    config = join(dir, "wrangler.toml");
  }
  return startWrangler("ceiling", config, tempDir("hearth-bench-ceiling-"), {});
}

/** `wrangler dev` for any config, started and stopped by test/support/wrangler.ts, and registered here. */
async function startWrangler(kind: Server["kind"], config: string, stateDir: string, vars: Record<string, string>): Promise<Server> {
  let server: Server | null = null;
  try {
    await startHearth({
      config,
      stateDir,
      vars,
      migrate: false,
      env: { X_LOCAL_OBSERVABILITY: ENV.X_LOCAL_OBSERVABILITY },
      // Registered as soon as it runs, so that Ctrl-C during start-up stops it too.
      onSpawn: (h) => {
        const registered: Server = {
          kind,
          url: h.url,
          port: h.port,
          stateDir,
          pgid: h.pid,
          output: h.output,
          stop: async () => {
            running.delete(registered);
            await h.stop();
          },
        };
        server = registered;
        running.add(registered);
      },
    });
  } catch (err) {
    await (server as Server | null)?.stop();
    throw new Error(`${kind}: ${err instanceof Error ? err.message : String(err)}`);
  }
  return server!;
}

export interface GroupCpu {
  /** CPU milliseconds (user + system) by role, summed over the group's processes. */
  byRole: Record<string, number>;
  total: number;
}

/** CPU time used so far by every process of the group (from /proc/<pid>/stat). */
export function groupCpu(pgid: number): GroupCpu {
  const byRole: Record<string, number> = {};
  let total = 0;
  for (const p of groupMemory(pgid).processes) {
    try {
      const stat = readFileSync(`/proc/${p.pid}/stat`, "utf8");
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      // fields after comm: state(0) ... utime(11) stime(12), in clock ticks (100 per second)
      const ms = ((Number(f[11]) + Number(f[12])) * 1000) / 100;
      byRole[p.role] = (byRole[p.role] ?? 0) + ms;
      total += ms;
    } catch {
      // exited
    }
  }
  return { byRole, total };
}

export function cpuDelta(before: GroupCpu, after: GroupCpu): GroupCpu {
  const byRole: Record<string, number> = {};
  for (const [k, v] of Object.entries(after.byRole)) byRole[k] = v - (before.byRole[k] ?? 0);
  return { byRole, total: after.total - before.total };
}
