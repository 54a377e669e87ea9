/** The composer's attachments on their way: measured, uploaded, then sent as messages. */
import { computed, signal } from "@preact/signals";
import type { RoomChannel } from "../room-channel";
import type { AttachmentRef, MediaKind, ReplyRef } from "../types";
import { audioDuration, imageSize } from "./measure";
import { classify, cleanName, UploadError, uploadFile, type Uploaded } from "./upload";

export type ItemStatus = "preparing" | "uploading" | "uploaded" | "failed";

/** One file on its way: measured, uploaded, then sent as a message once the user says so. */
export interface QueueItem {
  key: string;
  file: Blob;
  name: string;
  size: number;
  kind: MediaKind;
  /** The type declared to the server. */
  type: string;
  /** A blob: URL showing an image before it is sent. */
  previewUrl?: string;
  width?: number;
  height?: number;
  duration?: number;
  status: ItemStatus;
  /** 0…1 while uploading. */
  progress: number;
  error?: string;
  /** Whether trying again may help (a network failure) or not (too large, wrong type). */
  retryable?: boolean;
  /** The user pressed Send: the message goes out as soon as the upload is done. */
  committed: boolean;
  caption: string;
  /** The message the first file of a send answers. */
  replyTo?: ReplyRef;
  uploaded?: Uploaded;
}

export interface NewFile {
  file: Blob;
  name?: string;
  /** Seconds, when already known (a recorded voice note). */
  duration?: number;
}

const MAX_PARALLEL_UPLOADS = 3;
let keyCounter = 0;

/**
 * The files attached in one room's composer. Uploads start at once; a message is sent only
 * after its upload has been stored (never half-sent), in the order the files were added.
 */
export class MediaQueue {
  readonly items = signal<QueueItem[]>([]);
  /** Files waiting for Send that can still be sent. */
  readonly staged = computed(
    () => this.items.value.filter((i) => !i.committed && !(i.status === "failed" && !i.retryable)).length,
  );
  private readonly controllers = new Map<string, AbortController>();
  private running = 0;
  private readonly waiting: Array<() => void> = [];
  private disposed = false;

  constructor(private readonly channel: RoomChannel) {}

  /** Adds files; with `send`, each goes out as a message as soon as it is uploaded. */
  add(files: NewFile[], options: { send?: boolean } = {}): void {
    if (this.disposed) return;
    const added: QueueItem[] = files.map(({ file, name, duration }) => {
      const { kind, type } = classify(file);
      const fileName = cleanName(name ?? (file instanceof File ? file.name : ""), `file-${Date.now()}`);
      return {
        key: `m${keyCounter++}`,
        file,
        name: fileName,
        size: file.size,
        kind,
        type,
        duration,
        status: "preparing",
        progress: 0,
        committed: options.send === true,
        caption: "",
      };
    });
    this.items.value = [...this.items.value, ...added];
    for (const item of added) void this.process(item.key);
  }

  /**
   * Send was pressed: every staged file will be sent once uploaded, the caption (and the reply's
   * quote, when it answers a message) with the first. Returns false when nothing was staged (the
   * text is then an ordinary message).
   */
  commit(caption: string, replyTo?: ReplyRef): boolean {
    const staged = this.items.value.filter(
      (i) => !i.committed && !(i.status === "failed" && !i.retryable),
    );
    if (staged.length === 0) return false;
    const first = staged[0]!.key;
    const keys = new Set(staged.map((i) => i.key));
    this.items.value = this.items.value.map((i) =>
      keys.has(i.key)
        ? { ...i, committed: true, caption: i.key === first ? caption.trim() : "", replyTo: i.key === first ? replyTo : undefined }
        : i,
    );
    this.pump();
    return true;
  }

  retry(key: string): void {
    const item = this.find(key);
    if (!item || item.status !== "failed") return;
    this.update(key, { status: "preparing", error: undefined, retryable: undefined, progress: 0 });
    void this.process(key);
  }

