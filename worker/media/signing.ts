import { timingSafeEqual, toBase64Url } from "../lib/encoding";
import { ApiError } from "../lib/errors";

/**
 * Signed URLs for media (short-lived for a room's files, bucketed for avatars), served by
 * Hearth's own routes (they work under `wrangler dev` and in production with no extra
 * credentials). A signature is an
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

/** A user's own avatar upload (worker/people/avatar-routes.ts): it belongs to the user, not a room. */
export interface AvatarUploadGrant {
  userId: string;
  size: number;
  type: string;
  exp: number;
}

/** A user's avatar: `version` is the hash of its bytes; `exp` is rounded to a long bucket so the URL stays stable. */
export interface AvatarGrant {
  userId: string;
  version: string;
  exp: number;
}

export type Verdict = "ok" | "expired" | "invalid";

/**
 * A signature as issued: an HMAC-SHA256 (32 bytes) in base64url without padding, 43
 * characters. Only the exact text the issuer produced passes: no padding, no `+` or `/`, no
 * whitespace or line break (atob would skip those), no other final character (its low two
 * bits carry nothing and a lenient decoder drops them).
 */
const SIGNATURE = /^[A-Za-z0-9_-]{43}$/;

/**
 * A signed count (`exp`, `size`) as issued: decimal digits with no sign, space, leading zero,
 * point, exponent or hex prefix (Number() would take `+1`, ` 1`, `1\n`, `0x1`, `1e0`); null
 * for anything else, which the routes refuse as an invalid signature.
 */
export function parseSignedCount(text: string): number | null {
  if (!/^(0|[1-9][0-9]{0,15})$/.test(text)) return null;
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : null;
}

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
// A first field of their own: an avatar signature never passes for a room's, nor the other way.
const avatarUploadFields = (g: AvatarUploadGrant) => ["PUT avatar", g.userId, g.size, g.type, g.exp];
const avatarFields = (g: AvatarGrant) => ["GET avatar", g.userId, g.version, g.exp];

export function signUpload(secret: string, g: UploadGrant): Promise<string> {
  return mac(secret, uploadFields(g));
}

export function signDownload(secret: string, g: DownloadGrant): Promise<string> {
  return mac(secret, downloadFields(g));
}

export function signAvatarUpload(secret: string, g: AvatarUploadGrant): Promise<string> {
  return mac(secret, avatarUploadFields(g));
}

export function signAvatar(secret: string, g: AvatarGrant): Promise<string> {
  return mac(secret, avatarFields(g));
}

async function check(secret: string, fields: (string | number)[], exp: number, sig: string, now: number): Promise<Verdict> {
  if (fields.some((f) => String(f).includes("\n"))) return "invalid";
  if (!SIGNATURE.test(sig)) return "invalid";
  // The text itself is compared, not what a lenient decoder makes of it.
  const expected = await mac(secret, fields);
  if (!timingSafeEqual(encoder.encode(sig), encoder.encode(expected))) return "invalid";
  return exp * 1000 < now ? "expired" : "ok";
}

export function verifyUpload(secret: string, g: UploadGrant, sig: string, now = Date.now()): Promise<Verdict> {
  return check(secret, uploadFields(g), g.exp, sig, now);
}

export function verifyDownload(secret: string, g: DownloadGrant, sig: string, now = Date.now()): Promise<Verdict> {
  return check(secret, downloadFields(g), g.exp, sig, now);
}

export function verifyAvatarUpload(secret: string, g: AvatarUploadGrant, sig: string, now = Date.now()): Promise<Verdict> {
  return check(secret, avatarUploadFields(g), g.exp, sig, now);
}

export function verifyAvatar(secret: string, g: AvatarGrant, sig: string, now = Date.now()): Promise<Verdict> {
  return check(secret, avatarFields(g), g.exp, sig, now);
}

/** Answers a signed URL that failed its check: 403 `expired_signature` or `invalid_signature`. */
export function refuseSignature(verdict: Exclude<Verdict, "ok">): never {
  if (verdict === "expired") throw new ApiError(403, "expired_signature", "this signed URL has expired; ask for a new one");
  throw new ApiError(403, "invalid_signature", "this URL's signature does not match");
}

/** The R2 key of a user's avatar. */
export function avatarKey(userId: string, version: string): string {
  return `avatars/${userId}/${version}`;
}

/** The R2 key of an upload. */
export function mediaKey(roomId: string, uploadId: string): string {
  return `${roomMediaPrefix(roomId)}${uploadId}`;
}

/** What every R2 key of a room's uploads starts with (a deleted room's are listed by it). */
export function roomMediaPrefix(roomId: string): string {
  return `rooms/${roomId}/`;
}
