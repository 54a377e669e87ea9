/**
 * `npm run bench`: Hearth against the engine's ceiling, side by side in one run.
 *
 * Starts everything it measures itself (Hearth and bench/ceiling/ under `wrangler dev`, fresh
 * state, loopback only), runs the scenarios with the targets interleaved (Hearth, ceiling,
 * floor, Hearth, ceiling, floor...), prints medians and Hearth/ceiling ratios against the
 * targets of issue 7, writes bench/results/*.json (+ a Markdown summary) and the chart, and
 * stops every process it started, also on error or Ctrl-C. See BENCHMARKS.md.
 *
 *   npm run bench                          # everything, about 16 minutes on 2 cores
 *   npm run bench -- --quick               # a smoke run of every scenario, 2-3 minutes
 *   npm run bench -- --scenarios=fanout,history --reps=5
 *   npm run bench -- --profile             # adds unscored runs under the CPU profiler
 *   npm run bench -- --help
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { join } from "node:path";
import { renderChart, type Series } from "./lib/chart.ts";
import { runCosts, type CostsResult } from "./lib/costs.ts";
import { runHistory, type HistoryResult } from "./lib/history.ts";
import { chatLines } from "./lib/chat-text.ts";
import { runSearch, type SearchResult } from "./lib/search.ts";
import { runIdle, runMemorySplit, type IdleResult, type MemorySplit } from "./lib/idle.ts";
import type { ProfileSummary } from "./lib/inspector.ts";
import { bigRoomLayouts, bigRoomModel, runBigRoom, type BigRoomRun } from "./lib/bigroom.ts";
import { runCeilingOverload, runOverload, type CeilingOverloadResult, type OverloadResult } from "./lib/overload.ts";
import { ROOT, hearthSnapshot, setDevTracing, startCeiling, startHearthServer, stopAll } from "./lib/servers.ts";
import { median, sleep } from "./lib/stats.ts";
import { CeilingTarget, HearthTarget, TARGET_LABEL, type Target, type TargetName } from "./lib/targets.ts";
import { runTraffic, type TrafficResult } from "./lib/traffic.ts";
import { WATCHERS_LABEL, WatchersBench, type WatchersRun, type WatchersVariant } from "./lib/watchers.ts";

const SCENARIOS = ["fanout", "rooms", "watchers", "idle", "overload", "history"] as const;
/** Scenarios run only when named (each takes several minutes). */
const OPTIONAL_SCENARIOS = ["search", "search-ab", "ab", "bigroom", "costs"] as const;
type Scenario = (typeof SCENARIOS)[number] | (typeof OPTIONAL_SCENARIOS)[number];

const HELP = `npm run bench -- [options]
  --quick                 smoke run: 1 rep, 3 s runs, 10 and 100 receivers, 20 rooms, 200 idle
                          sockets, small custom caps only, 100,000 history messages
  --scenarios=a,b         any of ${SCENARIOS.join(", ")} (default: all of these), or
                          search     (issue 18: GET /api/search over 1,000,000 seeded messages in 100
                                     rooms; 3.5-7 min here, not in the default set), or
                          search-ab  (issue 18: the rooms scenario with the search index written by
                                     the D1 copy against SEARCH_INDEX=off, interleaved; ~4.5 min
                                     at 3 reps, 6 at 5, not in the default set), or
                          ab         (issue 20: A/B pairs on the message path: fanout 10 and rooms on
                                     Hearth as checked out (A) against --ab-base=DIR, another
                                     checkout with its client built, and/or A with --ab-vars=K=V,...
                                     (B), or A without its [assets] section (--ab-without-assets);
                                     the order alternates by rep, the floor runs in every rep), or
                          bigroom    (issue 20: one room of --bigroom-sockets=4000 sockets, 4 senders,
                                     over the room object and its shards, in three layouts (one
                                     object, room + 3 shards, room + 6); ~5 min, not in the default set), or
                          costs      (issue 20, item 4: the per-object costs of a sharded room: CPU µs
                                     per message (Hearth, floor, ceiling), per delivery, per DO→DO
                                     forward RPC and per extra frame in a forward batch, from 1-sender
                                     runs on Hearth and on the ceiling's ForwardRoom/ShardRoom;
                                     ~4.5 min at 3 reps; feeds bench/model/big-room.ts)
  --reps=N                interleaved repetitions (default 3)
  --duration=S            seconds per fanout/rooms run (default 10), after --warmup=S (default 1)
  --sizes=10,100,500      fanout receivers
  --rooms=100             rooms in the rooms scenario (5 members each, one sender)
  --watchers=100          in the watchers scenario, members of its room with only their per-user
                          channel open (4 senders, 4 receivers; runs as long as --duration)
  --idle-sizes=1000,4000  idle connections (100 per room), --idle-hold=S (default 15: rooms
                          hibernate after about 10 s idle)
  --idle-reps=N           repetitions of the idle scenario (default: --reps); the first rep steps
                          through every size, later ones only the first (--idle-all-reps: every size)
  --history-messages=N    (default 1000000), --history-requests=N (default 300)
  --search-messages=N     (default 1000000) in --search-rooms=N rooms (default 100), the searching
                          user a member of --search-member-of=N of them (default 20);
                          --search-requests=N of each query kind (default 300); --search-seed=direct
                          (rows and index written into D1's file, default) or copy (the rooms copy
                          themselves to D1 after the restart, through the worker)
  --search-ab-duration=S  seconds per run of search-ab (default 20: the busy rooms' D1 copies run
                          2 and 12 s into each run)
  --costs-duration=S      seconds per run of the costs scenario (default 4; --quick 2), --costs-pad=B
                          bytes each frame is padded to (default 270, Hearth's message frame),
                          --costs-shards=1,2,4,8 (K of the forward runs), --costs-filler=31 (extra
                          frames per call in the batch run, at the largest K)
  --references=router|bare  the ceiling and the floor behind the same static-asset router as
                          Hearth (default: like for like) or bare (no router in front)
  --floor=first|all|none  the durable-write floor in fanout: at the smallest size only (default),
                          at every size, or not at all (it always runs in the rooms scenario)
  --ceiling-overload      also push the cap-less ceiling to 6000 sockets (shows the runtime's fd limit)
  --dev-tracing           leave wrangler dev's local tracing on (X_LOCAL_OBSERVABILITY, its default);
                          the bench turns it off for every server by default
  --hearth-vars=K=V,...   extra vars for the Hearth of fanout/rooms/watchers (e.g. D1_FLUSH_DELAY_MS=60000
                          to see what the D1 copy costs)
  --hearth-without-assets in fanout/rooms, run Hearth without its [assets] section (no static-asset
                          router in front of its sockets; diagnosis only, the client is not served)
  --profile               after the scored runs, one unscored run of each under the CPU profiler
  --chart=PATH            where to write the SVG (default bench/chart.svg for a full run with
                          default settings)
  --render=RESULTS.json   no run: rewrite the chart and the summary from saved results
  --out=DIR               results folder (default bench/results)`;

// ---- options ---------------------------------------------------------------------------------

