import { fromBase64Url, timingSafeEqual, toBase64Url } from "../lib/encoding";

/**
 * Short-lived signed URLs for media, served by Hearth's own routes (they work under
 * `wrangler dev` and in production with no extra credentials). A signature is an
 * HMAC-SHA256 over every field that matters, so changing any of them (or the expiry)
 * invalidates it.
 */

export const UPLOAD_URL_TTL_SECONDS = 15 * 60;
export const DOWNLOAD_URL_TTL_SECONDS = 10 * 60;

export interface UploadGrant {
  roomId: string;
  uploadId: string;
  size: number;
  type: string;
  uploader: string;
  /** Seconds since the epoch. */
  exp: number;
}

export interface DownloadGrant {
  roomId: string;
  uploadId: string;
  /** The sniffed type the file is served with. */
  type: string;
  /** The file name for Content-Disposition. */
  name: string;
  /**
   * The R2 etag of the bytes that were checked when the file was stored ("" for files stored
   * before etags were kept): bytes written over them later are not served.
   */
  etag: string;
  exp: number;
}

export type Verdict = "ok" | "expired" | "invalid";

const encoder = new TextEncoder();
const keys = new Map<string, Promise<CryptoKey>>();

function hmacKey(secret: string): Promise<CryptoKey> {
  let key = keys.get(secret);
  if (!key) {
    // A key of its own for media, derived from the secret, so a media signature can never
    // pass for anything else signed with the same secret.
    key = crypto.subtle
      .digest("SHA-256", encoder.encode(`hearth-media-v1:${secret}`))
      .then((raw) => crypto.subtle.importKey("raw", raw, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]));
    keys.set(secret, key);
  }
  return key;
}

async function mac(secret: string, fields: (string | number)[]): Promise<string> {
  // Fields are joined with a newline, which none of them may contain.
  const text = fields.map(String).join("\n");
  const sig = await crypto.subtle.sign("HMAC", await hmacKey(secret), encoder.encode(text));
  return toBase64Url(sig);
}

const uploadFields = (g: UploadGrant) => ["PUT", g.roomId, g.uploadId, g.size, g.type, g.uploader, g.exp];
const downloadFields = (g: DownloadGrant) => ["GET", g.roomId, g.uploadId, g.type, g.name, g.etag, g.exp];

export function signUpload(secret: string, g: UploadGrant): Promise<string> {
  return mac(secret, uploadFields(g));
}

export function signDownload(secret: string, g: DownloadGrant): Promise<string> {
  return mac(secret, downloadFields(g));
}

async function check(secret: string, fields: (string | number)[], exp: number, sig: string, now: number): Promise<Verdict> {
  if (fields.some((f) => String(f).includes("\n"))) return "invalid";
  let given: Uint8Array;
  try {
    given = fromBase64Url(sig);
  } catch {
    return "invalid";
  }
  const expected = fromBase64Url(await mac(secret, fields));
  if (!timingSafeEqual(given, expected)) return "invalid";
  return exp * 1000 < now ? "expired" : "ok";
}

export function verifyUpload(secret: string, g: UploadGrant, sig: string, now = Date.now()): Promise<Verdict> {
  return check(secret, uploadFields(g), g.exp, sig, now);
}

export function verifyDownload(secret: string, g: DownloadGrant, sig: string, now = Date.now()): Promise<Verdict> {
  return check(secret, downloadFields(g), g.exp, sig, now);
}

/** The R2 key of an upload. */
export function mediaKey(roomId: string, uploadId: string): string {
  return `rooms/${roomId}/${uploadId}`;
}
