import type { ChatMessage } from "../contract/wire";
import type { RoomSockets } from "./room-sockets";
import type { StatsObject } from "../stats/StatsObject";
import type { ClientIdIndex } from "./client-ids";
import { D1Copy, type CopyCadence } from "./d1-copy";
import type { MessageLog } from "./message-log";
import type { RoomMeta } from "./meta";
import { OrphanUploads } from "./orphan-uploads";
import { PushDispatch } from "./push-dispatch";
import { WebhookDispatch } from "./webhook-dispatch";
import type { AcceptResult } from "./message-intake";
import type { Author, MessageInput } from "../gateway/draft";
import type { RoomEnv } from "./room-env";
import { StatsReport } from "./stats-report";
import type { UploadStore } from "./uploads";

/**
 * What the room does from its one alarm (AlarmClock), never in a message's path: the D1 copy,
 * the deletion of orphan uploads, web pushes to members who are away, the report to the stats
 * object, and bots' webhooks, in that order. It builds and holds the five parts; the room reaches each for
 * what it asks of it between alarms (a copy scheduled, an attachment released, a delivery counted).
 */

/** What the alarm's work needs from the room. */
export interface AlarmWorkHost {
  roomId(): string | null;
  ensureAlarm(at: number): Promise<void>;
  waitUntil(promise: Promise<unknown>): void;
  stats(): DurableObjectStub<StatsObject>;
  /** Posts a bot's reply from its webhook through the room's accept path. */
  reply(author: Author, input: MessageInput): Promise<AcceptResult>;
}

export class AlarmWork {
  readonly d1Copy: D1Copy;
  readonly orphans: OrphanUploads;
  readonly pushes: PushDispatch;
  readonly statsReport: StatsReport;
  readonly webhooks: WebhookDispatch;

  constructor(
    env: RoomEnv,
    meta: RoomMeta,
    log: MessageLog,
    clientIds: ClientIdIndex,
    uploads: UploadStore,
    sockets: Pick<RoomSockets, "byProtocol" | "users">,
    cadence: CopyCadence,
    host: AlarmWorkHost,
  ) {
    const { roomId, ensureAlarm } = host;
    const copier = () => env.COPIER.getByName("global");
    this.d1Copy = new D1Copy(log, clientIds, meta, cadence, { roomId, ensureAlarm, waitUntil: host.waitUntil, copy: (parts) => copier().copy(parts) });
    this.orphans = new OrphanUploads(env.MEDIA, uploads, { roomId, ensureAlarm });
    const news = { roomId, ensureAlarm, lastSeq: () => log.lastSeq, messages: log.newest.bind(log) };
    // Users with a socket whose page is visible see messages live: they get no push.
    const present = () => new Set([...sockets.users()].filter((u) => !u.hidden).map((u) => u.userId));
    this.pushes = new PushDispatch(env, meta, { ...news, present });
    this.statsReport = new StatsReport(host.stats, { roomId, ensureAlarm, connections: () => sockets.byProtocol(true) });
    this.webhooks = new WebhookDispatch(env, meta, { ...news, message: (seq) => log.get(seq), anyAt: (after, upTo) => log.anyAt(after, upTo), reply: host.reply });
  }

  /** A message was stored (or, null, one changed): its copy to D1 is due, and a bot it calls may be. */
  written(message: ChatMessage | null): void {
    this.d1Copy.stored(message?.seq ?? null);
    if (message) this.webhooks.stored(message);
  }

  /** The alarm's turn: each part does what is due and arms the alarm again for what is not. */
  async run(): Promise<void> {
    await this.d1Copy.onAlarm();
    await this.orphans.delete();
    await this.pushes.dispatch();
    await this.statsReport.report();
    await this.webhooks.dispatch(); // last: a slow webhook delays no other part's turn
  }
}
