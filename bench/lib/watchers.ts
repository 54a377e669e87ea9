/**
 * The watchers scenario (issue 17, item 3): what members who are in the app elsewhere cost a
 * busy room. One Hearth room, closed-loop senders and a few receivers on room sockets (the
 * traffic run of the fanout scenario, bench/lib/traffic.ts), and `watchers` more members of the
 * room who have only their per-user channel open (`GET /api/me/ws`, no room socket). Three
 * variants, interleaved by the caller:
 *
 * - `none`: the same room with the watchers' channels closed (members, offline);
 * - `watching`: their channels open, so the room tells each of them its counts, at most once
 *   per 300 ms (worker/room/watchers.ts); every `counts` frame they get is counted;
 * - `ceiling`: the bare broadcasting Durable Object (bench/ceiling/) with the same senders
 *   and receivers.
 *
 * Whether the room sees the watchers is checked, not assumed: before each Hearth run a fresh
 * room socket's `hello.online` lists the members in the app elsewhere (all of them while
 * watching, none otherwise), and after a watching run every watcher's last `counts` must
 * carry the room's last seq.
 */
import type WebSocket from "ws";
import { Samples, pool, sleep, until } from "./stats.ts";
import { closeAll, type CeilingTarget, type HearthTarget } from "./targets.ts";
import { roomMembers, runTraffic, type TrafficResult, type TrafficSpec } from "./traffic.ts";

export type WatchersVariant = "none" | "watching" | "ceiling";

export const WATCHERS_LABEL: Record<WatchersVariant, string> = {
  none: "Hearth, 0 watching",
  watching: "Hearth, watchers' channels open",
  ceiling: "ceiling (broadcast only)",
};

export interface WatchersSpec {
  senders: number;
  receivers: number;
  watchers: number;
  durationMs: number;
  warmupMs: number;
}

/** What the watchers' channels got during a `watching` run. */
export interface ChannelStats {
  open: number;
  /** Opening every channel until its `hello` (32 at a time), and each one's connect time. */
  openS: number;
  connectMs: { p50: number; p99: number };
  /** `counts` frames for the room within the measured window, all watchers together. */
  framesInWindow: number;
  framesPerWatcherPerS: number;
  /** The fewest and most frames one watcher got in the window. */
  minPerWatcher: number;
  maxPerWatcher: number;
  /**
   * Time between one watcher's successive `counts` frames as they arrive here. The room sends
   * at most one per 300 ms, but a late frame followed by a prompt one arrives closer together.
   */
  gapMs: { min: number; p50: number };
  /** After the senders stopped: the room's last seq (a new room socket's `hello`)... */
  finalLastSeq: number;
  /** ...and how many watchers had been told it within 5 s. */
  upToDate: number;
  /** Frames other than `counts` for the room (hello, presence...), by type. */
  otherFrames: Record<string, number>;
}

export interface WatchersRun {
  variant: WatchersVariant;
  traffic: TrafficResult;
  /** Hearth: members the room listed as in the app elsewhere (`hello.online`) just before the run. */
  elsewhereBefore?: number;
  channels?: ChannelStats;
}

interface Watcher {
  ws: WebSocket | null;
  /** performance.now() of each `counts` frame for the room. */
  at: number[];
  lastSeq: number;
}

/** The scenario's state on one Hearth: its users, its room, the watchers' channels. */
export class WatchersBench {
  private readonly key = "watchers";
  private room = "";
  /** User numbers of the watchers (after the traffic's senders and receivers). */
  private watcherUsers: number[] = [];
  private readonly traffic: TrafficSpec;
  private readonly hearth: HearthTarget;
  private readonly ceiling: CeilingTarget;
  private readonly spec: WatchersSpec;

  constructor(hearth: HearthTarget, ceiling: CeilingTarget, spec: WatchersSpec) {
    this.hearth = hearth;
    this.ceiling = ceiling;
    this.spec = spec;
    this.traffic = { rooms: 1, sendersPerRoom: spec.senders, receiversPerRoom: spec.receivers, durationMs: spec.durationMs, warmupMs: spec.warmupMs, roomKey: this.key };
  }

  /** Signs up every user (a PBKDF2 hash each), makes the room, and has the watchers join it. */
  async prepare(): Promise<{ users: number; seconds: number }> {
    const t0 = performance.now();
    const members = roomMembers(this.hearth, this.traffic);
    await this.hearth.ensureUsers(members + this.spec.watchers);
    [this.room] = await this.hearth.rooms(1, members, this.key);
    this.watcherUsers = Array.from({ length: this.spec.watchers }, (_, i) => members + i);
    await this.hearth.join([this.room], this.watcherUsers);
    return { users: members + this.spec.watchers, seconds: (performance.now() - t0) / 1000 };
  }

