/**
 * The closed-loop traffic run behind the fanout and rooms scenarios: in each room,
 * `senders` sockets each send a message, wait for its acknowledgement, and send the next;
 * `receivers` other sockets count what they get. Every delivery is checked: per receiver and
 * sender the message numbers must arrive as 1, 2, 3... with nothing missing or repeated.
 */
import type WebSocket from "ws";
import { Samples, pool, sleep, until } from "./stats.ts";
import { Profiler, type ProfileSummary } from "./inspector.ts";
import { cpuDelta, groupCpu, groupMemory, snapshotLine } from "./servers.ts";
import { closeAll, type Target } from "./targets.ts";

export interface TrafficSpec {
  rooms: number;
  sendersPerRoom: number;
  receiversPerRoom: number;
  durationMs: number;
  warmupMs: number;
  /**
   * Hearth: take the rooms made earlier under this key (HearthTarget.rooms) instead of fresh
   * ones; default "traffic" for the rooms scenario, fresh rooms for one room.
   */
  roomKey?: string;
  /** The text after each message's numbers (default: the same pangram every time). */
  text?: () => string;
}

export interface TrafficResult {
  target: string;
  rooms: number;
  senders: number;
  receivers: number;
  durationS: number;
  /** Messages acknowledged per second (all rooms). */
  msgsPerS: number;
  /** Frames delivered to receivers per second (all rooms). */
  deliveriesPerS: number;
  /** Mean size of a delivered frame (UTF-8 bytes, as received), over the measured window. */
  bytesPerDelivery: number;
  latencyMs: { p50: number; p95: number; p99: number; max: number };
  ackMs: { p50: number; p99: number };
  sent: number;
  acked: number;
  lost: number;
  duplicated: number;
  /** Hearth only: a receiver's `seq` that was not the previous one + 1. */
  seqGaps: number;
  errors: number;
  unacked: number;
  setupS: number;
  /** CPU ms used during the measured window: the server's processes by role, and this bench process. */
  cpuMs: Record<string, number>;
  /** The same per acknowledged message, in microseconds. */
  cpuUsPerMsg: Record<string, number>;
  loadavg: number[];
  /** The measured window, in this process's performance.now() (for what runs beside the traffic). */
  windowMs: { start: number; end: number };
  profile?: ProfileSummary;
}

export interface TrafficOptions {
  log?: (s: string) => void;
  /** Attach a CPU profiler to the server's worker for the measured window (not for scored runs). */
  profile?: boolean;
}

const PAD = "the quick brown fox jumps over the lazy dog";

interface Receiver {
  /** Highest message number seen from each sender of the room (index = sender in room). */
  last: Int32Array;
  lastSeq: number;
}

/** How many users each room of a run has (Hearth: the senders, then up to 4 users for the receivers). */
export function roomMembers(target: Target, spec: TrafficSpec): number {
  return target.name === "hearth" ? spec.sendersPerRoom + Math.min(4, spec.receiversPerRoom) : 1;
}

