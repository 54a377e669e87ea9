/** Uploading one file's bytes to its signed URL, with progress and the server's size limit. */
import { api, ApiError, type UploadGrant } from "../api";
import type { MediaKind } from "../types";
import { humanSize } from "./format";

/** The server's default limit (MAX_UPLOAD_BYTES); replaced by what the server says once it has. */
let maxBytes = 25 * 1024 * 1024;
/** Whether maxBytes came from this server (then files above it are refused without asking). */
let maxBytesKnown = false;

/** Image types the server accepts as images and shows inline (docs/media.md, "What the bytes must be"). */
const IMAGE_TYPES = new Set(["image/png", "image/jpeg", "image/gif", "image/webp"]);
const AUDIO_TYPES = new Set([
  "audio/webm",
  "audio/ogg",
  "audio/mpeg",
  "audio/mp3",
  "audio/wav",
  "audio/x-wav",
  "audio/wave",
  "audio/vnd.wave",
  "audio/mp4",
  "audio/x-m4a",
  "audio/m4a",
]);
/** The server's pattern for a declared type. */
const MIME_PATTERN = /^[\w.+-]+\/[\w.+-]+( ?; ?[\w.+-]+=[\w.+,"-]+)*$/;

/** What a picked, dropped or pasted file is sent as: the message kind and the type declared. */
export function classify(file: Blob): { kind: MediaKind; type: string } {
  const type = file.type.toLowerCase();
  const base = type.split(";")[0]!.trim();
  if (IMAGE_TYPES.has(base)) return { kind: "image", type };
  if (AUDIO_TYPES.has(base)) return { kind: "audio", type };
  // Other images and sounds (SVG, HEIC, FLAC…) go as plain files: declaring them image/* or
  // audio/* would make the server expect bytes it only accepts for inline types.
  if (!type || !MIME_PATTERN.test(type) || /^(image|audio)\//.test(type)) {
    return { kind: "file", type: "application/octet-stream" };
  }
  return { kind: "file", type };
}

/** A file name the server takes: 1-200 characters, no slashes or line breaks. */
export function cleanName(name: string, fallback = "file"): string {
  let clean = name.replace(/[\u0000-\u001f\u007f/\\]+/g, "_").trim();
  if (!clean) clean = fallback;
  if (clean.length > 200) {
    const dot = clean.lastIndexOf(".");
    const ext = dot > 0 && clean.length - dot <= 16 ? clean.slice(dot) : "";
    clean = clean.slice(0, 200 - ext.length).trimEnd() + ext;
  }
  return clean;
}

/** An upload that did not happen, in words; `retryable` when trying again may help. */
export class UploadError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = "UploadError";
  }
}

export interface Uploaded {
  uploadId: string;
  /** The type the server sniffed from the bytes. */
  type: string;
}

/**
 * Asks for an upload URL, then PUTs the bytes there with XMLHttpRequest (fetch reports no
 * upload progress). Resolves once the server has stored the file, never earlier.
 */
export async function uploadFile(
  roomId: string,
  file: Blob,
  meta: { name: string; type: string; kind: MediaKind },
  onProgress: (fraction: number) => void,
  signal: AbortSignal,
): Promise<Uploaded> {
  const { name } = meta;
  if (file.size === 0) throw new UploadError(`“${name}” is empty.`, false);
  if (maxBytesKnown && file.size > maxBytes) throw tooLarge(name, file.size);

  let grant: UploadGrant;
  try {
    grant = await api.requestUpload(roomId, { name, type: meta.type, size: file.size });
  } catch (error) {
    if (error instanceof ApiError) {
      if (error.status === 413) {
        const limit = /(\d+) bytes/.exec(error.raw);
        if (limit) {
          maxBytes = Number(limit[1]);
          maxBytesKnown = true;
        }
        throw tooLarge(name, file.size);
      }
      if (error.status === 0) throw failed(name);
      if (error.status === 403) throw new UploadError("You can no longer post files in this room.", false);
      if (error.status === 400) throw new UploadError(`“${name}” was refused. ${error.message}`, false);
    }
    throw failed(name);
  }
  signal.throwIfAborted();
  maxBytes = grant.maxBytes;
  maxBytesKnown = true;
  return put(grant, file, meta, onProgress, signal);
}

function put(
  grant: UploadGrant,
  file: Blob,
  meta: { name: string; kind: MediaKind },
  onProgress: (fraction: number) => void,
  signal: AbortSignal,
): Promise<Uploaded> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(grant.method, grant.uploadUrl);
    for (const [header, value] of Object.entries(grant.headers)) xhr.setRequestHeader(header, value);
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable && event.total > 0) onProgress(event.loaded / event.total);
    };
    const onAbort = () => xhr.abort();
    signal.addEventListener("abort", onAbort, { once: true });
    const done = () => signal.removeEventListener("abort", onAbort);
    xhr.onload = () => {
      done();
      if (xhr.status === 200 || xhr.status === 201) {
        let type = "";
        try {
          type = (JSON.parse(xhr.responseText) as { type?: string }).type ?? "";
        } catch {
          // An S3 presigned PUT answers without a body: the declared type stands.
        }
        onProgress(1);
        resolve({ uploadId: grant.uploadId, type: type || grant.headers["Content-Type"] || "" });
        return;
      }
      reject(refusal(xhr, file, meta));
    };
    xhr.onerror = () => {
      done();
      reject(failed(meta.name));
    };
    xhr.onabort = () => {
      done();
      reject(new DOMException("The upload was cancelled.", "AbortError"));
    };
    xhr.send(file);
  });
}

function refusal(xhr: XMLHttpRequest, file: Blob, meta: { name: string; kind: MediaKind }) {
  let code = "";
  try {
    code = (JSON.parse(xhr.responseText) as { error?: { code?: string } }).error?.code ?? "";
  } catch {
    // Not JSON (e.g. from S3): the status says enough.
  }
  if (xhr.status === 413 || code === "too_large") return tooLarge(meta.name, file.size);
  if (xhr.status === 415 || code === "type_mismatch") return typeRefused(meta.name, meta.kind);
  if (code === "expired_signature") {
    return new UploadError(`The upload link for “${meta.name}” expired. Retry to get a new one.`, true);
  }
  return failed(meta.name);
}

const tooLarge = (name: string, size: number) =>
  new UploadError(
    `“${name}” is too large (${humanSize(size)}). Files can be at most ${humanSize(maxBytes)}.`,
    false,
  );

const typeRefused = (name: string, kind: MediaKind) =>
  new UploadError(
    kind === "image"
      ? `“${name}” was refused: its contents are not a PNG, JPEG, GIF or WebP image.`
      : kind === "audio"
        ? `“${name}” was refused: its contents are not WebM, Ogg, MP3, WAV or M4A audio.`
        : `“${name}” was refused: its type is not accepted.`,
    false,
  );

const failed = (name: string) =>
  new UploadError(`Uploading “${name}” failed. Check your connection and retry.`, true);