const argv = process.argv.slice(2);
if (argv.includes("--help") || argv.includes("-h")) {
  console.log(HELP);
  process.exit(0);
}
const flag = (name: string) => argv.includes(`--${name}`);
const opt = (name: string) => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const nums = (s: string) => s.split(",").map(Number).filter((n) => Number.isFinite(n) && n > 0);
for (const a of argv) {
  const name = a.replace(/^--/, "").split("=")[0]!;
  if (!["quick", "scenarios", "reps", "duration", "warmup", "sizes", "rooms", "watchers", "idle-sizes", "idle-hold", "idle-reps", "history-messages", "history-requests", "search-messages", "search-rooms", "search-member-of", "search-requests", "search-seed", "search-ab-duration", "bigroom-sockets", "floor", "idle-all-reps", "ceiling-overload", "dev-tracing", "hearth-vars", "hearth-without-assets", "ab-base", "ab-vars", "ab-without-assets", "costs-duration", "costs-pad", "costs-shards", "costs-filler", "references", "profile", "chart", "out", "render"].includes(name)) {
    console.error(`unknown option ${a}\n\n${HELP}`);
    process.exit(2);
  }
}
const quick = flag("quick");
const config = {
  quick,
  scenarios: (opt("scenarios")?.split(",") ?? [...SCENARIOS]) as Scenario[],
  reps: Number(opt("reps") ?? (quick ? 1 : 3)),
  durationS: Number(opt("duration") ?? (quick ? 3 : 10)),
  warmupS: Number(opt("warmup") ?? (quick ? 0.5 : 1)),
  sizes: nums(opt("sizes") ?? (quick ? "10,100" : "10,100,500")),
  rooms: Number(opt("rooms") ?? (quick ? 20 : 100)),
  watchers: Number(opt("watchers") ?? 100),
  idleSizes: nums(opt("idle-sizes") ?? (quick ? "200" : "1000,4000")),
  idleHoldS: Number(opt("idle-hold") ?? (quick ? 12 : 15)),
  idleReps: Number(opt("idle-reps") ?? opt("reps") ?? (quick ? 1 : 3)),
  historyMessages: Number(opt("history-messages") ?? (quick ? 100_000 : 1_000_000)),
  historyRequests: Number(opt("history-requests") ?? (quick ? 100 : 300)),
  searchMessages: Number(opt("search-messages") ?? (quick ? 100_000 : 1_000_000)),
  searchRooms: Number(opt("search-rooms") ?? 100),
  searchMemberOf: Number(opt("search-member-of") ?? 20),
  searchRequests: Number(opt("search-requests") ?? (quick ? 100 : 300)),
  searchSeed: (opt("search-seed") ?? "direct") as "direct" | "copy",
  searchAbDurationS: Number(opt("search-ab-duration") ?? (quick ? 5 : 20)),
  bigroomSockets: Number(opt("bigroom-sockets") ?? (quick ? 1500 : 4000)),
  floor: (opt("floor") ?? "first") as "first" | "all" | "none",
  idleAllReps: flag("idle-all-reps"),
  ceilingOverload: flag("ceiling-overload"),
  profile: flag("profile"),
  devTracing: flag("dev-tracing"),
  outDir: opt("out") ?? join(ROOT, "bench/results"),
  hearthWithoutAssets: flag("hearth-without-assets"),
  /**
   * Where the ceiling and the floor of the traffic scenarios run: behind the same static-asset
   * router as Hearth ("router", the default: like for like, see BENCHMARKS.md "Method") or bare.
   */
  references: (opt("references") ?? "router") as "router" | "bare",
  costsDurationS: Number(opt("costs-duration") ?? (quick ? 2 : 4)),
  costsPad: Number(opt("costs-pad") ?? 270),
  costsShards: nums(opt("costs-shards") ?? "1,2,4,8"),
  costsFiller: Number(opt("costs-filler") ?? 31),
  abBase: opt("ab-base") ?? null,
  abWithoutAssets: flag("ab-without-assets"),
  abVars: Object.fromEntries((opt("ab-vars") ?? "").split(",").filter(Boolean).map((kv) => [kv.split("=")[0]!, kv.split("=").slice(1).join("=")])) as Record<string, string>,
  chart: opt("chart") ?? (quick || opt("hearth-vars") || flag("hearth-without-assets") || opt("sizes") || opt("scenarios") ? null : join(ROOT, "bench/chart.svg")),
  /** The vars every Hearth of the fanout, rooms and watchers scenarios runs with. */
  hearthVars: {
    RATE_LIMIT_BURST: "1000000",
    RATE_LIMIT_PER_SECOND: "1000000",
    ...Object.fromEntries((opt("hearth-vars") ?? "").split(",").filter(Boolean).map((kv) => [kv.split("=")[0]!, kv.split("=").slice(1).join("=")])),
  } as Record<string, string>,
};
for (const s of config.scenarios) {
  if (![...SCENARIOS, ...OPTIONAL_SCENARIOS].includes(s)) {
    console.error(`unknown scenario ${s}; choose from ${[...SCENARIOS, ...OPTIONAL_SCENARIOS].join(", ")}`);
    process.exit(2);
  }
}
if (!["first", "all", "none"].includes(config.floor)) {
  console.error("--floor must be first, all or none");
  process.exit(2);
}
if (config.idleSizes.some((n) => n % 100 !== 0)) {
  console.error("--idle-sizes must be multiples of 100 (100 sockets per room)");
  process.exit(2);
}

// ---- results ---------------------------------------------------------------------------------

interface Results {
  startedAt: string;
  finishedAt?: string;
  wallS?: number;
  machine: Record<string, unknown>;
  config: typeof config;
  fanout: { rep: number; receivers: number; runs: Partial<Record<TargetName, TrafficResult>> }[];
  rooms: { rep: number; runs: Partial<Record<TargetName, TrafficResult>> }[];
  watchers: { rep: number; runs: Partial<Record<WatchersVariant, WatchersRun>> }[];
  watchersSetup?: { users: number; seconds: number };
  /** `hearthNoAssets` / `ceilingAssets` (first rep, first size, info): both without / both with the static-asset router. */
  idle: { rep: number; hearth?: IdleResult; ceiling?: IdleResult; hearthNoAssets?: IdleResult; ceilingAssets?: IdleResult }[];
  memorySplit?: MemorySplit[];
  overload: { defaults?: OverloadResult; custom?: OverloadResult; ceiling?: CeilingOverloadResult };
  history?: HistoryResult;
  search?: SearchResult;
  /** search-ab: the rooms scenario, Hearth as configured (index written) and with SEARCH_INDEX=off. */
  searchAb?: { rep: number; runs: Partial<Record<IndexVariant, TrafficResult>> }[];
  /** ab: per rep, fanout 10 and rooms on A (this checkout), B (--ab-base / --ab-vars) and the floor. */
  ab?: { rep: number; fanout: Partial<Record<AbSide, TrafficResult>>; rooms: Partial<Record<AbSide, TrafficResult>> }[];
  /** costs (issue 20, item 4): per-object costs for the model of a sharded room. */
  costs?: CostsResult;
  /** search-ab: after the runs, a search for a word every message has, on each server (hits on the first page). */
  searchAbCheck?: Record<IndexVariant, number>;
  profiles: { scenario: string; target: string; summary: ProfileSummary; cpuUsPerMsg?: Record<string, number> }[];
  /** bigroom: one room over the room object and its shards, per layout; `model`: the costs the layouts split. */
  bigroom?: { runs: BigRoomRun[]; model: Record<string, number> };
  summary: Row[];
  errors: string[];
}

interface Row {
  scenario: string;
  metric: string;
  hearth: number;
  reference?: number;
  referenceName?: string;
  ratio?: number;
  target: string;
  pass: boolean | null;
  unit: string;
}

function version(pkg: string): string {
  try {
    return JSON.parse(readFileSync(join(ROOT, "node_modules", pkg, "package.json"), "utf8")).version;
  } catch {
    return "?";
  }
}

function sh(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { encoding: "utf8" }).trim();
  } catch {
    return "?";
  }
}

const started = new Date();
const stamp = started.toISOString().replace(/[:.]/g, "-").slice(0, 19);
const results: Results = {
  startedAt: started.toISOString(),
  machine: {
    nproc: sh("nproc", []),
    cpu: cpus()[0]?.model ?? "?",
    memory: `${(totalmem() / 2 ** 30).toFixed(1)} GiB`,
    freeH: sh("free", ["-h"]),
    kernel: sh("uname", ["-sr"]),
    node: process.version,
    wrangler: version("wrangler"),
    workerd: version("workerd"),
    ws: version("ws"),
    ulimitN: sh("sh", ["-c", "ulimit -n"]),
    loadavgAtStart: loadavg(),
  },
  config,
  fanout: [],
  rooms: [],
  watchers: [],
  idle: [],
  overload: {},
  profiles: [],
  summary: [],
  errors: [],
};

const t0 = performance.now();
const log = (s: string) => console.log(`[${((performance.now() - t0) / 1000).toFixed(0).padStart(4)} s] ${s}`);
const f0 = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString("en-US") : "–");
const f1 = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : "–");
const f2 = (n: number) => (Number.isFinite(n) ? n.toFixed(2) : "–");

function save() {
  mkdirSync(config.outDir, { recursive: true });
  const text = JSON.stringify(results, null, 1);
  writeFileSync(join(config.outDir, `bench-${stamp}.json`), text);
  writeFileSync(join(config.outDir, "latest.json"), text);
}

function describeTraffic(r: TrafficResult): string {
  return (
    `${f0(r.msgsPerS)} msgs/s, ${f0(r.deliveriesPerS)} deliveries/s, p50/p95/p99 ${f1(r.latencyMs.p50)}/${f1(r.latencyMs.p95)}/${f1(r.latencyMs.p99)} ms, ` +
    `lost ${r.lost}, dup ${r.duplicated}${r.seqGaps ? `, seq gaps ${r.seqGaps}` : ""}${r.errors ? `, errors ${r.errors}` : ""}, ` +
    `server CPU ${f0(r.cpuUsPerMsg["server total"] ?? NaN)} µs/msg, load ${f1(r.loadavg[0] ?? NaN)}`
  );
}

function printProfile(title: string, p: ProfileSummary) {
  console.log(`\n  profile: ${title} (${f0(p.totalMs)} ms sampled, ${f0(p.idleMs)} ms idle)`);
  for (const f of p.functions.slice(0, 15)) console.log(`    ${f1(f.pct).padStart(5)}%  ${f.fn}`);
  console.log("  native calls by caller:");
  for (const n of p.natives.slice(0, 8)) console.log(`    ${f1(n.pct).padStart(5)}%  ${n.call}`);
}

// ---- scenarios ---------------------------------------------------------------------------------

