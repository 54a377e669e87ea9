import { fromBase64Url, timingSafeEqual, toBase64Url } from "../lib/encoding";

/** workerd refuses PBKDF2 above 100,000 iterations. */
export const PBKDF2_ITERATIONS = 100_000;

async function derive(password: string, salt: Uint8Array, iterations: number): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(password), "PBKDF2", false, ["deriveBits"]);
  const bits = await crypto.subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt, iterations }, key, 256);
  return new Uint8Array(bits);
}

/** Hashes a password with PBKDF2-SHA256 and a fresh 16-byte salt. Stored as `pbkdf2-sha256$<iterations>$<hash>`. */
export async function hashPassword(password: string): Promise<{ hash: string; salt: string }> {
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const hash = await derive(password, salt, PBKDF2_ITERATIONS);
  return { hash: `pbkdf2-sha256$${PBKDF2_ITERATIONS}$${toBase64Url(hash)}`, salt: toBase64Url(salt) };
}

export async function verifyPassword(password: string, stored: { hash: string; salt: string }): Promise<boolean> {
  const [scheme, iter, expected] = stored.hash.split("$");
  if (scheme !== "pbkdf2-sha256" || !iter || !expected) return false;
  let salt: Uint8Array, wanted: Uint8Array;
  try {
    // fromBase64Url reads only the canonical spelling; a row written otherwise is a mismatch, not a 500.
    salt = fromBase64Url(stored.salt);
    wanted = fromBase64Url(expected);
  } catch {
    return false;
  }
  const actual = await derive(password, salt, Number(iter));
  return timingSafeEqual(actual, wanted);
}
