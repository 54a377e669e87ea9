/**
 * Overload: connections past Hearth's caps must be refused with a clear HTTP status (503
 * room_full / server_full) while the sockets already open keep working, and capacity must
 * come back when sockets close. Run with the documented defaults (1000 per room, 4500 in
 * all) and with small custom caps (configurable like MAX_CONNECTIONS). Optionally the
 * ceiling, which has no caps, is pushed past the runtime's file-descriptor limit to show
 * what the caps prevent.
 */
import { Crowd, type CheckResult, type OpenResult } from "./crowd.ts";
import { groupMemory, startCeiling, startHearthServer } from "./servers.ts";
import { sleep } from "./stats.ts";
import { CeilingTarget, HearthTarget } from "./targets.ts";

export interface OverloadStep {
  step: string;
  open: OpenResult;
  expect: string;
  pass: boolean;
}

export interface OverloadResult {
  caps: { room: number; server: number; defaults: boolean };
  steps: OverloadStep[];
  checks: { step: string; check: CheckResult; pass: boolean }[];
  unexpectedCloses: Record<string, number>;
  healthAfter: number;
  rssAtCapBytes: number;
  pass: boolean;
}

/** `room` and `server` are the caps the server is started with (null = the documented defaults). */
export async function runOverload(caps: { room: number; server: number } | null, log: (s: string) => void): Promise<OverloadResult> {
  const room = caps?.room ?? 1000;
  const total = caps?.server ?? 4500;
  // Rooms without shards (MAX_ROOM_SHARDS=0): this measures the refusal at the room's cap; a
  // room past its object's sockets, spread over shards, is the bigroom scenario's.
  const vars: Record<string, string> = { MAX_ROOM_SHARDS: "0", ...(caps ? { MAX_ROOM_CONNECTIONS: String(room), MAX_CONNECTIONS: String(total) } : {}) };
  const server = await startHearthServer(vars);
  try {
    const target = new HearthTarget(server);
    // Room 0 is filled to its cap; the rest of the server cap goes into rooms of `per`.
    const per = Math.min(100, room);
    const fillRooms = Math.ceil((total - room) / per);
    const rooms = await target.rooms(1 + fillRooms + 2, 4);
    const [big, ...rest] = rooms;
    const fill = rest.slice(0, fillRooms);
    const extra = rest.slice(fillRooms);
    const crowd = new Crowd(target);
    const steps: OverloadStep[] = [];
    const checks: OverloadResult["checks"] = [];
    const step = async (name: string, list: string[], perRoom: number, expect: string, pass: (o: OpenResult) => boolean) => {
      const open = await crowd.connect(list, perRoom);
      const ok = pass(open);
      steps.push({ step: name, open, expect, pass: ok });
      log(`    ${name}: ${open.opened}/${open.attempted} opened in ${open.wallS.toFixed(1)} s, refused ${JSON.stringify(open.refused)} ${ok ? "ok" : "UNEXPECTED"}`);
    };
    const check = async (name: string) => {
      const c = await crowd.deliveryCheck();
      const pass = c.missing === 0 && c.duplicated === 0;
      checks.push({ step: name, check: c, pass });
      log(`    check ${name}: ${c.delivered}/${c.expected} delivered in ${c.rooms} rooms, p99 ${c.latencyMs.p99.toFixed(0)} ms ${pass ? "ok" : "FAILED"}`);
    };
    const only = (o: OpenResult, code: string) => Object.keys(o.refused).length === 1 && o.refused[code] === o.attempted;

    await step(`fill one room to its cap (${room})`, [big!], room, "all open", (o) => o.opened === room);
    await step("more into the full room", [big!], Math.min(50, room), "503 room_full", (o) => only(o, "503 room_full"));
    const fillPer = Math.ceil((total - room) / fillRooms);
    await step(`fill the server to its cap (${total})`, fill, fillPer, "all open", (o) => o.opened === o.attempted && crowd.open === total);
    await check("at the cap");
    await step("more into new rooms past the server cap", extra, Math.min(100, room), "503 server_full", (o) => only(o, "503 server_full"));
    await step("more into the full room past both caps", [big!], Math.min(50, room), "503 (room_full or server_full)", (o) => o.opened === 0 && Object.keys(o.refused).every((k) => k.startsWith("503 ")));
    await check("after the refusals");
    const rssAtCap = groupMemory(server.pgid).total;
    // Capacity comes back when sockets close.
    const freed = await crowd.closeSome(fill[0]!, Math.min(50, fillPer));
    await sleep(1500);
    await step(`after closing ${freed}, as many new ones`, [extra[0]!], freed, "all open", (o) => o.opened === freed);
    await check("after the release");
    const health = await fetch(`${server.url}/health`).then((r) => r.status, () => 0);
    const unexpectedCloses = { ...crowd.unexpectedCloses };
    crowd.terminateAll();
    const pass = steps.every((s) => s.pass) && checks.every((c) => c.pass) && Object.keys(unexpectedCloses).length === 0 && health === 200;
    return { caps: { room, server: total, defaults: caps === null }, steps, checks, unexpectedCloses, healthAfter: health, rssAtCapBytes: rssAtCap, pass };
  } finally {
    await server.stop();
  }
}

export interface CeilingOverloadResult {
  attempted: number;
  opened: number;
  refused: Record<string, number>;
  /** How many were open when the first refusal or unexpected close happened. */
  firstFailureAt: number | null;
  unexpectedCloses: Record<string, number>;
  stillOpen: number;
  healthAfter: number;
}

/** The ceiling has no caps: open sockets in batches of 100 until `max` or until things break. */
export async function runCeilingOverload(max: number, log: (s: string) => void): Promise<CeilingOverloadResult> {
  const server = await startCeiling();
  try {
    const target = new CeilingTarget(server, "ceiling");
    const crowd = new Crowd(target);
    const refused: Record<string, number> = {};
    let attempted = 0;
    let firstFailureAt: number | null = null;
    for (let n = 0; n < max; n += 100) {
      const [r] = await target.rooms(1, 1);
      const o = await crowd.connect([r!], 100);
      attempted += o.attempted;
      for (const [k, v] of Object.entries(o.refused)) refused[k] = (refused[k] ?? 0) + v;
      const broken = Object.keys(o.refused).length > 0 || Object.keys(crowd.unexpectedCloses).length > 0;
      if (broken && firstFailureAt === null) firstFailureAt = crowd.open;
      if (broken) {
        log(`    ceiling: failures at ${crowd.open} open: refused ${JSON.stringify(o.refused)}, unexpected closes ${JSON.stringify(crowd.unexpectedCloses)}`);
        break;
      }
    }
    await sleep(3000);
    const health = await fetch(`${server.url}/health`, { signal: AbortSignal.timeout(5000) }).then((r) => r.status, () => 0);
    const closedCount = Object.values(crowd.unexpectedCloses).reduce((a, b) => a + b, 0);
    const res = { attempted, opened: crowd.open, refused, firstFailureAt, unexpectedCloses: { ...crowd.unexpectedCloses }, stillOpen: crowd.open - closedCount, healthAfter: health };
    crowd.terminateAll();
    return res;
  } finally {
    await server.stop();
  }
}
