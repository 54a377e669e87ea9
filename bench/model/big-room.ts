/**
 * The model of a room larger than one object (issue 20, item 4; BENCHMARKS.md "Rooms larger
 * than one object"), and a discrete-event simulation that checks its arithmetic.
 *
 *   npm run bench:model                          # the defaults below (costs measured 2026-12-06)
 *   npm run bench:model -- --costs=bench/results/latest.json   # costs from a `--scenarios=costs` run
 *   npm run bench:model -- --online=1 --scale=2 --cpu=total --seed=7 --hop=1,5
 *
 * The room object accepts each message (validate, SQLite insert, ack: `messageUs`) and forwards
 * it to each of K shard objects by RPC, at most one call in flight per shard: frames that arrive
 * while a shard's call is out go together in its next call. A shard sends each frame of a call
 * to each of its S sockets. Every object is a single-threaded server (first come, first served).
 *
 * Costs (CPU µs, from bench/lib/costs.ts): per forward call `forwardUs` and per extra frame in a
 * call `batchFrameUs`, both measured for the two ends together and charged IN FULL to both the
 * room and the shard (conservative: the split is unknown); per socket send `deliveryUs`.
 */
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

// ---- inputs ---------------------------------------------------------------------------------

export interface Costs {
  messageUs: number;
  forwardUs: number;
  batchFrameUs: number;
  deliveryUs: number;
}

/**
 * Medians of 9 reps (three `npm run bench -- --scenarios=costs`, 2026-12-06 07:14-07:28, load
 * 2.6-9.6), runtime workerd only; BENCHMARKS.md has the spread and the whole-group figures.
 */
export const MEASURED: Costs = { messageUs: 581, forwardUs: 69, batchFrameUs: 0.6, deliveryUs: 31 };

const argv = process.argv.slice(2);
const opt = (name: string) => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);

/** Reads the costs from a bench results JSON (`results.costs.summary`, medians), runtime or whole group. */
function costsFrom(file: string, cpu: "runtime" | "total"): Costs {
  const s = JSON.parse(readFileSync(file, "utf8")).costs?.summary as Record<string, { median: number }> | undefined;
  if (!s) throw new Error(`${file}: no costs scenario in it`);
  const m = (k: string) => s[`${k} (${cpu})`]!.median;
  return { messageUs: m("per message, Hearth"), forwardUs: m("per forward"), batchFrameUs: Math.max(0, m("per extra frame in a batch")), deliveryUs: m("per delivery") };
}

const cpu = (opt("cpu") ?? "runtime") as "runtime" | "total";
const scale = Number(opt("scale") ?? 1);
const base = opt("costs") ? costsFrom(opt("costs")!, cpu) : MEASURED;
const hop = (opt("hop") ?? "1,5").split(",").map(Number) as [number, number];

export const P = {
  members: Number(opt("members") ?? 100_000),
  /** Share of members online with a socket open in the room. */
  online: Number(opt("online") ?? 0.2),
  /** Messages per second: steady, and a burst of `burstRate` for `burstS` seconds. */
  rate: Number(opt("rate") ?? 10),
  burstRate: Number(opt("burst-rate") ?? 50),
  burstS: Number(opt("burst-s") ?? 10),
  /** The busiest any object may be at the burst rate (CPU share of one thread). */
  util: Number(opt("util") ?? 0.7),
  /** One-way RPC hop between two objects in one colo, ms: uniform in [min, max]. */
  hopMs: hop,
  costs: { messageUs: base.messageUs * scale, forwardUs: base.forwardUs * scale, batchFrameUs: base.batchFrameUs * scale, deliveryUs: base.deliveryUs * scale },
  /** Cloudflare's documented limits. */
  maxSocketsPerObject: 32_768,
  softRequestsPerS: 1000,
  /** Sockets on the room object itself (default 0: every socket on a shard); each costs a delivery per message there. */
  roomSockets: Number(opt("room-sockets") ?? 0),
  /** Fixed number of shards (default: sized by the model). */
  shards: opt("shards") ? Number(opt("shards")) : null,
  seed: Number(opt("seed") ?? 1),
  steadyS: Number(opt("steady-s") ?? 600),
};

