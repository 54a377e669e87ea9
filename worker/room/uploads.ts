import type { Family } from "../media/sniff";
import type { Attachment, AttachmentRef, MessageKind } from "../contract/wire";

/**
 * A room's uploads, in the room's SQLite: pending → stored → attached (or deleted as an
 * orphan), and released when the message it is attached to is deleted: the orphan sweep then
 * deletes its bytes and its record, like an orphan's.
 */

export type UploadStatus = "pending" | "stored" | "attached" | "released";

export interface UploadRecord {
  id: string;
  uploader: string;
  name: string;
  declaredType: string;
  size: number;
  status: UploadStatus;
  family: Family | null;
  type: string | null;
  /** The R2 etag of the bytes checked when it was stored (null: pending, or stored before etags were kept). */
  etag: string | null;
  createdAt: number;
  /** When an upload not attached to a message by then is deleted. */
  orphanAt: number;
}

interface UploadRow extends Record<string, SqlStorageValue> {
  id: string;
  uploader: string;
  name: string;
  declared_type: string;
  size: number;
  status: UploadStatus;
  family: Family | null;
  type: string | null;
  etag: string | null;
  created_at: number;
  orphan_at: number;
}

const toRecord = (r: UploadRow): UploadRecord => ({
  id: r.id,
  uploader: r.uploader,
  name: r.name,
  declaredType: r.declared_type,
  size: r.size,
  status: r.status,
  family: r.family,
  type: r.type,
  etag: r.etag ?? null,
  createdAt: r.created_at,
  orphanAt: r.orphan_at,
});

export class UploadStore {
  constructor(private readonly sql: SqlStorage) {
    sql.exec(`CREATE TABLE IF NOT EXISTS uploads (
      id            TEXT PRIMARY KEY,
      uploader      TEXT NOT NULL,
      name          TEXT NOT NULL,
      declared_type TEXT NOT NULL,
      size          INTEGER NOT NULL,
      status        TEXT NOT NULL,
      family        TEXT,
      type          TEXT,
      created_at    INTEGER NOT NULL,
      orphan_at     INTEGER NOT NULL,
      etag          TEXT
    );
    CREATE INDEX IF NOT EXISTS uploads_orphans ON uploads (status, orphan_at);`);
    // Rooms whose table predates the etag column.
    const columns = sql.exec<{ name: string }>("SELECT name FROM pragma_table_info('uploads')").toArray();
    if (!columns.some((c) => c.name === "etag")) sql.exec("ALTER TABLE uploads ADD COLUMN etag TEXT");
  }

  create(r: Omit<UploadRecord, "status" | "family" | "type" | "etag">): void {
    this.sql.exec(
      "INSERT INTO uploads (id, uploader, name, declared_type, size, status, created_at, orphan_at) VALUES (?, ?, ?, ?, ?, 'pending', ?, ?)",
      r.id,
      r.uploader,
      r.name,
      r.declaredType,
      r.size,
      r.createdAt,
      r.orphanAt,
    );
  }

  get(id: string): UploadRecord | null {
    const row = this.sql.exec<UploadRow>("SELECT * FROM uploads WHERE id = ?", id).toArray()[0];
    return row ? toRecord(row) : null;
  }

  markStored(id: string, family: Family, type: string, etag: string): boolean {
    const updated = this.sql.exec(
      "UPDATE uploads SET status = 'stored', family = ?, type = ?, etag = ? WHERE id = ? AND status = 'pending' RETURNING id",
      family,
      type,
      etag,
      id,
    );
    return updated.toArray().length === 1;
  }

  markAttached(id: string): void {
    this.sql.exec("UPDATE uploads SET status = 'attached' WHERE id = ?", id);
  }

  /** The message `id` was attached to is deleted: its bytes go at the next sweep, at `now`. */
  release(id: string, now: number): void {
    this.sql.exec("UPDATE uploads SET status = 'released', orphan_at = ? WHERE id = ?", now, id);
  }

  /** Uploads never attached (or released) whose time is up. */
  orphans(now: number, limit = 500): string[] {
    return this.sql
      .exec<{ id: string }>("SELECT id FROM uploads WHERE status != 'attached' AND orphan_at <= ? ORDER BY orphan_at LIMIT ?", now, limit)
      .toArray()
      .map((r) => r.id);
  }

  delete(ids: string[]): void {
    for (const id of ids) this.sql.exec("DELETE FROM uploads WHERE id = ? AND status != 'attached'", id);
  }

  nextOrphanAt(): number | null {
    return this.sql.exec<{ t: number | null }>("SELECT min(orphan_at) AS t FROM uploads WHERE status != 'attached'").one().t;
  }
}

/**
 * Checks that `ref` names an upload `author` made into this room, finished, not yet used,
 * and fit for `kind`; answers the attachment to store, or why not.
 */
export function resolveAttachment(
  upload: UploadRecord | null,
  author: string,
  kind: MessageKind,
  ref: AttachmentRef,
): { ok: true; attachment: Attachment } | { ok: false; message: string } {
  if (!upload || upload.uploader !== author) return { ok: false, message: "attachment.uploadId is not an upload of yours in this room" };
  if (upload.status === "pending") return { ok: false, message: "that upload has not finished" };
  if (upload.status === "attached" || upload.status === "released") return { ok: false, message: "that upload is already attached to a message" };
  if (kind === "image" && upload.family !== "image") return { ok: false, message: "an image message needs an image upload (PNG, JPEG, GIF or WebP)" };
  if (kind === "audio" && upload.family !== "audio") return { ok: false, message: "an audio message needs an audio upload" };
  const attachment: Attachment = { id: upload.id, name: upload.name, size: upload.size, type: upload.type ?? "application/octet-stream" };
  if (ref.width !== undefined) attachment.width = ref.width;
  if (ref.height !== undefined) attachment.height = ref.height;
  if (ref.duration !== undefined) attachment.duration = ref.duration;
  return { ok: true, attachment };
}
