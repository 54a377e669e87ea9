/**
 * Idle: N open sockets, 100 per room. Connect time; server memory per connection (VmRSS of
 * the workerd processes of wrangler's process group, before and after, just opened and after
 * the idle hold, when the rooms have hibernated); then one message per room must still reach
 * every socket.
 * Steps up: the first `sizes[0]` sockets, then more up to each next size, on one fresh server.
 */
import WebSocket from "ws";
import { Crowd, type CheckResult, type OpenResult } from "./crowd.ts";
import { groupMemory, startCeiling, startHearthServer, type Server } from "./servers.ts";
import { pool, sleep } from "./stats.ts";
import { CeilingTarget, HearthTarget, type Target } from "./targets.ts";

export interface IdleStep {
  connections: number;
  open: OpenResult;
  /** Bytes per connection over the baseline (RSS of the group's workerd processes), right after opening. */
  bytesPerConnOpen: number;
  /** The same after the idle hold (rooms hibernated). */
  bytesPerConnHeld: number;
  /** The same counting every process of wrangler's group (its Node process's GC adds noise). */
  bytesPerConnHeldGroup: number;
  /** Per process role, after the hold. */
  bytesPerConnByRole: Record<string, number>;
  rssHeldBytes: number;
  check: CheckResult;
  /** Ceiling only: whether the probe object was rebuilt during the hold (= objects hibernated). */
  hibernated?: boolean;
  unexpectedCloses: Record<string, number>;
}

export interface IdleResult {
  target: "hearth" | "ceiling";
  baselineBytes: number;
  steps: IdleStep[];
}

const PER_ROOM = 100;

/** `assets`: Hearth without its [assets] section (false), or the ceiling behind the same asset router (true); default: as configured. */
export async function runIdle(kind: "hearth" | "ceiling", sizes: number[], holdMs: number, log: (s: string) => void, opts: { assets?: boolean } = {}): Promise<IdleResult> {
  const server: Server = kind === "hearth" ? await startHearthServer({}, undefined, opts) : await startCeiling(opts);
  try {
    const target: Target = kind === "hearth" ? new HearthTarget(server) : new CeilingTarget(server, "ceiling");
    const totalRooms = Math.ceil(Math.max(...sizes) / PER_ROOM);
    const rooms = await target.rooms(totalRooms, 4);
    const crowd = new Crowd(target);

    // The probe (ceiling server only) tells whether objects were evicted during the hold.
    let probe: { ws: WebSocket; born: () => Promise<number> } | null = null;
    if (kind === "ceiling") {
      const ws = new WebSocket(`${server.url.replace("http", "ws")}/probe/idle/ws`, { perMessageDeflate: false });
      await new Promise((ok, fail) => {
        ws.once("open", ok);
        ws.once("error", fail);
      });
      probe = {
        ws,
        born: () =>
          new Promise<number>((ok) => {
            ws.once("message", (d: Buffer) => ok(JSON.parse(d.toString()).born));
            ws.send("born?");
          }),
      };
    }

    await sleep(2000);
    const baseline = groupMemory(server.pgid);
    const workerd = (m: typeof baseline) => m.processes.filter((p) => p.name === "workerd").reduce((a, p) => a + p.rss, 0);
    const steps: IdleStep[] = [];
    let opened = 0;
    for (const size of sizes) {
      const roomsNow = rooms.slice(opened / PER_ROOM, size / PER_ROOM);
      log(`    ${kind}: opening ${size - opened} sockets (${roomsNow.length} rooms)`);
      const open = await crowd.connect(roomsNow, PER_ROOM);
      opened = size;
      await sleep(2000);
      const afterOpen = groupMemory(server.pgid);
      const bornBefore = await probe?.born();
      log(`    ${kind}: ${crowd.open} open in ${open.wallS.toFixed(1)} s; holding ${holdMs / 1000} s`);
      await sleep(holdMs);
      const held = groupMemory(server.pgid);
      const bornAfter = await probe?.born();
      const check = await crowd.deliveryCheck();
      const byRole: Record<string, number> = {};
      for (const p of held.processes) byRole[p.role] = (byRole[p.role] ?? 0) + p.rss;
      for (const p of baseline.processes) byRole[p.role] = (byRole[p.role] ?? 0) - p.rss;
      for (const k of Object.keys(byRole)) byRole[k] = byRole[k]! / crowd.open;
      steps.push({
        connections: crowd.open,
        open,
        bytesPerConnOpen: (workerd(afterOpen) - workerd(baseline)) / crowd.open,
        bytesPerConnHeld: (workerd(held) - workerd(baseline)) / crowd.open,
        bytesPerConnHeldGroup: (held.total - baseline.total) / crowd.open,
        bytesPerConnByRole: byRole,
        rssHeldBytes: held.total,
        check,
        hibernated: probe ? bornAfter !== bornBefore : undefined,
        unexpectedCloses: { ...crowd.unexpectedCloses },
      });
      log(
        `    ${kind}: ${crowd.open} sockets: ${(steps.at(-1)!.bytesPerConnHeld / 1024).toFixed(0)} KiB/conn after the hold; ` +
          `check ${check.delivered}/${check.expected} delivered, p99 ${check.latencyMs.p99.toFixed(0)} ms`,
      );
    }
    probe?.ws.terminate();
    crowd.terminateAll();
    return { target: kind, baselineBytes: baseline.total, steps };
  } finally {
    await server.stop();
  }
}

