import { toBase64Url } from "../lib/encoding";

/**
 * How Hearth signs the calls to a bot's webhook (docs/bots.md, "Verifying a call"):
 * `X-Hearth-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>` with the
 * timestamp in `X-Hearth-Timestamp` (Unix seconds).
 *
 * Each bot's signing secret is `whsec_` + base64url(HMAC-SHA256(K, "<bot id>.<nonce>")), where
 * K is derived from JWT_SECRET and the nonce is random, made anew each time the webhook is set.
 * D1 keeps the nonce, never the secret: reading the database alone does not let anyone sign
 * calls, and setting the webhook again replaces the secret. Changing JWT_SECRET changes every
 * bot's secret (set each webhook again to learn the new one).
 */

export const SIGNATURE_HEADER = "X-Hearth-Signature";
export const TIMESTAMP_HEADER = "X-Hearth-Timestamp";

const encoder = new TextEncoder();
const hex = (buf: ArrayBuffer) => [...new Uint8Array(buf)].map((b) => b.toString(16).padStart(2, "0")).join("");
const hmac = (key: ArrayBuffer | Uint8Array) => crypto.subtle.importKey("raw", key, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);

/** K: a key of its own for webhook secrets, so that nothing else signed with JWT_SECRET can pass for one. */
const derivers = new Map<string, Promise<CryptoKey>>();
function secretDeriver(jwtSecret: string): Promise<CryptoKey> {
  let key = derivers.get(jwtSecret);
  if (!key) {
    key = crypto.subtle.digest("SHA-256", encoder.encode(`hearth-webhook-secret-v1:${jwtSecret}`)).then(hmac);
    derivers.set(jwtSecret, key);
  }
  return key;
}

/** A fresh nonce for a webhook's secret (16 random bytes, base64url). */
export function newWebhookNonce(): string {
  return toBase64Url(crypto.getRandomValues(new Uint8Array(16)));
}

/** Bot `botId`'s signing secret for the nonce stored with its webhook. */
export async function webhookSecret(jwtSecret: string, botId: string, nonce: string): Promise<string> {
  const mac = await crypto.subtle.sign("HMAC", await secretDeriver(jwtSecret), encoder.encode(`${botId}.${nonce}`));
  return `whsec_${toBase64Url(mac)}`;
}

/** The `X-Hearth-Signature` value of `body` sent at `timestamp` (Unix seconds). */
export async function webhookSignature(secret: string, timestamp: number, body: string): Promise<string> {
  const mac = await crypto.subtle.sign("HMAC", await hmac(encoder.encode(secret)), encoder.encode(`${timestamp}.${body}`));
  return `sha256=${hex(mac)}`;
}
