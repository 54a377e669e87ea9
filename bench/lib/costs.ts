/**
 * The costs scenario (issue 20, item 4): the three per-object costs that the model of a room
 * larger than one object is built from (bench/model/big-room.ts, BENCHMARKS.md "Rooms larger
 * than one object"), each as server CPU over a run's window divided by a count:
 *
 *   per message   the room object's own work for one accepted message: Hearth, the SQLite
 *                 floor and the bare ceiling in one room with 1 sender and 4 receivers, minus
 *                 their 5 sends (4 deliveries + the ack / echo) at the per-delivery cost;
 *   per delivery  one ws.send of a frame padded to `pad` bytes to a hibernatable socket: the
 *                 bare ceiling at 100 and 500 receivers (1 sender), the difference over 400;
 *   per forward   one DO→DO RPC `forward(frames)` (both ends, the shard's dispatch included):
 *                 ForwardRoom with K = 1, 2, 4, 8 ShardRooms of 1 socket each (1 sender, so one
 *                 call per message and shard, no batching), the least-squares slope over K
 *                 minus one delivery; and per extra frame in a batch: K = 8 with F (31) filler
 *                 frames in every call against none, the difference over 8 × F.
 *
 * Every Durable Object runs in the one workerd process of `wrangler dev` (the "runtime"), so
 * the operating system cannot split CPU per object: the runs differ in one thing each, and the
 * differences are the costs. Each cost is given for the runtime alone (what the objects
 * themselves run) and for the whole server process group (+ wrangler's proxy workerd, which
 * carries every socket's bytes between the client and the runtime, + wrangler's Node): a
 * production edge does the proxy's job outside the object. One sender, closed loop (the next
 * message after the previous ack), so the objects are never saturated: costs at low load.
 */
import { startCeiling, startHearthServer, type Server } from "./servers.ts";
import { median, sleep } from "./stats.ts";
import { CeilingTarget, ForwardTarget, HearthTarget, type Target } from "./targets.ts";
import { runTraffic, type TrafficResult } from "./traffic.ts";

export interface CostsRun {
  label: string;
  receivers: number;
  shards?: number;
  filler?: number;
  traffic: TrafficResult;
  /** ForwardRoom's counters over the whole run (warm-up and drain included). */
  forwardStats?: { messages: number; calls: number; frames: number };
}

/** CPU µs, by where it was spent. */
export interface Split {
  runtime: number;
  proxy: number;
  total: number;
}

export interface CostsDerived {
  perDeliveryUs: Split;
  perForwardUs: Split;
  perBatchFrameUs: Split;
  perMessageUs: { hearth: Split; floor: Split; ceiling: Split };
  /** The intercept of the forward fit: the room object's per-message work with K = 0, and its one echo. */
  forwardInterceptUs: Split;
}

export interface CostsResult {
  options: { pad: number; shards: number[]; filler: number; durationS: number; hearthAssets: false; references: "bare" };
  reps: { rep: number; runs: CostsRun[]; derived: CostsDerived; loadavg: number[] }[];
  /** Medians over the reps, with min and max. */
  summary: Record<string, { median: number; min: number; max: number }>;
}

const ROLES = { runtime: "workerd (runtime)", proxy: "workerd (proxy)", total: "server total" } as const;
const us = (r: TrafficResult): Split => ({
  runtime: r.cpuUsPerMsg[ROLES.runtime] ?? NaN,
  proxy: r.cpuUsPerMsg[ROLES.proxy] ?? NaN,
  total: r.cpuUsPerMsg[ROLES.total] ?? NaN,
});
const map = (f: (k: keyof Split) => number): Split => ({ runtime: f("runtime"), proxy: f("proxy"), total: f("total") });

/** Least-squares slope and intercept of y over x. */
export function fit(x: number[], y: number[]): { slope: number; intercept: number } {
  const n = x.length;
  const mx = x.reduce((a, b) => a + b, 0) / n;
  const my = y.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i]! - mx) * (y[i]! - my);
    sxx += (x[i]! - mx) ** 2;
  }
  const slope = sxy / sxx;
  return { slope, intercept: my - slope * mx };
}

export function deriveCosts(runs: CostsRun[], o: { shards: number[]; filler: number }): CostsDerived {
  const get = (label: string) => {
    const r = runs.find((x) => x.label === label);
    if (!r) throw new Error(`costs: no run ${label}`);
    return us(r.traffic);
  };
  const b100 = get("ceiling 100");
  const b500 = get("ceiling 500");
  const d = map((k) => (b500[k] - b100[k]) / 400);
  const fw = o.shards.map((k) => get(`forward K=${k}`));
  const lines = map((k) => {
    const f = fit(o.shards, fw.map((s) => s[k]));
    return f.slope;
  });
  const intercept = map((k) => fit(o.shards, fw.map((s) => s[k])).intercept);
  const kMax = Math.max(...o.shards);
  const withFiller = get(`forward K=${kMax} +${o.filler} filler`);
  const plain = get(`forward K=${kMax}`);
  const perMsg = (label: string) => {
    const r = get(label);
    return map((k) => r[k] - 5 * d[k]);
  };
  return {
    perDeliveryUs: d,
    perForwardUs: map((k) => lines[k] - d[k]),
    perBatchFrameUs: map((k) => (withFiller[k] - plain[k]) / (kMax * o.filler)),
    perMessageUs: { hearth: perMsg("hearth 4"), floor: perMsg("floor 4"), ceiling: perMsg("ceiling 4") },
    forwardInterceptUs: intercept,
  };
}