// ---- the model's arithmetic -------------------------------------------------------------------

/** p99 of the wait in a single-server queue, bounded by the M/M/1 formula (M/D/1 waits less). */
function wait99Ms(lambda: number, serviceMs: number): number {
  const rho = lambda * (serviceMs / 1000);
  if (rho >= 1) return Infinity;
  if (rho <= 0.01) return 0;
  const mu = 1000 / serviceMs;
  return (Math.log(100 * rho) / (mu - lambda)) * 1000;
}

/** At low load (under 30 % busy) the p99 wait is at most the one job ahead, when one is ahead more than 1 in 100; else the M/M/1 bound. */
function aheadMs(lambda: number, serviceMs: number): number {
  const rho = lambda * (serviceMs / 1000);
  return rho <= 0.01 ? 0 : rho < 0.3 ? serviceMs : wait99Ms(lambda, serviceMs);
}

export function model(p: typeof P) {
  const c = p.costs;
  const sockets = Math.round(p.members * p.online);
  const onShards = Math.max(0, sockets - p.roomSockets);
  // A shard at the burst rate: rate × (one call + S sends) ≤ util (one call per message: no batching assumed).
  const byCpu = Math.floor((p.util / p.burstRate - c.forwardUs / 1e6) / (c.deliveryUs / 1e6));
  const perShardMax = Math.min(p.maxSocketsPerObject, byCpu);
  const K = p.shards ?? Math.ceil(onShards / perShardMax);
  const S = Math.ceil(onShards / K);
  const shardServiceMs = (c.forwardUs + S * c.deliveryUs) / 1000;
  const roomMessageUs = c.messageUs + p.roomSockets * c.deliveryUs;
  const roomServiceMs = (roomMessageUs + K * c.forwardUs) / 1000;
  // One message alone: the room's work, its K calls one after another (the last shard gets the
  // last call), the hop (mean, or the longest for the p99), the last shard's call and sends.
  const aloneMs = roomServiceMs + (p.hopMs[0] + p.hopMs[1]) / 2 + shardServiceMs;
  const aloneMaxHopMs = roomServiceMs + p.hopMs[1] + shardServiceMs;
  const rttMs = 2 * p.hopMs[1] + shardServiceMs;
  const at = (rate: number) => ({
    rate,
    roomUtil: rate * (roomServiceMs / 1000),
    shardUtil: rate * (shardServiceMs / 1000),
    roomCallsPerS: rate * K,
    shardRequestsPerS: rate,
    // Steady (low load): a message may find the one before it still at the room, and the one
    // before's call to a shard still out; if either happens to more than 1 in 100, its p99 waits
    // for that one (the room's work for a message; a call's round trip: both hops + the shard).
    p99Ms: aloneMaxHopMs + aheadMs(rate, roomServiceMs) + aheadMs(rate, rttMs),
    // A burst: the shard's queue (its calls back to back), bounded by M/M/1 on its per-message work.
    p99BoundMs: aloneMaxHopMs + wait99Ms(rate, roomServiceMs) + wait99Ms(rate, shardServiceMs),
  });
  return { sockets, byCpu, perShardMax, K, S, shardServiceMs, roomServiceMs, aloneMs, aloneMaxHopMs, rttMs, steady: at(p.rate), burst: at(p.burstRate) };
}

// ---- the simulation -------------------------------------------------------------------------