async function trafficScenarios() {
  const wantFanout = config.scenarios.includes("fanout");
  const wantRooms = config.scenarios.includes("rooms");
  if (!wantFanout && !wantRooms) return;
  log(`starting Hearth and the ceiling under wrangler dev (the ceiling and the floor ${config.references === "router" ? "behind an asset router, as Hearth" : "bare"})`);
  const hearth = await startHearthServer(config.hearthVars, undefined, { assets: !config.hearthWithoutAssets });
  const ceiling = await startCeiling({ assets: config.references === "router" });
  // With the references behind the router, the floor also runs bare in the rooms scenario (info).
  const bare = config.references === "router" ? await startCeiling() : null;
  try {
    // The same-bytes ceiling pads each frame to the mean size of Hearth's delivered frames in
    // the run just before it (same rep, same size): Hearth always runs first in a rep.
    let hearthFrameBytes = 0;
    const [hearthT, ceilingT, sameBytesT, floorT] = [
      new HearthTarget(hearth),
      new CeilingTarget(ceiling, "ceiling"),
      new CeilingTarget(ceiling, "ceiling-bytes", () => hearthFrameBytes),
      new CeilingTarget(ceiling, "floor"),
    ];
    const targets: Target[] = [hearthT, ceilingT, floorT, ...(bare ? [new CeilingTarget(bare, "floor-bare")] : [])];
    const fanoutTargets = (receivers: number): Target[] =>
      config.floor === "all" || (config.floor === "first" && receivers === config.sizes[0]) ? [hearthT, ceilingT, sameBytesT, floorT] : [hearthT, ceilingT, sameBytesT];
    const durationMs = config.durationS * 1000;
    const warmupMs = config.warmupS * 1000;
    for (let rep = 1; rep <= config.reps; rep++) {
      if (wantFanout) {
        for (const receivers of config.sizes) {
          const entry: Results["fanout"][number] = { rep, receivers, runs: {} };
          results.fanout.push(entry);
          for (const t of fanoutTargets(receivers)) {
            log(`fanout rep ${rep}/${config.reps}, ${receivers} receivers: ${TARGET_LABEL[t.name]}`);
            const r = await runTraffic(t, { rooms: 1, sendersPerRoom: 4, receiversPerRoom: receivers, durationMs, warmupMs });
            entry.runs[t.name] = r;
            if (t === hearthT) hearthFrameBytes = r.bytesPerDelivery;
            log(`  ${describeTraffic(r)}`);
            save();
            await sleep(1000);
          }
        }
      }
      if (wantRooms) {
        const entry: Results["rooms"][number] = { rep, runs: {} };
        results.rooms.push(entry);
        for (const t of targets) {
          log(`rooms rep ${rep}/${config.reps}, ${config.rooms} rooms × 5: ${TARGET_LABEL[t.name]}`);
          const r = await runTraffic(t, { rooms: config.rooms, sendersPerRoom: 1, receiversPerRoom: 4, durationMs, warmupMs });
          entry.runs[t.name] = r;
          log(`  ${describeTraffic(r)}`);
          save();
          await sleep(1000);
        }
      }
    }
    if (config.profile) {
      const profiled = async (scenario: string, t: Target, spec: Parameters<typeof runTraffic>[1]) => {
        log(`profiling (unscored): ${scenario}, ${TARGET_LABEL[t.name]}`);
        const r = await runTraffic(t, spec, { profile: true });
        results.profiles.push({ scenario, target: t.name, summary: r.profile!, cpuUsPerMsg: r.cpuUsPerMsg });
        printProfile(`${scenario}, ${t.name}: ${describeTraffic(r)}`, r.profile!);
        save();
      };
      for (const t of [hearthT, floorT]) {
        if (wantFanout) for (const receivers of config.sizes) await profiled(`fanout ${receivers}`, t, { rooms: 1, sendersPerRoom: 4, receiversPerRoom: receivers, durationMs, warmupMs });
        if (wantRooms) await profiled(`rooms ${config.rooms}`, t, { rooms: config.rooms, sendersPerRoom: 1, receiversPerRoom: 4, durationMs, warmupMs });
      }
    }
  } finally {
    await Promise.all([hearth.stop(), ceiling.stop(), bare?.stop()]);
  }
}

function describeWatchers(w: WatchersRun): string {
  const c = w.channels;
  return (
    `${describeTraffic(w.traffic)}; ack p50/p99 ${f1(w.traffic.ackMs.p50)}/${f1(w.traffic.ackMs.p99)} ms` +
    (w.elsewhereBefore !== undefined ? `; in the app elsewhere (room hello): ${w.elsewhereBefore}` : "") +
    (c ? `; counts ${f2(c.framesPerWatcherPerS)}/s per watcher (${c.minPerWatcher}-${c.maxPerWatcher} in the window), gap ≥ ${f0(c.gapMs.min)} ms, up to date ${c.upToDate}/${c.open}` : "")
  );
}

/**
 * Issue 17, item 3: one room's msgs/s with no member in the app elsewhere, with `--watchers`
 * members who have only their per-user channel open, and on the ceiling; interleaved, the
 * two Hearth variants alternating which goes first.
 */
async function watchersScenario() {
  if (!config.scenarios.includes("watchers")) return;
  log("watchers: starting Hearth and the ceiling under wrangler dev");
  const hearth = await startHearthServer(config.hearthVars);
  const ceiling = await startCeiling();
  try {
    const spec = { senders: 4, receivers: 4, watchers: config.watchers, durationMs: config.durationS * 1000, warmupMs: config.warmupS * 1000 };
    const bench = new WatchersBench(new HearthTarget(hearth), new CeilingTarget(ceiling, "ceiling"), spec);
    log(`watchers: signing up ${spec.senders + spec.receivers + spec.watchers} users, one room, ${spec.watchers} of them joining it`);
    results.watchersSetup = await bench.prepare();
    log(`  ${results.watchersSetup.users} users and the room in ${f1(results.watchersSetup.seconds)} s`);
    for (let rep = 1; rep <= config.reps; rep++) {
      const entry: Results["watchers"][number] = { rep, runs: {} };
      results.watchers.push(entry);
      const order: WatchersVariant[] = rep % 2 ? ["none", "watching", "ceiling"] : ["watching", "none", "ceiling"];
      for (const v of order) {
        log(`watchers rep ${rep}/${config.reps}, ${spec.senders} senders + ${spec.receivers} receivers: ${WATCHERS_LABEL[v]}${v === "watching" ? ` (${spec.watchers})` : ""}`);
        entry.runs[v] = await bench.run(v);
        log(`  ${describeWatchers(entry.runs[v]!)}`);
        save();
        await sleep(1000);
      }
    }
    if (config.profile) {
      for (const v of ["none", "watching"] as const) {
        log(`profiling (unscored): watchers, ${WATCHERS_LABEL[v]}`);
        const r = await bench.run(v, { profile: true });
        results.profiles.push({ scenario: `watchers ${v}`, target: "hearth", summary: r.traffic.profile!, cpuUsPerMsg: r.traffic.cpuUsPerMsg });
        printProfile(`watchers, ${v}: ${describeWatchers(r)}`, r.traffic.profile!);
        save();
      }
    }
  } finally {
    await Promise.all([hearth.stop(), ceiling.stop()]);
  }
}

async function idleScenario() {
  if (!config.scenarios.includes("idle")) return;
  for (let rep = 1; rep <= config.idleReps; rep++) {
    const entry: Results["idle"][number] = { rep };
    results.idle.push(entry);
    for (const kind of ["hearth", "ceiling"] as const) {
      log(`idle rep ${rep}/${config.idleReps}: ${kind === "hearth" ? "Hearth" : TARGET_LABEL.ceiling}, ${config.idleSizes.join(" then ")} sockets`);
      const sizes = rep === 1 || config.idleAllReps ? config.idleSizes : config.idleSizes.slice(0, 1);
      entry[kind] = await runIdle(kind, sizes, config.idleHoldS * 1000, log);
      save();
    }
    if (rep === 1) {
      // Info: Hearth's config puts wrangler's static-asset router in front of the worker (the
      // client); the ceiling has none. Measure each the other way round, at the first size.
      const size = config.idleSizes.slice(0, 1);
      log(`idle rep 1 (info): Hearth without its [assets] section, ${size[0]} sockets`);
      entry.hearthNoAssets = await runIdle("hearth", size, config.idleHoldS * 1000, log, { assets: false });
      log(`idle rep 1 (info): the ceiling behind the same static-asset router, ${size[0]} sockets`);
      entry.ceilingAssets = await runIdle("ceiling", size, config.idleHoldS * 1000, log, { assets: true });
      save();
    }
  }
  if (config.profile) {
    const n = config.idleSizes[0]!;
    results.memorySplit = [];
    for (const kind of ["hearth", "ceiling"] as const) {
      log(`idle memory split (unscored): ${kind}, ${n} HTTP requests, then ${n} sockets`);
      const m = await runMemorySplit(kind, n);
      results.memorySplit.push(m);
      log(`  per GET /health: runtime ${f0(m.kibPerRequest.runtime)} KiB + proxy ${f0(m.kibPerRequest.proxy)} KiB; per socket: runtime ${f0(m.kibPerSocket.runtime)} KiB + proxy ${f0(m.kibPerSocket.proxy)} KiB`);
      save();
    }
  }
}

async function overloadScenario() {
  if (!config.scenarios.includes("overload")) return;
  log("overload: Hearth with small custom caps (MAX_ROOM_CONNECTIONS=20, MAX_CONNECTIONS=50)");
  results.overload.custom = await runOverload({ room: 20, server: 50 }, log);
  save();
  if (!quick) {
    log("overload: Hearth with the documented default caps (1000 per room, 4500 in all)");
    results.overload.defaults = await runOverload(null, log);
    save();
  }
  if (config.ceilingOverload) {
    log("overload: the ceiling (no caps) up to 6000 sockets");
    results.overload.ceiling = await runCeilingOverload(6000, log);
    save();
  }
}

async function historyScenario() {
  if (!config.scenarios.includes("history")) return;
  log(`history: a room with ${config.historyMessages.toLocaleString("en-US")} messages`);
  results.history = await runHistory(config.historyMessages, config.historyRequests, log, config.profile);
  const h = results.history;
  log(`  newest page p50/p99 ${f1(h.newest.p50)}/${f1(h.newest.p99)} ms; ${f0(h.deep.before - 1)} deep p50/p99 ${f1(h.deep.p50)}/${f1(h.deep.p99)} ms; GET /health p50/p99 ${f1(h.health.p50)}/${f1(h.health.p99)} ms`);
  if (h.profile) {
    results.profiles.push({ scenario: "history", target: "hearth", summary: h.profile });
    printProfile("history pages", h.profile);
  }
  save();
}

