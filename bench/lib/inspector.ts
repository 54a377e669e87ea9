/**
 * CPU profiles of the workerd that runs a server's code, through its V8 inspector (the
 * `--inspector-addr` wrangler gives the runtime workerd). Used by `--profile` to say where
 * a scenario's time goes: self time per function, grouped by file.
 */
import { readFileSync, readdirSync, readlinkSync } from "node:fs";
import WebSocket from "ws";

/** TCP ports that process `pid` listens on (from /proc/net/tcp and its fd table). */
function listeningPorts(pid: number): number[] {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) inodes.add(m[1]!);
    } catch {
      // closed meanwhile
    }
  }
  const ports: number[] = [];
  for (const line of readFileSync("/proc/net/tcp", "utf8").split("\n").slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 10 || f[3] !== "0A") continue; // 0A = LISTEN
    if (inodes.has(f[9]!)) ports.push(parseInt(f[1]!.split(":")[1]!, 16));
  }
  return ports;
}

export interface ProfileSummary {
  totalMs: number;
  idleMs: number;
  /** Self time by function (name file:line), highest first. */
  functions: { fn: string; ms: number; pct: number }[];
  /** Self time by file (or category: (garbage collector), (program), (idle)). */
  files: { file: string; ms: number; pct: number }[];
  /** Self time by source line (native calls such as SQL and socket sends count on the line that calls them). */
  lines: { at: string; ms: number; pct: number; text?: string }[];
  /** Self time of native functions (SQL `exec`, socket `send`...) by the JS function that called them. */
  natives: { call: string; ms: number; pct: number }[];
}

export class Profiler {
  private ws!: WebSocket;
  private id = 0;
  private pending = new Map<number, (v: any) => void>();

  /**
   * Connects to wrangler's inspector proxy (served by the proxy workerd of the process
   * group `pids`; the runtime's own inspector allows one session, which wrangler holds).
   */
  static async attach(pids: number[]): Promise<Profiler> {
    for (const pid of pids) {
      for (const port of listeningPorts(pid)) {
        let list: { webSocketDebuggerUrl?: string }[];
        try {
          list = (await (await fetch(`http://127.0.0.1:${port}/json/list`, { signal: AbortSignal.timeout(1000) })).json()) as typeof list;
        } catch {
          continue; // not an inspector
        }
        const target = Array.isArray(list) ? list.find((t) => t.webSocketDebuggerUrl?.endsWith("/ws")) : undefined;
        if (!target) continue;
        const p = new Profiler();
        p.ws = new WebSocket(target.webSocketDebuggerUrl!.replace("localhost", "127.0.0.1"), { perMessageDeflate: false });
        await new Promise((ok, fail) => {
          p.ws.once("open", ok);
          p.ws.once("error", fail);
        });
        p.ws.on("message", (d: Buffer) => {
          const msg = JSON.parse(d.toString());
          // Answers carry our id (the proxy also echoes `method`, and may omit `result`).
          if (typeof msg.id === "number") p.pending.get(msg.id)?.(msg);
        });
        // The proxy connects to the runtime on demand; give it a moment.
        await new Promise((r) => setTimeout(r, 1000));
        return p;
      }
    }
    throw new Error(`no inspector proxy found among pids ${pids.join(", ")}`);
  }

  private call(method: string, params: object = {}): Promise<any> {
    const id = ++this.id;
    return new Promise((ok, fail) => {
      const timer = setTimeout(() => fail(new Error(`inspector: no answer to ${method}`)), 30_000);
      this.pending.set(id, (v) => {
        clearTimeout(timer);
        if (v.error) fail(new Error(`inspector: ${method}: ${v.error.message}`));
        else ok(v);
      });
      this.ws.send(JSON.stringify({ id, method, params }));
    });
  }

  async start(intervalUs = 500) {
    await this.call("Profiler.enable");
    await this.call("Profiler.setSamplingInterval", { interval: intervalUs });
    await this.call("Profiler.start");
  }

  async stop(source?: LineSource): Promise<ProfileSummary> {
    const res = await this.call("Profiler.stop");
    this.ws.close();
    return summarize(res.result.profile, source);
  }
}

interface CpuNode {
  id: number;
  children?: number[];
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  positionTicks?: { line: number; ticks: number }[];
}

/** Source text for `file:line` of the profiled bundle, when the caller can find the file. */
export type LineSource = (file: string, line: number) => string | undefined;

function summarize(profile: { nodes: CpuNode[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number }, source?: LineSource): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = (profile.timeDeltas[i + 1] ?? 0) / 1000;
    self.set(profile.samples[i]!, (self.get(profile.samples[i]!) ?? 0) + dt);
  }
  const totalMs = (profile.endTime - profile.startTime) / 1000;
  const fns = new Map<string, number>();
  const files = new Map<string, number>();
  let idleMs = 0;
  for (const [id, ms] of self) {
    const n = byId.get(id)!;
    const { functionName, url, lineNumber } = n.callFrame;
    if (functionName === "(idle)") idleMs += ms;
    const file = url ? url.replace(/^.*\//, "") : functionName || "(anonymous)";
    const key = `${functionName || "(anonymous)"} ${url ? `${file}:${lineNumber + 1}` : ""}`.trim();
    fns.set(key, (fns.get(key) ?? 0) + ms);
    files.set(file, (files.get(file) ?? 0) + ms);
  }
  const busy = totalMs - idleMs || 1;
  const lines = new Map<string, number>();
  for (const [id, ms] of self) {
    const n = byId.get(id)!;
    const ticks = n.positionTicks ?? [];
    const total = ticks.reduce((a, t) => a + t.ticks, 0);
    if (!n.callFrame.url || total === 0) continue;
    const file = n.callFrame.url.replace(/^.*\//, "");
    for (const t of ticks) {
      const key = `${file}:${t.line}`;
      lines.set(key, (lines.get(key) ?? 0) + (ms * t.ticks) / total);
    }
  }
  // A native function's samples belong to whoever called it: `exec` from the insert path
  // and `exec` from the D1 copy are different costs.
  const parent = new Map<number, CpuNode>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n);
  const natives = new Map<string, number>();
  for (const [id, ms] of self) {
    const n = byId.get(id)!;
    const { functionName, url } = n.callFrame;
    if (url || !functionName || functionName.startsWith("(")) continue;
    const p = parent.get(id);
    const caller = p ? `${p.callFrame.functionName || "(anonymous)"} ${p.callFrame.url.replace(/^.*\//, "")}:${p.callFrame.lineNumber + 1}` : "?";
    const key = `${functionName} <- ${caller}`;
    natives.set(key, (natives.get(key) ?? 0) + ms);
  }
  const sorted = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]);
  return {
    totalMs,
    idleMs,
    functions: sorted(fns)
      .slice(0, 40)
      .map(([fn, ms]) => ({ fn, ms, pct: (100 * ms) / busy })),
    files: sorted(files)
      .slice(0, 20)
      .map(([file, ms]) => ({ file, ms, pct: (100 * ms) / busy })),
    lines: sorted(lines)
      .slice(0, 30)
      .map(([at, ms]) => {
        const [file, line] = at.split(":");
        return { at, ms, pct: (100 * ms) / busy, text: source?.(file!, Number(line))?.trim().slice(0, 160) };
      }),
    natives: sorted(natives)
      .slice(0, 20)
      .map(([call, ms]) => ({ call, ms, pct: (100 * ms) / busy })),
  };
}
