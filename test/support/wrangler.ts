/**
 * Starts Hearth under `wrangler dev` for tests and benchmarks that need a real server:
 * a free port, its own state directory, migrations applied, no network, no account.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export const ROOT = resolve(import.meta.dirname, "../..");
export const WRANGLER = join(ROOT, "node_modules/.bin/wrangler");
/** The environment every wrangler command runs with: no metrics, no colour, the project's Node first. */
export const WRANGLER_ENV = {
  ...process.env,
  WRANGLER_SEND_METRICS: "false",
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
  NO_COLOR: "1",
  // node_modules/.bin first: wrangler needs the Node 22 that the `node` package installs there.
  PATH: `${join(ROOT, "node_modules/.bin")}:${process.env.PATH ?? ""}`,
};

export function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.once("error", fail);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === "object" && addr ? ok(addr.port) : fail(new Error("no port"))));
    });
  });
}

export interface Hearth {
  url: string;
  port: number;
  stateDir: string;
  /** wrangler's process group (wrangler, its Node, both workerd processes). */
  pid: number;
  /** SIGINT to wrangler's process group (SIGTERM leaves workerd orphans); SIGKILL simulates a crash. */
  stop(signal?: "SIGINT" | "SIGKILL"): Promise<void>;
  /** Deletes the state directory (after stop). */
  removeState(): void;
  output(): string;
}

export interface StartOptions {
  stateDir?: string;
  port?: number;
  vars?: Record<string, string>;
  /** Apply migrations first (default true). */
  migrate?: boolean;
  /** Another wrangler config than Hearth's (the bench's ceiling worker, a bundled snapshot). */
  config?: string;
  /** Extra environment for wrangler. */
  env?: Record<string, string>;
  /** Called once the process is spawned, before it answers: `stop()` already works. */
  onSpawn?: (server: Hearth) => void;
}

/** Starts `wrangler dev` and resolves once GET /health answers. */
export async function startHearth(options: StartOptions = {}): Promise<Hearth> {
  const stateDir = options.stateDir ?? mkdtempSync(join(tmpdir(), "hearth-state-"));
  const env = { ...WRANGLER_ENV, ...options.env };
  if (options.migrate !== false) {
    const m = spawnSync(WRANGLER, ["d1", "migrations", "apply", "DB", "--local", "--persist-to", stateDir], {
      cwd: ROOT,
      env,
      encoding: "utf8",
      input: "y\n",
    });
    if (m.status !== 0) throw new Error(`migrations failed:\n${m.stdout}\n${m.stderr}`);
  }
  // A free port can be taken by someone else between freePort() and wrangler's bind: retry.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(options, stateDir, env, options.port ?? (await freePort()));
    } catch (err) {
      if (options.port !== undefined || attempt >= 4 || !/Address already in use/.test(String(err))) throw err;
    }
  }
}

async function startOnce(options: StartOptions, stateDir: string, env: NodeJS.ProcessEnv, port: number): Promise<Hearth> {
  // Sign-up open, as `npm start` runs it: the tests sign up whoever they need (docs/admin.md).
  const vars = { JWT_SECRET: randomBytes(32).toString("base64url"), SIGNUP_MODE: "open", ...options.vars };
  // A free inspector port too: two wrangler dev at once would both want 9229.
  const inspectorPort = await freePort();
  const args = ["dev", "--port", String(port), "--ip", "127.0.0.1", "--inspector-port", String(inspectorPort), "--persist-to", stateDir];
  if (options.config) args.push("-c", options.config);
  args.push("--show-interactive-dev-session=false", "--log-level", "warn");
  for (const [k, v] of Object.entries(vars)) args.push("--var", `${k}:${v}`);
  const child: ChildProcess = spawn(WRANGLER, args, { cwd: ROOT, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  child.stdout?.on("data", (d) => (log += d));
  child.stderr?.on("data", (d) => (log += d));
  const exited = new Promise<void>((ok) => child.once("exit", () => ok()));

  const hearth: Hearth = {
    url: `http://127.0.0.1:${port}`,
    port,
    stateDir,
    pid: child.pid!,
    output: () => log,
    removeState: () => rmSync(stateDir, { recursive: true, force: true }),
    async stop(signal = "SIGINT") {
      if (child.exitCode !== null || child.signalCode !== null) return;
      try {
        process.kill(-child.pid!, signal);
      } catch {
        return;
      }
      const timer = setTimeout(() => {
        try {
          process.kill(-child.pid!, "SIGKILL");
        } catch {
          // gone
        }
      }, 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
  options.onSpawn?.(hearth);

  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited (${child.exitCode}):\n${log}`);
    try {
      const res = await fetch(`${hearth.url}/health`, { signal: AbortSignal.timeout(2000) });
      if (res.ok) return hearth;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await hearth.stop("SIGKILL");
      throw new Error(`wrangler dev did not answer /health within 60 s:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}