/** Issue 18, "Speed": GET /api/search over a seeded corpus (bench/lib/search.ts). */
/** Issue 20 item 3: one room of thousands of sockets across the room object and its shards (bench/lib/bigroom.ts). */
async function bigroomScenario() {
  if (!config.scenarios.includes("bigroom")) return;
  const runs = await runBigRoom(
    { sockets: config.bigroomSockets, senders: 4, durationMs: config.durationS * 1000, warmupMs: config.warmupS * 1000, vars: config.hearthVars, layouts: bigRoomLayouts(config.bigroomSockets) },
    log,
  );
  results.bigroom = { runs, model: bigRoomModel(runs) };
  for (const r of runs) log(`  ${r.layout.label}: ${describeTraffic(r.traffic)}; server ${f0(r.traffic.cpuUsPerMsg["server total"]!)} µs CPU/msg`);
  for (const [k, v] of Object.entries(results.bigroom.model)) log(`  ${k}: ${f1(v)}`);
  save();
}

async function searchScenario() {
  if (!config.scenarios.includes("search")) return;
  const perRoom = Math.round(config.searchMessages / config.searchRooms);
  log(`search: ${config.searchRooms} rooms × ${perRoom.toLocaleString("en-US")} messages, the searcher in ${config.searchMemberOf} of them`);
  results.search = await runSearch(
    { rooms: config.searchRooms, perRoom, memberOf: config.searchMemberOf, requests: config.searchRequests, seedMode: config.searchSeed },
    log,
  );
  save();
}

type IndexVariant = "on" | "off";
const INDEX_LABEL: Record<IndexVariant, string> = { on: "Hearth (search index written by the D1 copy)", off: "Hearth, SEARCH_INDEX=off" };

/**
 * Issue 18, "Speed": what writing the search index costs the message path. The rooms scenario
 * (config.rooms rooms, 1 sender and 4 receivers each, chat text as bodies) on two Hearths of the
 * same snapshot, one as configured and one with SEARCH_INDEX=off, interleaved (the order
 * alternates by rep). Runs are long enough that the busy rooms' copies to D1 (2 s after a quiet
 * room's first message, then every 10 s) fall inside the measured window.
 */
async function searchAbScenario() {
  if (!config.scenarios.includes("search-ab")) return;
  log("search-ab: starting two Hearths (index on, SEARCH_INDEX=off) under wrangler dev");
  const servers = {
    on: await startHearthServer(config.hearthVars),
    off: await startHearthServer({ ...config.hearthVars, SEARCH_INDEX: "off" }),
  };
  const targets = { on: new HearthTarget(servers.on), off: new HearthTarget(servers.off) };
  results.searchAb = [];
  try {
    const spec = { rooms: config.rooms, sendersPerRoom: 1, receiversPerRoom: 4, durationMs: config.searchAbDurationS * 1000, warmupMs: config.warmupS * 1000 };
    for (let rep = 1; rep <= config.reps; rep++) {
      const entry: NonNullable<Results["searchAb"]>[number] = { rep, runs: {} };
      results.searchAb.push(entry);
      for (const v of (rep % 2 ? ["on", "off"] : ["off", "on"]) as IndexVariant[]) {
        log(`search-ab rep ${rep}/${config.reps}, ${config.rooms} rooms × 5, ${config.searchAbDurationS} s: ${INDEX_LABEL[v]}`);
        // The same texts for both: one generator per run, same seed.
        const r = await runTraffic(targets[v], { ...spec, text: chatLines(18 + rep) });
        entry.runs[v] = r;
        log(`  ${describeTraffic(r)}`);
        save();
        await sleep(1000);
      }
    }
    if (config.profile) {
      for (const v of ["on", "off"] as IndexVariant[]) {
        log(`profiling (unscored): search-ab, ${INDEX_LABEL[v]}`);
        const r = await runTraffic(targets[v], { ...spec, text: chatLines(18) }, { profile: true });
        results.profiles.push({ scenario: `search-ab ${v}`, target: "hearth", summary: r.profile!, cpuUsPerMsg: r.cpuUsPerMsg });
        printProfile(`search-ab, index ${v}: ${describeTraffic(r)}`, r.profile!);
        save();
      }
    }
    // After the last copies (at most 10 s later): indexed on one server, not on the other.
    await sleep(12_000);
    results.searchAbCheck = { on: 0, off: 0 };
    for (const v of ["on", "off"] as IndexVariant[]) {
      const t = targets[v];
      const res = await fetch(`${t.server.url}/api/search?q=the&limit=50`, { headers: { authorization: `Bearer ${t.users[0]!.token}` } });
      results.searchAbCheck[v] = ((await res.json()) as { hits: unknown[] }).hits.length;
    }
    log(`  a search for "the" afterwards: ${results.searchAbCheck.on} hits with the index, ${results.searchAbCheck.off} without`);
    save();
  } finally {
    await Promise.all([servers.on.stop(), servers.off.stop()]);
  }
}

type AbSide = "a" | "b" | "floor";

/**
 * Issue 20: an A/B pair for a change on the message path, in one run so that both sides see
 * the same machine: fanout at 10 receivers and the rooms scenario on Hearth as checked out (A)
 * and on B (`--ab-base`: another checkout, e.g. a worktree of the commit before; and/or
 * `--ab-vars`), the order alternating by rep, each followed by the floor for the ratios.
 */
async function abScenario() {
  if (!config.scenarios.includes("ab")) return;
  if (!config.abBase && Object.keys(config.abVars).length === 0 && !config.abWithoutAssets) throw new Error("ab: give --ab-base=DIR, --ab-vars=K=V,... and/or --ab-without-assets");
  log(`ab: A = this checkout; B = ${config.abBase ?? "this checkout"}${Object.keys(config.abVars).length ? ` with ${JSON.stringify(config.abVars)}` : ""}${config.abWithoutAssets ? " without its [assets] section" : ""}`);
  const servers = {
    a: await startHearthServer(config.hearthVars),
    b: await startHearthServer({ ...config.hearthVars, ...config.abVars }, undefined, { ...(config.abBase ? { root: config.abBase } : {}), assets: !config.abWithoutAssets }),
    floor: await startCeiling({ assets: config.references === "router" }),
  };
  const targets: Record<AbSide, Target> = { a: new HearthTarget(servers.a), b: new HearthTarget(servers.b), floor: new CeilingTarget(servers.floor, "floor") };
  results.ab = [];
  const durationMs = config.durationS * 1000;
  const warmupMs = config.warmupS * 1000;
  try {
    for (let rep = 1; rep <= config.reps; rep++) {
      const entry: NonNullable<Results["ab"]>[number] = { rep, fanout: {}, rooms: {} };
      results.ab.push(entry);
      const order: AbSide[] = rep % 2 ? ["a", "b", "floor"] : ["b", "a", "floor"];
      for (const side of order) {
        log(`ab rep ${rep}/${config.reps}, fanout 10: ${side}`);
        entry.fanout[side] = await runTraffic(targets[side], { rooms: 1, sendersPerRoom: 4, receiversPerRoom: 10, durationMs, warmupMs });
        log(`  ${describeTraffic(entry.fanout[side]!)}`);
        save();
        await sleep(1000);
      }
      for (const side of order) {
        log(`ab rep ${rep}/${config.reps}, rooms ${config.rooms} × 5: ${side}`);
        entry.rooms[side] = await runTraffic(targets[side], { rooms: config.rooms, sendersPerRoom: 1, receiversPerRoom: 4, durationMs, warmupMs });
        log(`  ${describeTraffic(entry.rooms[side]!)}`);
        save();
        await sleep(1000);
      }
    }
  } finally {
    await Promise.all(Object.values(servers).map((s) => s.stop()));
  }
}

/** The ab scenario's rows: medians of each side, and of the per-rep ratios B / A. */
function abRows(): Row[] {
  const rows: Row[] = [];
  const entries = results.ab ?? [];
  if (entries.length === 0) return rows;
  for (const scenario of ["fanout", "rooms"] as const) {
    const metrics: [string, (r: TrafficResult) => number, string][] = [
      ["msgs/s", (r) => r.msgsPerS, "/s"],
      ["latency p99", (r) => r.latencyMs.p99, "ms"],
      ["server CPU per message", (r) => r.cpuUsPerMsg["server total"] ?? NaN, "µs"],
    ];
    for (const [metric, f, unit] of metrics) {
      const of = (side: AbSide) => entries.map((e) => e[scenario][side]).filter((r): r is TrafficResult => !!r).map(f);
      const pairs = entries.filter((e) => e[scenario].a && e[scenario].b).map((e) => f(e[scenario].b!) / f(e[scenario].a!));
      const label = scenario === "fanout" ? "ab fanout 10" : `ab rooms ${config.rooms}×5`;
      rows.push({ scenario: label, metric: `${metric}: B (A = reference)`, hearth: median(of("b")), reference: median(of("a")), referenceName: "A", ratio: median(pairs), target: "(info)", pass: null, unit });
      if (metric !== "server CPU per message") {
        rows.push({ scenario: label, metric: `${metric}: A / floor`, hearth: median(of("a")), reference: median(of("floor")), referenceName: "floor", ratio: median(of("a")) / median(of("floor")), target: "(info)", pass: null, unit });
        rows.push({ scenario: label, metric: `${metric}: B / floor`, hearth: median(of("b")), reference: median(of("floor")), referenceName: "floor", ratio: median(of("b")) / median(of("floor")), target: "(info)", pass: null, unit });
      }
    }
  }
  return rows;
}

// ---- summary -----------------------------------------------------------------------------------