  async run(variant: WatchersVariant, options: { profile?: boolean } = {}): Promise<WatchersRun> {
    if (variant === "ceiling") return { variant, traffic: await runTraffic(this.ceiling, this.traffic, options) };
    if (variant === "none") {
      // The channels of the last watching run closed; their rooms heard it (unwatch) shortly after.
      let elsewhere = await this.elsewhere();
      for (const deadline = Date.now() + 10_000; elsewhere > 0 && Date.now() < deadline; ) {
        await sleep(250);
        elsewhere = await this.elsewhere();
      }
      return { variant, elsewhereBefore: elsewhere, traffic: await runTraffic(this.hearth, this.traffic, options) };
    }
    const watchers: Watcher[] = this.watcherUsers.map(() => ({ ws: null, at: [], lastSeq: -1 }));
    const otherFrames: Record<string, number> = {};
    const connect = new Samples();
    const t0 = performance.now();
    try {
      await pool(this.watcherUsers, 32, async (user, i) => {
        const w = watchers[i]!;
        let hello = false;
        const res = await this.hearth.channel(user, (data) => {
          const f = JSON.parse(data);
          if (f.type === "counts" && f.counts.roomId === this.room) {
            w.at.push(performance.now());
            w.lastSeq = f.counts.lastSeq;
            return;
          }
          if (f.type === "hello") hello = f.rooms.some((c: { roomId: string }) => c.roomId === this.room);
          otherFrames[f.type] = (otherFrames[f.type] ?? 0) + 1;
        });
        if (!res.ok) throw new Error(`watcher channel could not open: ${res.status} ${res.code}`);
        w.ws = res.ws;
        connect.push(res.connectMs);
        if (!hello) throw new Error("a watcher's hello did not list the room");
      });
      const openS = (performance.now() - t0) / 1000;
      const elsewhereBefore = await this.elsewhere();
      const traffic = await runTraffic(this.hearth, this.traffic, options);
      // Every watcher must end up told the room's last seq (the last window's frame, ≤ 300 ms on).
      const finalLastSeq = await this.lastSeq();
      await until(() => watchers.every((w) => w.lastSeq >= finalLastSeq), 5_000);
      const { start, end } = traffic.windowMs;
      const inWindow = watchers.map((w) => w.at.filter((t) => t >= start && t <= end).length);
      const gaps = new Samples();
      for (const w of watchers) for (let k = 1; k < w.at.length; k++) gaps.push(w.at[k]! - w.at[k - 1]!);
      const [gapMin, gapP50] = gaps.percentiles(0, 0.5);
      const [c50, c99] = connect.percentiles(0.5, 0.99);
      const framesInWindow = inWindow.reduce((a, n) => a + n, 0);
      const channels: ChannelStats = {
        open: watchers.length,
        openS,
        connectMs: { p50: c50!, p99: c99! },
        framesInWindow,
        framesPerWatcherPerS: framesInWindow / watchers.length / (this.spec.durationMs / 1000),
        minPerWatcher: Math.min(...inWindow),
        maxPerWatcher: Math.max(...inWindow),
        gapMs: { min: gapMin!, p50: gapP50! },
        finalLastSeq,
        upToDate: watchers.filter((w) => w.lastSeq >= finalLastSeq).length,
        otherFrames,
      };
      return { variant, elsewhereBefore, traffic, channels };
    } finally {
      await closeAll(watchers.flatMap((w) => (w.ws ? [w.ws] : [])));
    }
  }

  /** A room socket's `hello` (opened as the room's first user, closed at once). */
  private async hello(): Promise<{ lastSeq: number; online: { userId: string }[] }> {
    let frame: { lastSeq: number; online: { userId: string }[] } | null = null;
    const res = await this.hearth.connect(this.room, 0, (data) => {
      const f = JSON.parse(data);
      if (f.type === "hello") frame ??= f;
    });
    if (!res.ok) throw new Error(`probe socket could not open: ${res.status} ${res.code}`);
    await closeAll([res.ws]);
    if (!frame) throw new Error("probe socket: no hello");
    return frame;
  }

  /** How many of the watchers the room lists as in the app elsewhere. */
  private async elsewhere(): Promise<number> {
    const ids = new Set(this.watcherUsers.map((u) => this.hearth.users[u]!.id));
    return (await this.hello()).online.filter((u) => ids.has(u.userId)).length;
  }

  private async lastSeq(): Promise<number> {
    return (await this.hello()).lastSeq;
  }
}
