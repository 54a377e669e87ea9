import { REMOVAL_CLOSES, type RemovalReason } from "../contract/wire";
import { roomMediaPrefix } from "../media/signing";
import type { Departures } from "./departures";
import type { Audience } from "./audience";
import type { RoomStanding } from "./standing";

/**
 * Leaving the room: a member who left, was removed or was banned (their sockets close with the
 * code that says which, REMOVAL_CLOSES, on the room object and on every shard, and the room remembers the departure: Departures), and
 * the room itself when it is deleted (every socket closes with 4005, its log, uploads and
 * other tables are emptied, its uploads' bytes deleted from R2, and it refuses whatever still
 * reaches it). The worker calls the room first and D1 after, as for a leave (docs/architecture.md).
 */

/** What the exits need from the room. */
export interface ExitsHost {
  /** Sockets on their way out: presence and the connection report follow. */
  left(sockets: WebSocket[]): void;
  /** The members whose per-user channel watches the room. */
  watching(): Iterable<string>;
  /** Stops telling `userId`'s channel about the room. */
  unwatch(userId: string): void;
}

export class Exits {
  constructor(
    private readonly sql: SqlStorage,
    private readonly media: R2Bucket,
    private readonly departures: Departures,
    private readonly standing: RoomStanding,
    private readonly sockets: Pick<Audience, "closeUser" | "closeAll">,
    private readonly host: ExitsHost,
  ) {}

  /** Whether a user the worker let through (maybe from a cached answer) is still a member: never, once the room is deleted. */
  async stillMember(roomId: string, userId: string): Promise<boolean> {
    return !this.standing.deleted && (await this.departures.stillMember(roomId, userId));
  }

  /** `userId` is no longer a member: their sockets close as `reason` says; returns how many. */
  remove(userId: string, reason: Exclude<RemovalReason, "deleted">): number {
    this.departures.record(userId);
    this.host.unwatch(userId);
    const { code, reason: text } = REMOVAL_CLOSES[reason];
    const sockets = this.sockets.closeUser(userId, code, text);
    this.host.left(sockets);
    return sockets.length;
  }

  /**
   * The room is deleted: refuses every write from now on (RoomStanding), closes every socket
   * (4005), stops the members' channels watching, empties its storage and deletes its
   * uploads' bytes from R2. Safe to repeat (the worker retries a deletion that failed halfway).
   * Returns how many sockets were closed.
   */
  async delete(roomId: string): Promise<number> {
    this.standing.set("deleted");
    const { code, reason } = REMOVAL_CLOSES.deleted;
    const sockets = this.sockets.closeAll(code, reason);
    this.host.left(sockets);
    for (const userId of [...this.host.watching()]) this.host.unwatch(userId);
    this.wipe();
    await deleteObjects(this.media, roomMediaPrefix(roomId));
    return sockets.length;
  }

  /**
   * Empties every table of the room's SQLite (messages, reactions, uploads, client ids, and the
   * rest its parts keep) but `meta`, which keeps only the room's id and its standing. The names
   * come from sqlite_master, not from anyone's input (a table name cannot be a bound parameter),
   * and must be plain identifiers; SQLite's and the runtime's own tables are left alone.
   */
  private wipe(): void {
    const tables = this.sql.exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'").toArray();
    for (const { name } of tables) {
      if (name === "meta" || name.startsWith("sqlite_") || name.startsWith("_cf_") || !/^[a-z_]+$/.test(name)) continue;
      this.sql.exec(`DELETE FROM ${name}`);
    }
    this.sql.exec("DELETE FROM meta WHERE key NOT IN ('room_id', 'standing')");
  }
}

/** Deletes every R2 object under `prefix`, a page of up to 1000 at a time. */
async function deleteObjects(media: R2Bucket, prefix: string): Promise<void> {
  for (;;) {
    const page = await media.list({ prefix, limit: 1000 });
    if (page.objects.length === 0) return;
    await media.delete(page.objects.map((o) => o.key));
    if (!page.truncated) return;
  }
}