function summarize(): Row[] {
  const rows: Row[] = [];
  const med = (runs: (TrafficResult | undefined)[], f: (r: TrafficResult) => number) => median(runs.filter((r): r is TrafficResult => !!r).map(f));
  for (const receivers of config.sizes) {
    const entries = results.fanout.filter((e) => e.receivers === receivers);
    if (entries.length === 0) continue;
    const get = (t: TargetName) => entries.map((e) => e.runs[t]);
    // Issue 20: at 10 receivers Hearth is held to the ceiling that carries its bytes (each
    // frame padded to Hearth's); at 100 and 500 to the plain ceiling, as before.
    const sameBytes = receivers <= 10 && get("ceiling-bytes").some((r) => r);
    const ref: TargetName = sameBytes ? "ceiling-bytes" : "ceiling";
    const refName = sameBytes ? "ceiling, same bytes" : "ceiling";
    const other: TargetName = sameBytes ? "ceiling" : "ceiling-bytes";
    const otherName = sameBytes ? "ceiling" : "ceiling, same bytes";
    const minRatio = 0.9;
    const hd = med(get("hearth"), (r) => r.deliveriesPerS);
    const cd = med(get(ref), (r) => r.deliveriesPerS);
    rows.push({ scenario: `fanout ${receivers}`, metric: "deliveries/s", hearth: hd, reference: cd, referenceName: refName, ratio: hd / cd, target: `≥ ${minRatio} × ${refName}`, pass: hd / cd >= minRatio, unit: "/s" });
    const hp = med(get("hearth"), (r) => r.latencyMs.p99);
    const cp = med(get(ref), (r) => r.latencyMs.p99);
    rows.push({ scenario: `fanout ${receivers}`, metric: "latency p99", hearth: hp, reference: cp, referenceName: refName, ratio: hp / cp, target: `≤ 1.25 × ${refName}`, pass: hp / cp <= 1.25, unit: "ms" });
    const h50 = med(get("hearth"), (r) => r.latencyMs.p50);
    const c50 = med(get(ref), (r) => r.latencyMs.p50);
    rows.push({ scenario: `fanout ${receivers}`, metric: "latency p50", hearth: h50, reference: c50, referenceName: refName, ratio: h50 / c50, target: "(info)", pass: null, unit: "ms" });
    const hm = med(get("hearth"), (r) => r.msgsPerS);
    const cm = med(get(ref), (r) => r.msgsPerS);
    rows.push({ scenario: `fanout ${receivers}`, metric: "accepted msgs/s", hearth: hm, reference: cm, referenceName: refName, ratio: hm / cm, target: "(info)", pass: null, unit: "/s" });
    if (get(other).some((r) => r)) {
      const od = med(get(other), (r) => r.deliveriesPerS);
      rows.push({ scenario: `fanout ${receivers}`, metric: `deliveries/s vs ${otherName}`, hearth: hd, reference: od, referenceName: otherName, ratio: hd / od, target: "(info)", pass: null, unit: "/s" });
      const op = med(get(other), (r) => r.latencyMs.p99);
      rows.push({ scenario: `fanout ${receivers}`, metric: `latency p99 vs ${otherName}`, hearth: hp, reference: op, referenceName: otherName, ratio: hp / op, target: "(info)", pass: null, unit: "ms" });
    }
    const hb = med(get("hearth"), (r) => r.bytesPerDelivery);
    const cb = med(get("ceiling"), (r) => r.bytesPerDelivery);
    if (hb > 0) rows.push({ scenario: `fanout ${receivers}`, metric: "bytes per delivery", hearth: hb, reference: cb, referenceName: "ceiling", ratio: hb / cb, target: "(info)", pass: null, unit: "B" });
    if (get("floor").some((r) => r)) {
      const fd = med(get("floor"), (r) => r.deliveriesPerS);
      rows.push({ scenario: `fanout ${receivers}`, metric: "deliveries/s vs floor", hearth: hd, reference: fd, referenceName: "floor", ratio: hd / fd, target: "(info)", pass: null, unit: "/s" });
    }
  }
  if (results.rooms.length) {
    const get = (t: TargetName) => results.rooms.map((e) => e.runs[t]);
    const hm = med(get("hearth"), (r) => r.msgsPerS);
    const fm = med(get("floor"), (r) => r.msgsPerS);
    const cm = med(get("ceiling"), (r) => r.msgsPerS);
    rows.push({ scenario: `rooms ${config.rooms}×5`, metric: "msgs/s", hearth: hm, reference: fm, referenceName: "floor", ratio: hm / fm, target: "≥ 0.95 × floor", pass: hm / fm >= 0.95, unit: "/s" });
    rows.push({ scenario: `rooms ${config.rooms}×5`, metric: "msgs/s vs ceiling", hearth: hm, reference: cm, referenceName: "ceiling", ratio: hm / cm, target: "(info)", pass: null, unit: "/s" });
    const hp = med(get("hearth"), (r) => r.latencyMs.p99);
    const fp = med(get("floor"), (r) => r.latencyMs.p99);
    rows.push({ scenario: `rooms ${config.rooms}×5`, metric: "latency p99", hearth: hp, reference: fp, referenceName: "floor", ratio: hp / fp, target: "≤ 1.25 × floor", pass: hp / fp <= 1.25, unit: "ms" });
    if (get("floor-bare").some((r) => r)) {
      const bm = med(get("floor-bare"), (r) => r.msgsPerS);
      const bp = med(get("floor-bare"), (r) => r.latencyMs.p99);
      rows.push({ scenario: `rooms ${config.rooms}×5`, metric: "msgs/s vs the bare floor (no asset router)", hearth: hm, reference: bm, referenceName: "floor, bare", ratio: hm / bm, target: "(info)", pass: null, unit: "/s" });
      rows.push({ scenario: `rooms ${config.rooms}×5`, metric: "latency p99 vs the bare floor", hearth: hp, reference: bp, referenceName: "floor, bare", ratio: hp / bp, target: "(info)", pass: null, unit: "ms" });
    }
    const hb = med(get("hearth"), (r) => r.bytesPerDelivery);
    const fb = med(get("floor"), (r) => r.bytesPerDelivery);
    if (hb > 0) rows.push({ scenario: `rooms ${config.rooms}×5`, metric: "bytes per delivery", hearth: hb, reference: fb, referenceName: "floor", ratio: hb / fb, target: "(info)", pass: null, unit: "B" });
  }
  const allTraffic = [...results.fanout.flatMap((e) => Object.values(e.runs)), ...results.rooms.flatMap((e) => Object.values(e.runs))].filter((r): r is TrafficResult => !!r);
  if (allTraffic.length) {
    const hearthRuns = allTraffic.filter((r) => r.target === "hearth");
    const bad = (rs: TrafficResult[]) => rs.reduce((a, r) => a + r.lost + r.duplicated + r.seqGaps + r.unacked, 0);
    rows.push({ scenario: "fanout + rooms", metric: "lost + duplicated (Hearth, all runs)", hearth: bad(hearthRuns), target: "0 in every run", pass: bad(hearthRuns) === 0, unit: "" });
    const others = allTraffic.filter((r) => r.target !== "hearth");
    rows.push({ scenario: "fanout + rooms", metric: "lost + duplicated (ceiling and floor)", hearth: bad(others), target: "(info)", pass: null, unit: "" });
  }
  rows.push(...watchersRows());
  rows.push(...abRows());
  for (const [i, size] of config.idleSizes.entries()) {
    const h = results.idle.map((e) => e.hearth?.steps[i]).filter((s) => !!s);
    const c = results.idle.map((e) => e.ceiling?.steps[i]).filter((s) => !!s);
    if (!h.length || !c.length) continue;
    const hb = median(h.map((s) => s!.bytesPerConnHeld)) / 1024;
    const cb = median(c.map((s) => s!.bytesPerConnHeld)) / 1024;
    const n = ` (n=${h.length})`;
    rows.push({ scenario: `idle ${size}${n}`, metric: "memory per connection (after hold)", hearth: hb, reference: cb, referenceName: "ceiling", ratio: hb / cb, target: "≤ 1.1 × ceiling", pass: hb / cb <= 1.1, unit: "KiB" });
    const ho = median(h.map((s) => s!.bytesPerConnOpen)) / 1024;
    const co = median(c.map((s) => s!.bytesPerConnOpen)) / 1024;
    rows.push({ scenario: `idle ${size}${n}`, metric: "memory per connection (just opened)", hearth: ho, reference: co, referenceName: "ceiling", ratio: ho / co, target: "(info)", pass: null, unit: "KiB" });
    if (i === 0) {
      const first = results.idle[0];
      const hn = first?.hearthNoAssets?.steps[0];
      const ca = first?.ceilingAssets?.steps[0];
      const h1 = first?.hearth?.steps[0];
      const c1 = first?.ceiling?.steps[0];
      if (hn && c1) rows.push({ scenario: `idle ${size} (n=1)`, metric: "memory per connection, both without an asset router (Hearth minus [assets])", hearth: hn.bytesPerConnHeld / 1024, reference: c1.bytesPerConnHeld / 1024, referenceName: "ceiling", ratio: hn.bytesPerConnHeld / c1.bytesPerConnHeld, target: "(info)", pass: null, unit: "KiB" });
      if (h1 && ca) rows.push({ scenario: `idle ${size} (n=1)`, metric: "memory per connection, both behind the asset router (ceiling plus [assets])", hearth: h1.bytesPerConnHeld / 1024, reference: ca.bytesPerConnHeld / 1024, referenceName: "ceiling+assets", ratio: h1.bytesPerConnHeld / ca.bytesPerConnHeld, target: "(info)", pass: null, unit: "KiB" });
    }
    const hc = median(h.map((s) => s!.open.connectMs.p50));
    const cc = median(c.map((s) => s!.open.connectMs.p50));
    rows.push({ scenario: `idle ${size}${n}`, metric: "connect time p50 (token in the upgrade)", hearth: hc, reference: cc, referenceName: "ceiling", ratio: hc / cc, target: "(info)", pass: null, unit: "ms" });
    const hw = median(h.map((s) => s!.open.wallS));
    const cw = median(c.map((s) => s!.open.wallS));
    rows.push({ scenario: `idle ${size}${n}`, metric: "time to open them all (32 at a time)", hearth: hw, reference: cw, referenceName: "ceiling", ratio: hw / cw, target: "(info)", pass: null, unit: "s" });
    const missing = h.reduce((a, s) => a + s!.check.missing + s!.check.duplicated, 0);
    const hl = median(h.map((s) => s!.check.latencyMs.p99));
    const cl = median(c.map((s) => s!.check.latencyMs.p99));
    rows.push({ scenario: `idle ${size}${n}`, metric: "delivery after the hold: p99 (all delivered once?)", hearth: hl, reference: cl, referenceName: "ceiling", ratio: hl / cl, target: "every socket gets it once", pass: missing === 0, unit: "ms" });
  }
  for (const [name, o] of [
    ["custom caps 20/50", results.overload.custom],
    ["default caps 1000/4500", results.overload.defaults],
  ] as const) {
    if (!o) continue;
    rows.push({ scenario: `overload ${name}`, metric: "refused with 503, open sockets keep working", hearth: o.steps.reduce((a, s) => a + s.open.attempted - s.open.opened, 0), target: "503 room_full / server_full; no drops", pass: o.pass, unit: "refused" });
  }
  if (results.history) {
    const h = results.history;
    rows.push({ scenario: `history ${(h.messages / 1e6).toFixed(h.messages >= 1e6 ? 0 : 1)}M`, metric: "newest page p99", hearth: h.newest.p99, target: "≤ 20 ms", pass: h.newest.p99 <= 20, unit: "ms" });
    rows.push({ scenario: `history ${(h.messages / 1e6).toFixed(h.messages >= 1e6 ? 0 : 1)}M`, metric: "newest page p50", hearth: h.newest.p50, target: "(info)", pass: null, unit: "ms" });
    rows.push({ scenario: `history ${(h.messages / 1e6).toFixed(h.messages >= 1e6 ? 0 : 1)}M`, metric: `page ${f0(h.deep.before - 1)} deep p99`, hearth: h.deep.p99, target: "≤ 50 ms", pass: h.deep.p99 <= 50, unit: "ms" });
    rows.push({ scenario: `history ${(h.messages / 1e6).toFixed(h.messages >= 1e6 ? 0 : 1)}M`, metric: `page ${f0(h.deep.before - 1)} deep p50`, hearth: h.deep.p50, target: "(info)", pass: null, unit: "ms" });
  }
  rows.push(...searchRows());
  return rows;
}

