/**
 * Many mostly idle sockets spread over rooms (the idle and overload scenarios): open them,
 * count refusals and unexpected closes, and check that a message sent in every room still
 * reaches every other socket of that room exactly once.
 */
import type WebSocket from "ws";
import { Samples, pool, until } from "./stats.ts";
import type { Target } from "./targets.ts";

interface Member {
  ws: WebSocket;
  room: string;
  /** Deliveries of the current check seen by this socket. */
  got: number;
  closing: boolean;
}

export interface OpenResult {
  attempted: number;
  opened: number;
  refused: Record<string, number>;
  wallS: number;
  connectMs: { p50: number; p99: number };
  upgradeMs: { p50: number; p99: number };
}

export interface CheckResult {
  rooms: number;
  expected: number;
  delivered: number;
  duplicated: number;
  missing: number;
  latencyMs: { p50: number; p99: number; max: number };
}

export class Crowd {
  readonly target: Target;
  readonly members: Member[] = [];
  /** Sockets that closed without the bench asking (code: count). */
  readonly unexpectedCloses: Record<string, number> = {};
  private checkId = 0;
  private latency = new Samples();
  private duplicated = 0;

  constructor(target: Target) {
    this.target = target;
  }

  get open(): number {
    return this.members.length;
  }

  /** Opens `perRoom` sockets in each room (users round robin). Refused upgrades are counted, not thrown. */
  async connect(rooms: string[], perRoom: number, concurrency = 32): Promise<OpenResult> {
    const plan = rooms.flatMap((room) => Array.from({ length: perRoom }, (_, i) => ({ room, i })));
    const refused: Record<string, number> = {};
    const connectMs = new Samples();
    const upgradeMs = new Samples();
    let opened = 0;
    const t0 = performance.now();
    await pool(plan, concurrency, async ({ room, i }) => {
      const m: Member = { ws: null as unknown as WebSocket, room, got: 0, closing: false };
      const res = await this.target.connect(room, i, (data) => this.onFrame(m, data));
      if (!res.ok) {
        const key = `${res.status} ${res.code}`;
        refused[key] = (refused[key] ?? 0) + 1;
        return;
      }
      m.ws = res.ws;
      res.ws.on("close", (code: number) => {
        if (!m.closing) this.unexpectedCloses[String(code)] = (this.unexpectedCloses[String(code)] ?? 0) + 1;
      });
      connectMs.push(res.connectMs);
      upgradeMs.push(res.upgradeMs);
      this.members.push(m);
      opened += 1;
    });
    const [c50, c99] = connectMs.percentiles(0.5, 0.99);
    const [u50, u99] = upgradeMs.percentiles(0.5, 0.99);
    return {
      attempted: plan.length,
      opened,
      refused,
      wallS: (performance.now() - t0) / 1000,
      connectMs: { p50: c50!, p99: c99! },
      upgradeMs: { p50: u50!, p99: u99! },
    };
  }

  private onFrame(m: Member, data: string) {
    const d = this.target.decode(data);
    if (d.kind !== "delivery" || !d.body.startsWith("chk ")) return;
    const [, id, t] = d.body.split(" ");
    if (Number(id) !== this.checkId) return;
    m.got += 1;
    if (m.got > 1) this.duplicated += 1;
    else this.latency.push(performance.now() - Number(t));
  }

  /** One message in every room (from its first socket); every other socket must get it once. */
  async deliveryCheck(timeoutMs = 20_000): Promise<CheckResult> {
    this.checkId += 1;
    this.latency = new Samples();
    this.duplicated = 0;
    const byRoom = new Map<string, Member[]>();
    for (const m of this.members) {
      if (m.closing) continue;
      m.got = 0;
      const list = byRoom.get(m.room) ?? [];
      list.push(m);
      byRoom.set(m.room, list);
    }
    let expected = 0;
    const receivers: Member[] = [];
    for (const [room, list] of byRoom) {
      const [sender, ...rest] = list;
      expected += rest.length;
      receivers.push(...rest);
      const t = performance.now().toFixed(3);
      sender!.ws.send(this.target.encodeSend(`chk-${this.checkId}-${room}`.slice(0, 64), `chk ${this.checkId} ${t} idle check`));
    }
    await until(() => receivers.every((m) => m.got >= 1), timeoutMs, 50);
    const delivered = receivers.filter((m) => m.got >= 1).length;
    const [p50, p99, max] = this.latency.percentiles(0.5, 0.99, 1);
    return { rooms: byRoom.size, expected, delivered, duplicated: this.duplicated, missing: expected - delivered, latencyMs: { p50: p50!, p99: p99!, max: max! } };
  }

  /** Closes `count` sockets of `room` politely (the bench asked: not counted as unexpected). */
  async closeSome(room: string, count: number): Promise<number> {
    const chosen = this.members.filter((m) => m.room === room && !m.closing).slice(0, count);
    await Promise.all(
      chosen.map(
        (m) =>
          new Promise<void>((ok) => {
            m.closing = true;
            const timer = setTimeout(() => {
              m.ws.terminate();
              ok();
            }, 10_000);
            m.ws.once("close", () => {
              clearTimeout(timer);
              ok();
            });
            m.ws.close(1000, "bench");
          }),
      ),
    );
    const gone = new Set(chosen);
    this.members.splice(0, this.members.length, ...this.members.filter((m) => !gone.has(m)));
    return chosen.length;
  }

  /** Drops every socket at once (the server is about to be stopped anyway). */
  terminateAll() {
    for (const m of this.members) {
      m.closing = true;
      m.ws.terminate();
    }
    this.members.length = 0;
  }
}