/** mulberry32: a small seeded PRNG. */
function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A binary min-heap of timed events. */
class Events<T> {
  private h: { t: number; n: number; v: T }[] = [];
  private n = 0;
  get size() {
    return this.h.length;
  }
  push(t: number, v: T) {
    const h = this.h;
    h.push({ t, n: this.n++, v });
    for (let i = h.length - 1; i > 0; ) {
      const j = (i - 1) >> 1;
      if (h[j]!.t < h[i]!.t || (h[j]!.t === h[i]!.t && h[j]!.n < h[i]!.n)) break;
      [h[i], h[j]] = [h[j]!, h[i]!];
      i = j;
    }
  }
  pop(): { t: number; v: T } {
    const h = this.h;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length) {
      h[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        const less = (a: number, b: number) => h[a]!.t < h[b]!.t || (h[a]!.t === h[b]!.t && h[a]!.n < h[b]!.n);
        if (l < h.length && less(l, m)) m = l;
        if (r < h.length && less(r, m)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }
}

type Ev = { kind: "arrive"; msg: number } | { kind: "call"; shard: number; frames: number[] } | { kind: "return"; shard: number };

/**
 * Simulates `seconds` of Poisson arrivals at `rateAt(t)` msgs/s through the room and K shards
 * (times in ms). Returns every message's fan-out latency: arrival at the room → its frame sent
 * to the last socket of the last shard.
 */
export function simulate(p: typeof P, K: number, S: number, seconds: number, rateAt: (tMs: number) => number, seed: number) {
  const rnd = prng(seed);
  const c = p.costs;
  const ms = (us: number) => us / 1000;
  const hopMs = () => p.hopMs[0] + rnd() * (p.hopMs[1] - p.hopMs[0]);
  const ev = new Events<Ev>();
  // Arrivals: a Poisson process with a piecewise-constant rate (thinning against the highest rate).
  const peak = Math.max(p.rate, p.burstRate);
  const arrivals: number[] = [];
  for (let t = 0; ; ) {
    t += (-Math.log(1 - rnd()) / peak) * 1000;
    if (t >= seconds * 1000) break;
    if (rnd() < rateAt(t) / peak) arrivals.push(t);
  }
  arrivals.forEach((t, msg) => ev.push(t, { kind: "arrive", msg }));
  const left = new Int32Array(arrivals.length).fill(K);
  const done = new Float64Array(arrivals.length);
  // The room: one thread; its jobs run in the order they arrive.
  let roomFree = 0;
  let roomBusyMs = 0;
  const pending: number[][] = Array.from({ length: K }, () => []);
  const busy = new Uint8Array(K);
  let calls = 0;
  let frames = 0;
  const shardFree = new Float64Array(K);
  let shardBusyMs = 0;
  /** The room sends shard k its pending frames as one call, starting at `t`; returns when the room is done with it. */
  const send = (k: number, t: number): number => {
    const batch = pending[k]!;
    pending[k] = [];
    busy[k] = 1;
    calls += 1;
    frames += batch.length;
    const end = t + ms(c.forwardUs + (batch.length - 1) * c.batchFrameUs);
    ev.push(end + hopMs(), { kind: "call", shard: k, frames: batch });
    return end;
  };
  while (ev.size) {
    const { t, v } = ev.pop();
    if (v.kind === "arrive") {
      let now = Math.max(t, roomFree) + ms(c.messageUs + p.roomSockets * c.deliveryUs);
      for (let k = 0; k < K; k++) {
        pending[k]!.push(v.msg);
        if (!busy[k]) now = send(k, now);
      }
      roomBusyMs += now - Math.max(t, roomFree);
      roomFree = now;
    } else if (v.kind === "call") {
      const k = v.shard;
      let now = Math.max(t, shardFree[k]!) + ms(c.forwardUs + (v.frames.length - 1) * c.batchFrameUs);
      for (const m of v.frames) {
        now += ms(S * c.deliveryUs);
        if (now > done[m]!) done[m] = now;
        left[m]! -= 1;
      }
      shardBusyMs += now - Math.max(t, shardFree[k]!);
      shardFree[k] = now;
      ev.push(now + hopMs(), { kind: "return", shard: k });
    } else {
      const k = v.shard;
      busy[k] = 0;
      if (pending[k]!.length) {
        const start = Math.max(t, roomFree);
        const end = send(k, start);
        roomBusyMs += end - start;
        roomFree = end;
      }
    }
  }
  const latency = arrivals.map((a, m) => done[m]! - a);
  if (left.some((x) => x !== 0)) throw new Error("simulation: a frame never reached a shard");
  return { arrivals, latency, calls, frames, roomUtil: roomBusyMs / (seconds * 1000), shardUtil: shardBusyMs / K / (seconds * 1000) };
}

function pct(values: number[], q: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))] ?? NaN;
}