/** The search and search-ab scenarios (issue 18). */
function searchRows(): Row[] {
  const rows: Row[] = [];
  const s = results.search;
  if (s) {
    const scenario = `search ${(s.seed.messages / 1e6).toFixed(s.seed.messages >= 1e6 ? 0 : 1)}M`;
    const health = s.health.p50;
    for (const [kind, r] of Object.entries(s.kinds)) {
      const scored = kind === "rare" || kind === "prefix";
      const label = `${kind} "${r.q}"${r.room ? " (room filter)" : ""}`;
      rows.push({ scenario, metric: `${label} p99`, hearth: r.p99, target: scored ? "< 150 ms" : "(info)", pass: scored ? r.p99 < 150 : null, unit: "ms" });
      rows.push({ scenario, metric: `${label} p50`, hearth: r.p50, reference: health, referenceName: "GET /health p50", ratio: r.p50 / health, target: "(info)", pass: null, unit: "ms" });
    }
    if (s.d1) rows.push({ scenario, metric: "D1 bytes per message (rows + index)", hearth: (s.d1.rowsBytes + s.d1.indexBytes) / s.d1.messages, target: "(info)", pass: null, unit: "B" });
    const ok = Object.values(s.verified).every((v) => v.ok) && s.termsCheck.mismatches.length === 0;
    rows.push({ scenario, metric: "planted terms found exactly; worker's terms = bench's", hearth: Object.values(s.verified).reduce((a, v) => a + v.found, 0), target: "all", pass: ok, unit: "" });
  }
  const ab = results.searchAb ?? [];
  if (ab.length) {
    const scenario = `search-ab rooms ${config.rooms}×5`;
    const runs = (v: IndexVariant) => ab.map((e) => e.runs[v]).filter((r): r is TrafficResult => !!r);
    const info = (metric: string, unit: string, f: (r: TrafficResult) => number) => {
      const on = median(runs("on").map(f));
      const off = median(runs("off").map(f));
      rows.push({ scenario, metric: `${metric}, index on vs off`, hearth: on, reference: off, referenceName: "SEARCH_INDEX=off", ratio: on / off, target: "(info) ≈ 1", pass: null, unit });
    };
    info("msgs/s", "/s", (r) => r.msgsPerS);
    info("latency p99", "ms", (r) => r.latencyMs.p99);
    info("ack p99", "ms", (r) => r.ackMs.p99);
    info("server CPU per message", "µs", (r) => r.cpuUsPerMsg["server total"] ?? NaN);
    const check = results.searchAbCheck;
    if (check) rows.push({ scenario, metric: 'indexed with it, not without (hits for "the" afterwards)', hearth: check.on, reference: check.off, referenceName: "SEARCH_INDEX=off", target: "> 0 and 0", pass: check.on > 0 && check.off === 0, unit: "" });
    const bad = [...runs("on"), ...runs("off")].reduce((a, r) => a + r.lost + r.duplicated + r.seqGaps + r.unacked, 0);
    rows.push({ scenario, metric: "lost + duplicated (all runs)", hearth: bad, target: "0 in every run", pass: bad === 0, unit: "" });
  }
  return rows;
}

/** The watchers scenario: Hearth with the watchers' channels open against none, and against the ceiling. */
function watchersRows(): Row[] {
  const entries = results.watchers ?? [];
  if (!entries.length) return [];
  const rows: Row[] = [];
  const scenario = `watchers ${config.watchers}`;
  const runs = (v: WatchersVariant) => entries.map((e) => e.runs[v]).filter((r): r is WatchersRun => !!r);
  const med = (v: WatchersVariant, f: (r: WatchersRun) => number) => median(runs(v).map(f));
  const info = (metric: string, unit: string, f: (r: WatchersRun) => number, ref: WatchersVariant = "none") => {
    const h = med("watching", f);
    const r = med(ref, f);
    rows.push({ scenario, metric, hearth: h, reference: r, referenceName: ref === "none" ? "0 watching" : ref, ratio: h / r, target: "(info)", pass: null, unit });
  };
  info(`msgs/s, ${config.watchers} watching vs 0`, "/s", (r) => r.traffic.msgsPerS);
  info(`msgs/s, ${config.watchers} watching vs ceiling`, "/s", (r) => r.traffic.msgsPerS, "ceiling");
  const none = med("none", (r) => r.traffic.msgsPerS);
  const ceil = med("ceiling", (r) => r.traffic.msgsPerS);
  rows.push({ scenario, metric: "msgs/s, 0 watching vs ceiling", hearth: none, reference: ceil, referenceName: "ceiling", ratio: none / ceil, target: "(info)", pass: null, unit: "/s" });
  info("ack latency p50", "ms", (r) => r.traffic.ackMs.p50);
  info("ack latency p99", "ms", (r) => r.traffic.ackMs.p99);
  info("server CPU per second (cores busy)", "cores", (r) => (r.traffic.cpuMs["server total"] ?? NaN) / 1000 / r.traffic.durationS);
  // Every watcher got counts during the run, no more often than the 300 ms window allows, and the
  // last one carried the room's last seq; the room listed them all while watching, none otherwise.
  const watching = runs("watching");
  const bound = 1000 / 300;
  const ok =
    watching.length > 0 &&
    watching.every((r) => r.channels && r.channels.minPerWatcher > 0 && r.channels.framesPerWatcherPerS <= bound * 1.02 && r.channels.upToDate === r.channels.open && r.elsewhereBefore === r.channels.open) &&
    runs("none").every((r) => r.elsewhereBefore === 0);
  rows.push({ scenario, metric: "counts frames per watcher per second (all watchers, all up to date?)", hearth: med("watching", (r) => r.channels?.framesPerWatcherPerS ?? NaN), target: "> 0 for every watcher, ≤ 3.33 (one per 300 ms), last one current", pass: ok, unit: "/s per watcher" });
  const hearthRuns = [...watching, ...runs("none")].map((r) => r.traffic);
  const bad = hearthRuns.reduce((a, r) => a + r.lost + r.duplicated + r.seqGaps + r.unacked, 0);
  rows.push({ scenario, metric: "lost + duplicated (Hearth, all runs)", hearth: bad, target: "0 in every run", pass: bad === 0, unit: "" });
  return rows;
}

function fmtValue(v: number | undefined, unit: string): string {
  if (v === undefined || !Number.isFinite(v)) return "–";
  if (unit === "ms" || unit === "s") return v < 10 ? v.toFixed(2) : v.toFixed(1);
  if (unit === "cores" || unit === "/s per watcher") return v.toFixed(2);
  if (unit === "KiB") return v.toFixed(0);
  return f0(v);
}

