const ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz";

/** A random, unguessable id such as `r_k3j9...` (128 bits of randomness). */
export function newId(prefix: string): string {
  const bytes = crypto.getRandomValues(new Uint8Array(25));
  let out = "";
  for (const b of bytes) out += ALPHABET[b % 36];
  return `${prefix}_${out}`;
}