export interface MemorySplit {
  target: "hearth" | "ceiling";
  n: number;
  /** KiB of workerd RSS per plain HTTP request made first (GET /health on both). */
  kibPerRequest: { runtime: number; proxy: number };
  /** KiB per socket opened afterwards. */
  kibPerSocket: { runtime: number; proxy: number };
}

/**
 * Where idle memory goes (`--profile`): on a fresh server, N HTTP requests first (GET /health),
 * then N sockets; workerd RSS after each.
 */
export async function runMemorySplit(kind: "hearth" | "ceiling", n: number): Promise<MemorySplit> {
  const server: Server = kind === "hearth" ? await startHearthServer({}) : await startCeiling();
  try {
    const rolesRss = () => {
      const m = groupMemory(server.pgid);
      const get = (role: string) => m.processes.filter((p) => p.role === role).reduce((a, p) => a + p.rss, 0) / 1024;
      return { runtime: get("workerd (runtime)"), proxy: get("workerd (proxy)") };
    };
    // Where socket i goes (Hearth: its rooms, as its client connects; the ceiling: a bare room).
    let socketFor: (i: number) => { url: string; protocols: string[] };
    const wsBase = server.url.replace("http", "ws");
    if (kind === "hearth") {
      const t = new HearthTarget(server);
      const rooms = await t.rooms(n / PER_ROOM, 4);
      socketFor = (i) => ({ url: `${wsBase}/api/rooms/${rooms[Math.floor(i / PER_ROOM)]!}/ws`, protocols: ["hearth.v2", "hearth.v1", `bearer.${t.users[i % 4]!.token}`] });
    } else {
      socketFor = (i) => ({ url: `${wsBase}/broadcast/split${Math.floor(i / PER_ROOM)}/ws`, protocols: [] });
    }
    await sleep(2000);
    const r0 = rolesRss();
    await pool(Array.from({ length: n }, (_, i) => i), 16, async () => {
      await (await fetch(`${server.url}/health`)).text();
    });
    await sleep(2000);
    const r1 = rolesRss();
    const sockets: WebSocket[] = [];
    await pool(Array.from({ length: n }, (_, i) => i), 16, async (i) => {
      const { url, protocols } = socketFor(i);
      const ws = new WebSocket(url, protocols, { perMessageDeflate: false });
      ws.on("message", () => {});
      await new Promise((ok, fail) => {
        ws.once("open", ok);
        ws.once("error", fail);
      });
      sockets.push(ws);
    });
    await sleep(2000);
    const r2 = rolesRss();
    for (const ws of sockets) ws.terminate();
    return {
      target: kind,
      n,
      kibPerRequest: { runtime: (r1.runtime - r0.runtime) / n, proxy: (r1.proxy - r0.proxy) / n },
      kibPerSocket: { runtime: (r2.runtime - r1.runtime) / n, proxy: (r2.proxy - r1.proxy) / n },
    };
  } finally {
    await server.stop();
  }
}