function markdown(rows: Row[]): string {
  const lines = ["| scenario | metric | Hearth | reference | ratio | target | result |", "|---|---|---:|---:|---:|---|---|"];
  for (const r of rows) {
    const unit = r.unit && r.unit !== "/s" && r.unit !== "refused" ? ` ${r.unit}` : "";
    lines.push(
      `| ${r.scenario} | ${r.metric} | ${fmtValue(r.hearth, r.unit)}${unit} | ${r.reference !== undefined ? `${fmtValue(r.reference, r.unit)}${unit} (${r.referenceName})` : ""} | ${r.ratio !== undefined ? f2(r.ratio) : ""} | ${r.target} | ${r.pass === null ? "" : r.pass ? "pass" : "**MISS**"} |`,
    );
  }
  return lines.join("\n");
}

function detailTables(): string {
  const out: string[] = [];
  const traffic = (title: string, entries: { rep: number; receivers?: number; runs: Partial<Record<TargetName, TrafficResult>> }[]) => {
    if (!entries.length) return;
    out.push(`\n#### ${title}\n`);
    out.push("| run | target | msgs/s | deliveries/s | p50 ms | p95 ms | p99 ms | lost | dup | server CPU µs/msg (runtime / proxy) | load |");
    out.push("|---|---|---:|---:|---:|---:|---:|---:|---:|---|---:|");
    for (const e of entries) {
      for (const [name, r] of Object.entries(e.runs)) {
        if (!r) continue;
        out.push(
          `| ${e.receivers !== undefined ? `${e.receivers} recv, ` : ""}rep ${e.rep} | ${name} | ${f0(r.msgsPerS)} | ${f0(r.deliveriesPerS)} | ${f1(r.latencyMs.p50)} | ${f1(r.latencyMs.p95)} | ${f1(r.latencyMs.p99)} | ${r.lost} | ${r.duplicated} | ${f0(r.cpuUsPerMsg["server total"] ?? NaN)} (${f0(r.cpuUsPerMsg["workerd (runtime)"] ?? NaN)} / ${f0(r.cpuUsPerMsg["workerd (proxy)"] ?? NaN)}) | ${f1(r.loadavg[0] ?? NaN)} |`,
        );
      }
    }
  };
  traffic("fanout, every run", results.fanout);
  traffic("rooms, every run", results.rooms);
  traffic("search-ab (the rooms scenario, chat text): index on, SEARCH_INDEX=off, every run", (results.searchAb ?? []) as unknown as Results["rooms"]);
  if (results.watchers?.length) {
    const setup = results.watchersSetup;
    out.push(`\n#### watchers, every run\n\n4 senders and 4 receivers on room sockets in one room; ${config.watchers} more members of it with only their per-user channel open in the \`watching\` runs${setup ? ` (${setup.users} users and the room made in ${f1(setup.seconds)} s)` : ""}.\n`);
    out.push("| rep | variant | msgs/s | ack p50 / p99 ms | delivery p99 ms | lost | dup | server CPU µs/msg (runtime / proxy) | cores busy | in the app elsewhere | counts/s per watcher (min-max in window) | min gap ms | up to date | load |");
    out.push("|---|---|---:|---|---:|---:|---:|---|---:|---:|---|---:|---|---:|");
    for (const e of results.watchers) {
      for (const [v, w] of Object.entries(e.runs)) {
        if (!w) continue;
        const r = w.traffic;
        const c = w.channels;
        out.push(
          `| ${e.rep} | ${v} | ${f0(r.msgsPerS)} | ${f1(r.ackMs.p50)} / ${f1(r.ackMs.p99)} | ${f1(r.latencyMs.p99)} | ${r.lost} | ${r.duplicated} | ${f0(r.cpuUsPerMsg["server total"] ?? NaN)} (${f0(r.cpuUsPerMsg["workerd (runtime)"] ?? NaN)} / ${f0(r.cpuUsPerMsg["workerd (proxy)"] ?? NaN)}) | ${f2((r.cpuMs["server total"] ?? NaN) / 1000 / r.durationS)} | ${w.elsewhereBefore ?? ""} | ${c ? `${f2(c.framesPerWatcherPerS)} (${c.minPerWatcher}-${c.maxPerWatcher})` : ""} | ${c ? f0(c.gapMs.min) : ""} | ${c ? `${c.upToDate}/${c.open}` : ""} | ${f1(r.loadavg[0] ?? NaN)} |`,
        );
      }
    }
  }
  if (results.idle.length) {
    out.push("\n#### idle, every run\n");
    out.push("| rep | target | sockets | open in (s) | connect p50/p99 ms | KiB/conn open | KiB/conn after hold | runtime / proxy KiB/conn | whole group KiB/conn | hibernated | check delivered | check p99 ms | unexpected closes |");
    out.push("|---|---|---:|---:|---|---:|---:|---|---:|---|---|---:|---|");
    for (const e of results.idle) {
      for (const r of [e.hearth, e.ceiling]) {
        if (!r) continue;
        for (const s of r.steps) {
          out.push(
            `| ${e.rep} | ${r.target} | ${s.connections} | ${f1(s.open.wallS)} | ${f1(s.open.connectMs.p50)} / ${f1(s.open.connectMs.p99)} | ${f0(s.bytesPerConnOpen / 1024)} | ${f0(s.bytesPerConnHeld / 1024)} | ${f0((s.bytesPerConnByRole["workerd (runtime)"] ?? NaN) / 1024)} / ${f0((s.bytesPerConnByRole["workerd (proxy)"] ?? NaN) / 1024)} | ${f0(s.bytesPerConnHeldGroup / 1024)} | ${s.hibernated === undefined ? "" : s.hibernated ? "yes (probe)" : "no (probe)"} | ${s.check.delivered}/${s.check.expected}${s.check.duplicated ? ` (+${s.check.duplicated} dup)` : ""} | ${f1(s.check.latencyMs.p99)} | ${JSON.stringify(s.unexpectedCloses)} |`,
          );
        }
      }
    }
  }
  if (results.memorySplit) {
    out.push("\n#### idle memory, split (`--profile`): HTTP requests first, then sockets (workerd RSS, KiB each)\n");
    out.push("| target | n | per HTTP request: runtime / proxy | per socket: runtime / proxy |");
    out.push("|---|---:|---|---|");
    for (const m of results.memorySplit) out.push(`| ${m.target} (GET /health) | ${m.n} | ${f0(m.kibPerRequest.runtime)} / ${f0(m.kibPerRequest.proxy)} | ${f0(m.kibPerSocket.runtime)} / ${f0(m.kibPerSocket.proxy)} |`);
  }
  for (const [name, o] of Object.entries(results.overload)) {
    if (!o || name === "ceiling") continue;
    const ov = o as OverloadResult;
    out.push(`\n#### overload, ${ov.caps.defaults ? "documented defaults" : "custom caps"}: ${ov.caps.room} per room, ${ov.caps.server} in all\n`);
    out.push("| step | opened / attempted | refused | expected | ok |");
    out.push("|---|---|---|---|---|");
    for (const s of ov.steps) out.push(`| ${s.step} | ${s.open.opened} / ${s.open.attempted} (${f1(s.open.wallS)} s) | ${JSON.stringify(s.open.refused)} | ${s.expect} | ${s.pass ? "yes" : "**no**"} |`);
    for (const c of ov.checks) out.push(`| delivery check ${c.step} | ${c.check.delivered} / ${c.check.expected} delivered in ${c.check.rooms} rooms, p99 ${f1(c.check.latencyMs.p99)} ms | | every socket once | ${c.pass ? "yes" : "**no**"} |`);
    out.push(`| unexpected closes | ${JSON.stringify(ov.unexpectedCloses)} | | none | ${Object.keys(ov.unexpectedCloses).length === 0 ? "yes" : "**no**"} |`);
    out.push(`| GET /health afterwards | ${ov.healthAfter} | | 200 | ${ov.healthAfter === 200 ? "yes" : "**no**"} |`);
  }
  if (results.overload.ceiling) {
    const c = results.overload.ceiling;
    out.push(`\n#### overload, the ceiling (no caps)\n\n${JSON.stringify(c)}`);
  }
  if (results.history) {
    const h = results.history;
    out.push(
      `\n#### history\n\n${f0(h.messages)} messages (seeded in ${f1(h.seedS)} s, room SQLite ${f0(h.dbBytes / 2 ** 20)} MiB); ${h.requests} requests each, alternating; pages of ${h.pageSize}.\n\n` +
        "| request | p50 ms | p95 ms | p99 ms | max ms |\n|---|---:|---:|---:|---:|\n" +
        `| newest page | ${f1(h.newest.p50)} | ${f1(h.newest.p95)} | ${f1(h.newest.p99)} | ${f1(h.newest.max)} |\n` +
        `| page ${f0(h.deep.before - 1)} deep | ${f1(h.deep.p50)} | ${f1(h.deep.p95)} | ${f1(h.deep.p99)} | ${f1(h.deep.max)} |\n` +
        `| GET /health (same server, for scale) | ${f1(h.health.p50)} | ${f1(h.health.p95)} | ${f1(h.health.p99)} | ${f1(h.health.max)} |\n\n` +
        `First request after the restart (the room object loads): ${f1(h.firstRequestMs)} ms.`,
    );
  }
  if (results.search) out.push(searchDetails(results.search));
  return out.join("\n");
}