// ---- output ---------------------------------------------------------------------------------

const f = (n: number, d = 1) => (Number.isFinite(n) ? n.toFixed(d) : "∞");

export function report(p: typeof P) {
  const m = model(p);
  const c = p.costs;
  console.log(`Room of ${p.members.toLocaleString("en-US")} members, ${f(p.online * 100, 0)} % online = ${m.sockets.toLocaleString("en-US")} sockets${p.roomSockets ? ` (${p.roomSockets.toLocaleString("en-US")} of them on the room object)` : ""}; ${p.rate} msgs/s, bursts of ${p.burstRate} msgs/s for ${p.burstS} s`);
  console.log(`Costs (CPU µs${scale !== 1 ? `, × ${scale}` : ""}, ${cpu}): message ${f(c.messageUs)}, forward call ${f(c.forwardUs)}, extra frame in a call ${f(c.batchFrameUs)}, delivery ${f(c.deliveryUs)}; hop ${p.hopMs.join("-")} ms; util ceiling ${p.util}`);
  console.log(`Sockets per shard: ≤ ${m.byCpu.toLocaleString("en-US")} by CPU (${p.burstRate} msgs/s × (call + S sends) ≤ ${p.util}), ≤ ${p.maxSocketsPerObject.toLocaleString("en-US")} by the platform → K = ${m.K} shards${p.shards ? " (fixed by --shards)" : ""} of S = ${m.S.toLocaleString("en-US")}`);
  console.log(`Per message: room ${f(m.roomServiceMs, 2)} ms (message + K calls), each shard ${f(m.shardServiceMs, 2)} ms (call + S sends); one message alone reaches its last socket after ${f(m.aloneMs, 1)} ms (mean hop), ${f(m.aloneMaxHopMs, 1)} ms (hop ${p.hopMs[1]} ms)\n`);

  const steady = simulate(p, m.K, m.S, p.steadyS, () => p.rate, p.seed);
  const burstStart = 20_000;
  const burstEnd = burstStart + p.burstS * 1000;
  const burst = simulate(p, m.K, m.S, 60, (t) => (t >= burstStart && t < burstEnd ? p.burstRate : p.rate), p.seed + 1);
  const inBurst = burst.latency.filter((_, i) => burst.arrivals[i]! >= burstStart && burst.arrivals[i]! < burstEnd + 1000);
  const rows: [string, string, string][] = [
    ["room CPU busy, steady", f(m.steady.roomUtil * 100) + " %", f(steady.roomUtil * 100) + " %"],
    ["shard CPU busy, steady", f(m.steady.shardUtil * 100) + " %", f(steady.shardUtil * 100) + " %"],
    ["room calls/s (out), steady", f(m.steady.roomCallsPerS, 0), f(steady.calls / p.steadyS, 0)],
    ["frames per call, steady", "1.00 (no batching)", f(steady.frames / steady.calls, 2)],
    ["requests/s each shard receives, steady (soft limit 1,000)", f(m.steady.shardRequestsPerS, 0), f(steady.calls / m.K / p.steadyS, 1)],
    ["fan-out p50 ms, steady", `${f(m.aloneMs)} (alone)`, f(pct(steady.latency, 0.5))],
    ["fan-out p99 ms, steady", `${f(m.steady.p99Ms)} (alone + ahead)`, f(pct(steady.latency, 0.99))],
    ["fan-out max ms, steady", "", f(Math.max(...steady.latency))],
    [`room CPU busy at ${p.burstRate}/s (no batching)`, f(m.burst.roomUtil * 100) + " %", ""],
    [`shard CPU busy at ${p.burstRate}/s`, f(m.burst.shardUtil * 100) + " %", ""],
    [`frames per call, burst run`, "", f(burst.frames / burst.calls, 2)],
    [`fan-out p50 ms, burst (${p.burstS} s at ${p.burstRate}/s, +1 s)`, "", f(pct(inBurst, 0.5))],
    [`fan-out p99 ms, burst`, `≤ ${f(m.burst.p99BoundMs)} (bound)`, f(pct(inBurst, 0.99))],
    [`fan-out max ms, burst`, "", f(Math.max(...inBurst))],
    ["fan-out p99 ms, whole burst run (60 s)", "", f(pct(burst.latency, 0.99))],
  ];
  const w = Math.max(...rows.map((r) => r[0].length));
  console.log(`${"".padEnd(w)}  ${"model".padStart(20)}  ${"simulation".padStart(12)}`);
  for (const [k, a, b] of rows) console.log(`${k.padEnd(w)}  ${a.padStart(20)}  ${b.padStart(12)}`);
  console.log(`\n(simulation: ${steady.arrivals.length.toLocaleString("en-US")} messages over ${p.steadyS} s, seed ${p.seed}; burst run ${burst.arrivals.length.toLocaleString("en-US")} messages over 60 s, seed ${p.seed + 1}, the burst from 20 s)`);
  return { model: m, steady, burst, inBurst };
}