function flatten(d: CostsDerived): Record<string, number> {
  const out: Record<string, number> = {};
  const put = (name: string, s: Split) => {
    for (const k of ["runtime", "proxy", "total"] as const) out[`${name} (${k})`] = s[k];
  };
  put("per delivery", d.perDeliveryUs);
  put("per forward", d.perForwardUs);
  put("per extra frame in a batch", d.perBatchFrameUs);
  put("per message, Hearth", d.perMessageUs.hearth);
  put("per message, floor", d.perMessageUs.floor);
  put("per message, ceiling", d.perMessageUs.ceiling);
  put("forward fit intercept", d.forwardInterceptUs);
  return out;
}

export async function runCosts(
  o: { reps: number; durationMs: number; warmupMs: number; pad: number; shards: number[]; filler: number; hearthVars: Record<string, string> },
  log: (s: string) => void,
  describe: (r: TrafficResult) => string,
  onRun: () => void,
): Promise<CostsResult> {
  // Bare on both sides: no static-asset router in front of the sockets (production has none in the object's CPU).
  log("costs: starting Hearth (without its [assets] section) and the ceiling (bare) under wrangler dev");
  const servers: Server[] = [];
  const hearth = await startHearthServer(o.hearthVars, undefined, { assets: false });
  servers.push(hearth);
  const ceiling = await startCeiling({ assets: false });
  servers.push(ceiling);
  const result: CostsResult = {
    options: { pad: o.pad, shards: o.shards, filler: o.filler, durationS: o.durationMs / 1000, hearthAssets: false, references: "bare" },
    reps: [],
    summary: {},
  };
  try {
    const hearthT = new HearthTarget(hearth);
    const floorT = new CeilingTarget(ceiling, "floor", () => o.pad);
    const bareT = new CeilingTarget(ceiling, "ceiling-bytes", () => o.pad);
    for (let rep = 1; rep <= o.reps; rep++) {
      const runs: CostsRun[] = [];
      const plan: { label: string; target: Target; receivers: number; shards?: number; filler?: number }[] = [
        { label: "hearth 4", target: hearthT, receivers: 4 },
        { label: "floor 4", target: floorT, receivers: 4 },
        { label: "ceiling 4", target: bareT, receivers: 4 },
        { label: "ceiling 100", target: bareT, receivers: 100 },
        { label: "ceiling 500", target: bareT, receivers: 500 },
      ];
      // The forward runs in ascending K on odd reps, descending on even ones (no drift bias in the slope).
      const ks = rep % 2 ? o.shards : [...o.shards].reverse();
      for (const k of ks) plan.push({ label: `forward K=${k}`, target: new ForwardTarget(ceiling, k, 0, o.pad), receivers: k, shards: k });
      const kMax = Math.max(...o.shards);
      plan.push({ label: `forward K=${kMax} +${o.filler} filler`, target: new ForwardTarget(ceiling, kMax, o.filler, o.pad), receivers: kMax, shards: kMax, filler: o.filler });
      for (const p of plan) {
        log(`costs rep ${rep}/${o.reps}: ${p.label} (1 sender, ${p.receivers} receivers)`);
        const target = p.target;
        const traffic = await runTraffic(target, { rooms: 1, sendersPerRoom: 1, receiversPerRoom: p.receivers, durationMs: o.durationMs, warmupMs: o.warmupMs });
        const run: CostsRun = { label: p.label, receivers: p.receivers, traffic };
        if (p.shards !== undefined) {
          run.shards = p.shards;
          run.filler = p.filler ?? 0;
          if (target instanceof ForwardTarget && target.made[0]) run.forwardStats = await target.stats(target.made[0]);
        }
        runs.push(run);
        log(`  ${describe(traffic)}${run.forwardStats ? `; forward calls ${run.forwardStats.calls} for ${run.forwardStats.messages} messages × ${p.shards} shards, ${(run.forwardStats.frames / Math.max(1, run.forwardStats.calls)).toFixed(2)} frames per call` : ""}`);
        onRun();
        await sleep(500);
      }
      const derived = deriveCosts(runs, o);
      const loadavg = (await import("node:os")).loadavg();
      result.reps.push({ rep, runs, derived, loadavg });
      const flat = flatten(derived);
      log(`costs rep ${rep}: ${Object.entries(flat).filter(([k]) => !k.includes("(proxy)")).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(", ")} µs`);
      onRun();
    }
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
  }
  const flats = result.reps.map((r) => flatten(r.derived));
  for (const key of Object.keys(flats[0] ?? {})) {
    const v = flats.map((f) => f[key]!);
    result.summary[key] = { median: median(v), min: Math.min(...v), max: Math.max(...v) };
  }
  return result;
}