function searchDetails(s: SearchResult): string {
  const seed = s.seed;
  const lines = [
    `\n#### search\n`,
    `${f0(seed.messages)} messages in ${s.options.rooms} rooms (${f0(s.options.perRoom)} each), the searcher in ${s.options.memberOf}; ${s.users} users; ` +
      `set up through the API in ${f1(s.setupS)} s, seeded (${s.options.seedMode}) in ${f1(seed.seconds)} s${s.copyS !== undefined ? `, copied to D1 by the rooms in ${f1(s.copyS)} s` : ""}, restarted in ${f1(s.restartS)} s. ` +
      `Text: ${f1(seed.avgChars)} characters (${f1(seed.avgBytes)} UTF-8 bytes) and ${f1(seed.avgTokens)} terms per message on average, ${f0(seed.distinctTerms)} distinct terms, ${f1(seed.nonLatinShare * 100)} % non-Latin lines. ` +
      `The worker's terms and the bench's agree on ${s.termsCheck.compared - s.termsCheck.mismatches.length} of ${s.termsCheck.compared} messages; ` +
      Object.entries(s.verified).map(([t, v]) => `"${t}" found ${v.found} of ${v.expected}${v.ok ? "" : " (**wrong**)"}`).join(", ") +
      `. First request after the restart: ${f1(s.firstRequestMs)} ms. Load ${s.loadavg.start.map(f1).join(" ")} at the start, ${s.loadavg.end.map(f1).join(" ")} at the end.\n`,
    `${s.options.requests} requests of each kind, interleaved (each round in another order, GET /health first).\n`,
    "| query | matches (all / searcher's) | hits on page | p50 ms | p95 ms | p99 ms | max ms | the SQL alone: cold / warm ms |",
    "|---|---|---:|---:|---:|---:|---:|---:|",
  ];
  for (const [kind, r] of Object.entries(s.kinds)) {
    lines.push(`| ${kind}: \`${r.q}\`${r.room ? " in one room" : ""} | ${f0(r.matches.all)} / ${f0(r.matches.searcher)} | ${r.hits}${r.nextCursor ? "+" : ""} | ${f1(r.p50)} | ${f1(r.p95)} | ${f1(r.p99)} | ${f1(r.max)} | ${r.sqlMs !== undefined ? `${r.sqlColdMs} / ${r.sqlMs}` : ""} |`);
  }
  lines.push(`| GET /health (same server) | | | ${f1(s.health.p50)} | ${f1(s.health.p95)} | ${f1(s.health.p99)} | ${f1(s.health.max)} | |`);
  if (s.d1) {
    const d = s.d1;
    lines.push(
      `\nD1: ${f0(d.fileBytes / 2 ** 20)} MiB file, ${f0(d.messages)} messages: rows ${f0(d.rowsBytes / d.messages)} + index ${f0(d.indexBytes / d.messages)} = **${f0((d.rowsBytes + d.indexBytes) / d.messages)} bytes per message** ` +
        `(${f1(10e9 / ((d.rowsBytes + d.indexBytes) / d.messages) / 1e6)} million messages in 10 GB). By table (dbstat, MiB): ` +
        Object.entries(d.tables).filter(([, b]) => b > 2 ** 20).map(([t, b]) => `${t} ${f1(b / 2 ** 20)}`).join(", ") + ".",
    );
  }
  for (const e of s.explain ?? []) {
    lines.push(`\nEXPLAIN QUERY PLAN (${e.kind}, workerd's SQLite)${e.tempBTree ? " — **sorts**" : " — no temp B-tree: FTS5 hands rows newest first"}:\n\n\`\`\`\n${e.plan.join("\n")}\n\`\`\``);
    if (e.nodePlan) lines.push(`\nNode's SQLite plans the same query otherwise:\n\n\`\`\`\n${e.nodePlan.join("\n")}\n\`\`\``);
  }
  return lines.join("\n");
}

function chart() {
  if (!results.fanout.length) return;
  const colors: Record<TargetName, string> = { hearth: "#d9480f", ceiling: "#1c7ed6", "ceiling-bytes": "#7048e8", floor: "#2b8a3e", "floor-bare": "#868e96", forward: "#adb5bd" };
  const series: Series[] = [];
  for (const t of ["hearth", "ceiling", "ceiling-bytes", "floor"] as TargetName[]) {
    const pts = config.sizes
      .map((n) => {
        const runs = results.fanout.filter((e) => e.receivers === n).map((e) => e.runs[t]).filter((r): r is TrafficResult => !!r);
        return runs.length ? { n, d: median(runs.map((r) => r.deliveriesPerS)), p50: median(runs.map((r) => r.latencyMs.p50)), p99: median(runs.map((r) => r.latencyMs.p99)) } : null;
      })
      .filter((p) => p !== null);
    if (!pts.length) continue;
    series.push({ name: TARGET_LABEL[t], color: colors[t], throughput: pts.map((p) => [p!.n, p!.d]), p50: pts.map((p) => [p!.n, p!.p50]), p99: pts.map((p) => [p!.n, p!.p99]) });
  }
  const reps = Math.max(...config.sizes.map((n) => results.fanout.filter((e) => e.receivers === n).length));
  const svg = renderChart(series, `${results.startedAt.slice(0, 16).replace("T", " ")} UTC · ${results.machine.nproc} cores · wrangler ${results.machine.wrangler} · ${reps} interleaved runs of ${config.durationS} s per point`);
  mkdirSync(config.outDir, { recursive: true });
  writeFileSync(join(config.outDir, `chart-${stamp}.svg`), svg);
  if (config.chart) writeFileSync(config.chart, svg);
  log(`chart: ${config.chart ?? join(config.outDir, `chart-${stamp}.svg`)}`);
}

/** Issue 20, item 4: the per-object costs behind the model of a room larger than one object (bench/lib/costs.ts). */
async function costsScenario() {
  if (!config.scenarios.includes("costs")) return;
  results.costs = await runCosts(
    {
      reps: config.reps,
      durationMs: config.costsDurationS * 1000,
      warmupMs: config.warmupS * 1000,
      pad: config.costsPad,
      shards: config.costsShards,
      filler: config.costsFiller,
      hearthVars: config.hearthVars,
    },
    log,
    describeTraffic,
    save,
  );
  save();
  console.log(`\n  costs, CPU µs (median of ${results.costs.reps.length} reps, min-max; load ${results.costs.reps.map((r) => f1(r.loadavg[0] ?? NaN)).join(", ")}):`);
  for (const [k, v] of Object.entries(results.costs.summary)) console.log(`    ${k.padEnd(44)} ${f1(v.median).padStart(8)}  (${f1(v.min)}-${f1(v.max)})`);
}

// ---- main --------------------------------------------------------------------------------------

async function main() {
  log(`npm run bench ${argv.join(" ")} — scenarios: ${config.scenarios.join(", ")}; ${config.reps} interleaved reps; load ${loadavg().map(f1).join(" ")}`);
  setDevTracing(config.devTracing);
  log(`wrangler dev's local tracing: ${config.devTracing ? "on (--dev-tracing)" : "off (X_LOCAL_OBSERVABILITY=false)"}`);
  log("bundling a snapshot of Hearth (wrangler deploy --dry-run)");
  hearthSnapshot();
  const steps: [Scenario | "traffic", () => Promise<void>][] = [
    ["traffic", trafficScenarios],
    ["watchers", watchersScenario],
    ["idle", idleScenario],
    ["overload", overloadScenario],
    ["history", historyScenario],
    ["search", searchScenario],
    ["search-ab", searchAbScenario],
    ["ab", abScenario],
    ["bigroom", bigroomScenario],
    ["costs", costsScenario],
  ];
  for (const [name, fn] of steps) {
    try {
      await fn();
    } catch (err) {
      const msg = `${name}: ${(err as Error).stack ?? err}`;
      results.errors.push(msg);
      log(`ERROR in ${msg}`);
      save();
    }
  }
}

let exitCode = 0;
const renderFrom = opt("render");
if (renderFrom) {
  const saved = JSON.parse(readFileSync(renderFrom, "utf8")) as Results;
  Object.assign(config, saved.config, { chart: opt("chart") ?? join(ROOT, "bench/chart.svg"), outDir: config.outDir });
  Object.assign(results, saved);
  results.summary = summarize();
  chart();
  const md = `### Summary\n\n${markdown(results.summary)}\n\n### Details\n${detailTables()}\n`;
  writeFileSync(join(config.outDir, "summary.md"), md);
  console.log(md);
  process.exit(0);
}
try {
  await main();
} finally {
  await stopAll();
  results.finishedAt = new Date().toISOString();
  results.wallS = (performance.now() - t0) / 1000;
  results.machine.loadavgAtEnd = loadavg();
  results.summary = summarize();
  save();
  chart();
  const md = `### Summary\n\n${markdown(results.summary)}\n\n### Details\n${detailTables()}\n`;
  writeFileSync(join(config.outDir, `summary-${stamp}.md`), md);
  writeFileSync(join(config.outDir, "summary.md"), md);
  console.log(`\n${markdown(results.summary)}\n`);
  const misses = results.summary.filter((r) => r.pass === false);
  log(`done in ${f0(results.wallS)} s: ${results.summary.filter((r) => r.pass === true).length} targets met, ${misses.length} missed${results.errors.length ? `, ${results.errors.length} scenario errors` : ""}`);
  log(`results: ${join(config.outDir, `bench-${stamp}.json`)} and summary-${stamp}.md`);
  if (results.errors.length) exitCode = 1;
}
process.exit(exitCode);