export async function runTraffic(target: Target, spec: TrafficSpec, options: TrafficOptions = {}): Promise<TrafficResult> {
  const log = options.log ?? (() => {});
  const setupStart = performance.now();
  const members = roomMembers(target, spec);
  // Hearth's rooms scenario reuses its 100 rooms across reps (fresh sockets every run).
  const rooms = await target.rooms(spec.rooms, members, spec.roomKey ?? (spec.rooms > 1 ? "traffic" : undefined));
  const run = `${Date.now().toString(36)}`;
  const sockets: WebSocket[] = [];

  let measuring = false;
  let stopping = false;
  let tStart = 0;
  let tEnd = 0;
  let delivered = 0;
  let deliveredBytes = 0;
  let acked = 0;
  let sentTotal = 0;
  let ackedTotal = 0;
  let lost = 0;
  let duplicated = 0;
  let seqGaps = 0;
  let errors = 0;
  const latency = new Samples();
  const ackLatency = new Samples();
  const receivers: Receiver[][] = rooms.map(() => []);

  interface Sender {
    ws: WebSocket;
    room: number;
    index: number;
    n: number;
    sentAt: number;
    waiting: boolean;
    idle: () => void;
  }
  const senders: Sender[] = [];

  const sendNext = (s: Sender) => {
    if (stopping) {
      s.waiting = false;
      s.idle();
      return;
    }
    s.n += 1;
    s.sentAt = performance.now();
    s.waiting = true;
    sentTotal += 1;
    s.ws.send(target.encodeSend(`${run}-${s.room}-${s.index}-${s.n}`, `${s.index} ${s.n} ${s.sentAt.toFixed(3)} ${spec.text?.() ?? PAD}`));
  };

  const onAck = (s: Sender, clientId: string) => {
    if (!s.waiting || clientId !== `${run}-${s.room}-${s.index}-${s.n}`) return;
    const now = performance.now();
    ackLatency.push(now - s.sentAt);
    ackedTotal += 1;
    if (measuring && now <= tEnd) acked += 1;
    sendNext(s);
  };

  const onDelivery = (r: Receiver, body: string, seq: number | undefined, frame: string) => {
    const now = performance.now();
    const a = body.indexOf(" ");
    const b = body.indexOf(" ", a + 1);
    const c = body.indexOf(" ", b + 1);
    const sender = Number(body.slice(0, a));
    const n = Number(body.slice(a + 1, b));
    const sentAt = Number(body.slice(b + 1, c));
    const prev = r.last[sender]!;
    if (n <= prev) duplicated += 1;
    else {
      if (n > prev + 1) lost += n - prev - 1;
      r.last[sender] = n;
    }
    if (seq !== undefined) {
      if (r.lastSeq !== -1 && seq !== r.lastSeq + 1) seqGaps += 1;
      r.lastSeq = seq;
    }
    if (measuring && now >= tStart && now <= tEnd) {
      delivered += 1;
      deliveredBytes += Buffer.byteLength(frame);
      latency.push(now - sentAt);
    }
  };

  // Connect: senders first (their users are the first members), then receivers.
  const plan: { room: number; role: "sender" | "receiver"; index: number }[] = [];
  for (let room = 0; room < rooms.length; room++) {
    for (let i = 0; i < spec.sendersPerRoom; i++) plan.push({ room, role: "sender", index: i });
    for (let i = 0; i < spec.receiversPerRoom; i++) plan.push({ room, role: "receiver", index: i });
  }
  try {
    await pool(plan, 32, async (p) => {
      if (p.role === "sender") {
        const s: Sender = { ws: null as unknown as WebSocket, room: p.room, index: p.index, n: 0, sentAt: 0, waiting: false, idle: () => {} };
        const res = await target.connect(rooms[p.room]!, p.index, (data) => {
          const d = target.decode(data);
          if (d.kind === "ack" && !target.ackIsOwnEcho) onAck(s, d.clientId);
          else if (d.kind === "delivery" && target.ackIsOwnEcho) onAck(s, d.clientId);
          else if (d.kind === "error") errors += 1;
        }, { role: "sender", index: p.index });
        if (!res.ok) throw new Error(`${target.name}: sender could not connect: ${res.status} ${res.code}`);
        s.ws = res.ws;
        sockets.push(res.ws);
        senders.push(s);
      } else {
        const r: Receiver = { last: new Int32Array(spec.sendersPerRoom), lastSeq: -1 };
        // Receivers are users after the senders (Hearth: the remaining members, round robin).
        const user = spec.sendersPerRoom + (p.index % Math.max(1, members - spec.sendersPerRoom));
        const res = await target.connect(rooms[p.room]!, user, (data) => {
          const d = target.decode(data);
          if (d.kind === "delivery") onDelivery(r, d.body, d.seq, data);
          else if (d.kind === "error") errors += 1;
        }, { role: "receiver", index: p.index });
        if (!res.ok) throw new Error(`${target.name}: receiver could not connect: ${res.status} ${res.code}`);
        sockets.push(res.ws);
        receivers[p.room]!.push(r);
      }
    });
    const setupS = (performance.now() - setupStart) / 1000;
    await sleep(300);
    const profiler = options.profile ? await Profiler.attach(groupMemory(target.server.pgid).processes.map((p) => p.pid)) : null;
    await profiler?.start();

    // Go: warm up, then measure for durationMs.
    const idle = senders.map((s) => new Promise<void>((ok) => (s.idle = ok)));
    const goAt = performance.now();
    tStart = goAt + spec.warmupMs;
    tEnd = tStart + spec.durationMs;
    measuring = true;
    for (const s of senders) sendNext(s);
    await sleep(spec.warmupMs);
    const cpu0 = groupCpu(target.server.pgid);
    const client0 = process.cpuUsage();
    await sleep(Math.max(0, tEnd - performance.now()));
    const cpu = cpuDelta(cpu0, groupCpu(target.server.pgid));
    const client = process.cpuUsage(client0);
    const loadavg = (await import("node:os")).loadavg();
    stopping = true;
    const profile = profiler ? await profiler.stop(target.name === "hearth" ? snapshotLine : undefined) : undefined;
    // Every sender finishes its message in flight (bounded wait).
    const allIdle = await Promise.race([Promise.all(idle).then(() => true), sleep(15_000).then(() => false)]);
    const unacked = allIdle ? 0 : senders.filter((s) => s.waiting).length;
    // Then every receiver must have the last acked message of every sender of its room.
    await until(
      () => senders.every((s) => receivers[s.room]!.every((r) => r.last[s.index]! >= s.n - (s.waiting ? 1 : 0))),
      10_000,
    );
    for (const s of senders) {
      const finalN = s.waiting ? s.n - 1 : s.n;
      for (const r of receivers[s.room]!) if (r.last[s.index]! < finalN) lost += finalN - r.last[s.index]!;
    }
    const seconds = spec.durationMs / 1000;
    const [p50, p95, p99, max] = latency.percentiles(0.5, 0.95, 0.99, 1);
    const [a50, a99] = ackLatency.percentiles(0.5, 0.99);
    const cpuMs: Record<string, number> = { ...cpu.byRole, "server total": cpu.total, "bench client": (client.user + client.system) / 1000 };
    const cpuUsPerMsg = Object.fromEntries(Object.entries(cpuMs).map(([k, v]) => [k, acked ? (v * 1000) / acked : NaN]));
    return {
      target: target.name,
      rooms: spec.rooms,
      senders: spec.sendersPerRoom * spec.rooms,
      receivers: spec.receiversPerRoom * spec.rooms,
      durationS: seconds,
      msgsPerS: acked / seconds,
      deliveriesPerS: delivered / seconds,
      bytesPerDelivery: delivered ? deliveredBytes / delivered : 0,
      latencyMs: { p50: p50!, p95: p95!, p99: p99!, max: max! },
      ackMs: { p50: a50!, p99: a99! },
      sent: sentTotal,
      acked: ackedTotal,
      lost,
      duplicated,
      seqGaps,
      errors,
      unacked,
      setupS,
      cpuMs,
      cpuUsPerMsg,
      loadavg,
      windowMs: { start: tStart, end: tEnd },
      profile,
    };
  } finally {
    stopping = true;
    log(`    closing ${sockets.length} sockets`);
    await closeAll(sockets);
  }
}