  /** Cancels and removes a file; returns its caption if it carried one, so it is not lost. */
  dismiss(key: string): string | undefined {
    const item = this.find(key);
    if (!item) return undefined;
    this.controllers.get(key)?.abort();
    this.controllers.delete(key);
    if (item.previewUrl) URL.revokeObjectURL(item.previewUrl);
    this.items.value = this.items.value.filter((i) => i.key !== key);
    this.pump();
    return item.committed && item.caption ? item.caption : undefined;
  }

  dispose(): void {
    this.disposed = true;
    for (const controller of this.controllers.values()) controller.abort();
    this.controllers.clear();
    for (const item of this.items.value) if (item.previewUrl) URL.revokeObjectURL(item.previewUrl);
    this.items.value = [];
  }

  // ---------------------------------------------------------------------------------------

  private async process(key: string): Promise<void> {
    const controller = new AbortController();
    this.controllers.set(key, controller);
    const { signal } = controller;
    try {
      await this.measure(key);
      await this.slot(signal);
      try {
        const item = this.find(key);
        if (!item || signal.aborted) return;
        this.update(key, { status: "uploading", progress: 0 });
        const uploaded = await uploadFile(
          this.channel.roomId,
          item.file,
          { name: item.name, type: item.type, kind: item.kind },
          (progress) => this.update(key, { progress }),
          signal,
        );
        this.update(key, { status: "uploaded", progress: 1, uploaded });
        this.pump();
      } finally {
        this.release();
      }
    } catch (error) {
      if (signal.aborted || this.disposed) return;
      const known = error instanceof UploadError;
      this.update(key, {
        status: "failed",
        error: known ? error.message : `Uploading “${this.find(key)?.name ?? "the file"}” failed.`,
        retryable: known ? error.retryable : true,
      });
    } finally {
      if (this.controllers.get(key) === controller) this.controllers.delete(key);
    }
  }

  private async measure(key: string): Promise<void> {
    const item = this.find(key);
    if (!item) return;
    if (item.kind === "image" && item.width === undefined) {
      const size = await imageSize(item.file);
      // A preview only for what this browser can show (a fake image would show as broken).
      if (size && this.find(key)) this.update(key, { ...size, previewUrl: URL.createObjectURL(item.file) });
    } else if (item.kind === "audio" && item.duration === undefined) {
      const duration = await audioDuration(item.file);
      if (duration !== undefined) this.update(key, { duration });
    }
  }

  /** Sends, in order, every committed file whose upload is done; stops at one still uploading. */
  private pump(): void {
    const sent = new Set<string>();
    for (const item of this.items.value) {
      if (!item.committed) continue;
      if (item.status === "failed") continue;
      if (item.status !== "uploaded" || !item.uploaded) break;
      const ref: AttachmentRef = { uploadId: item.uploaded.uploadId };
      if (item.kind === "image" && item.width && item.height) {
        ref.width = item.width;
        ref.height = item.height;
      }
      if (item.kind === "audio" && item.duration !== undefined) ref.duration = item.duration;
      this.channel.sendMedia(item.kind, ref, item.caption, {
        name: item.name,
        size: item.size,
        type: item.uploaded.type || item.type,
        width: ref.width,
        height: ref.height,
        duration: ref.duration,
        previewUrl: item.previewUrl, // now the pending message's to show (and revoke)
      }, item.replyTo);
      sent.add(item.key);
    }
    if (sent.size) this.items.value = this.items.value.filter((i) => !sent.has(i.key));
  }

  private slot(signal: AbortSignal): Promise<void> {
    if (this.running < MAX_PARALLEL_UPLOADS) {
      this.running++;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const go = () => {
        signal.removeEventListener("abort", onAbort);
        this.running++;
        resolve();
      };
      const onAbort = () => {
        this.waiting.splice(this.waiting.indexOf(go), 1);
        reject(signal.reason);
      };
      signal.addEventListener("abort", onAbort, { once: true });
      this.waiting.push(go);
    });
  }

  private release(): void {
    this.running--;
    this.waiting.shift()?.();
  }

  private find(key: string): QueueItem | undefined {
    return this.items.value.find((i) => i.key === key);
  }

  private update(key: string, patch: Partial<QueueItem>): void {
    if (!this.find(key)) return;
    this.items.value = this.items.value.map((i) => (i.key === key ? { ...i, ...patch } : i));
  }
}
