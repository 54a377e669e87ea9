/** Signed download URLs for attachments, fetched when needed and reused while valid. */
import { api, ApiError, type AttachmentUrl } from "../api";

/**
 * Signed download URLs (docs/media.md §4) are valid for 10 minutes. They are fetched only when
 * an attachment is about to be shown, kept per upload id until shortly before they expire,
 * and fetched again after that. Concurrent asks for one upload share a single request.
 */

/** A URL is not handed out for new use closer than this to its expiry. */
const REFRESH_MARGIN_MS = 60_000;
/** Bounds against a wrong client clock: fresh for at least 30 s and at most 9 min after fetching. */
const MIN_FRESH_MS = 30_000;
const MAX_FRESH_MS = 9 * 60_000;

interface Entry {
  value: AttachmentUrl;
  staleAt: number;
}

const cache = new Map<string, Entry>();
const inFlight = new Map<string, Promise<AttachmentUrl>>();
const key = (roomId: string, uploadId: string) => `${roomId}/${uploadId}`;

/** The cached URL if it is still good for a while, else null. */
export function cachedUrl(roomId: string, uploadId: string): AttachmentUrl | null {
  const entry = cache.get(key(roomId, uploadId));
  return entry && Date.now() < entry.staleAt ? entry.value : null;
}

/** A URL good for at least another minute: from the cache, or fetched (once) now. */
export function attachmentUrl(
  roomId: string,
  uploadId: string,
  options: { force?: boolean } = {},
): Promise<AttachmentUrl> {
  const k = key(roomId, uploadId);
  if (!options.force) {
    const cached = cachedUrl(roomId, uploadId);
    if (cached) return Promise.resolve(cached);
  }
  const running = inFlight.get(k);
  if (running) return running;
  const fetchedAt = Date.now();
  const request = api
    .attachmentUrl(roomId, uploadId)
    .then((value) => {
      const expires = Date.parse(value.expiresAt) || fetchedAt + 10 * 60_000;
      const staleAt = Math.min(
        Math.max(expires - REFRESH_MARGIN_MS, fetchedAt + MIN_FRESH_MS),
        fetchedAt + MAX_FRESH_MS,
      );
      cache.set(k, { value, staleAt });
      return value;
    })
    .finally(() => inFlight.delete(k));
  inFlight.set(k, request);
  return request;
}

/** Why an attachment cannot be shown, in words. */
export function describeUrlError(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.status === 404) return "This file is no longer available.";
    if (error.status === 403) return "You can no longer open files in this room.";
    if (error.status === 0) return "Cannot reach the server to open this file.";
  }
  return "This file could not be loaded.";
}