/**
 * `--table`: the sensitivity table of BENCHMARKS.md: both online shares, costs × 0.5, 1 and 2,
 * each with K sized for those costs and with K kept at the size for the measured costs (× 1),
 * i.e. when production's CPU turns out slower or faster than this machine's.
 */
export function table(p: typeof P) {
  console.log("| online | costs | K | S | room CPU at 10 / 50 msgs/s | shard CPU at 10 / 50 msgs/s | p99 steady: model / sim | p99 in the burst: model bound / sim (max) |");
  console.log("|---|---|---:|---:|---|---|---|---|");
  for (const online of [p.online, 1]) {
    const measured = model({ ...p, online, costs: base, shards: null });
    for (const [k, fixed] of [[0.5, false], [0.5, true], [1, false], [2, false], [2, true]] as [number, boolean][]) {
      const q = { ...p, online, shards: fixed ? measured.K : null, costs: { messageUs: base.messageUs * k, forwardUs: base.forwardUs * k, batchFrameUs: base.batchFrameUs * k, deliveryUs: base.deliveryUs * k } };
      const m = model(q);
      const steady = simulate(q, m.K, m.S, Math.min(q.steadyS, 120), () => q.rate, q.seed);
      const b0 = 20_000;
      const b1 = b0 + q.burstS * 1000;
      const burst = simulate(q, m.K, m.S, 60, (t) => (t >= b0 && t < b1 ? q.burstRate : q.rate), q.seed + 1);
      const inBurst = burst.latency.filter((_, i) => burst.arrivals[i]! >= b0 && burst.arrivals[i]! < b1 + 1000);
      console.log(
        `| ${f(online * 100, 0)} % (${m.sockets.toLocaleString("en-US")}) | × ${k}${fixed ? `, K sized for × 1` : ""} | ${m.K} | ${m.S.toLocaleString("en-US")} | ${f(m.steady.roomUtil * 100, 0)} / ${f(m.burst.roomUtil * 100, 0)} % | ${f(m.steady.shardUtil * 100, 0)} / ${f(m.burst.shardUtil * 100, 0)} % | ${f(m.steady.p99Ms, 0)} / ${f(pct(steady.latency, 0.99), 0)} ms | ${f(m.burst.p99BoundMs, 0)} / ${f(pct(inBurst, 0.99), 0)} ms (${f(Math.max(...inBurst), 0)}) |`,
      );
    }
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  if (argv.includes("--table")) table(P);
  else report(P);
}
