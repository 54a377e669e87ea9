import { mediaKey } from "../media/signing";
import type { UploadStore } from "./uploads";

/**
 * Uploads never attached to a message in time are deleted, from R2 and from the room's
 * upload table, by the room's alarm. The common case, no upload waiting, costs one indexed
 * read. It holds no state of its own: the uploads table keeps each upload's deadline.
 */
export class OrphanUploads {
  constructor(
    private readonly media: R2Bucket,
    private readonly uploads: UploadStore,
    private readonly host: { roomId(): string | null; ensureAlarm(at: number): Promise<void> },
  ) {}

  /**
   * The message `uploadId` was attached to is deleted: its bytes go at once, by the sweep
   * (which retries if R2 fails). A signed URL issued for it then answers 410.
   */
  async release(uploadId: string, now = Date.now()): Promise<void> {
    this.uploads.release(uploadId, now);
    await this.host.ensureAlarm(now);
  }

  /** Deletes the uploads whose deadline has passed by `now`; returns how many. Re-arms the alarm for the next. */
  async delete(now = Date.now()): Promise<number> {
    let deleted = 0;
    let next = this.uploads.nextOrphanAt();
    const roomId = this.host.roomId();
    while (next !== null && next <= now && roomId) {
      const ids = this.uploads.orphans(now);
      if (ids.length === 0) break;
      await this.media.delete(ids.map((id) => mediaKey(roomId, id)));
      this.uploads.delete(ids);
      deleted += ids.length;
      next = this.uploads.nextOrphanAt();
    }
    if (next !== null) await this.host.ensureAlarm(Math.max(next, now + 1000));
    return deleted;
  }
}
