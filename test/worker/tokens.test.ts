import { describe, expect, it } from "vitest";
import { issueSession, issueTicket, verifySession, verifyTicket } from "../../worker/auth/tokens";
import { fromBase64Url, toBase64Url } from "../../worker/lib/encoding";

const SECRET = "a-test-secret-that-is-long-enough-for-hs256";
const alice = { id: "u_alice", username: "alice" };

/** Other spellings of the same base64url text: each decodes (leniently) to the same bytes. */
function respellings(b64url: string): string[] {
  const standard = b64url.replace(/-/g, "+").replace(/_/g, "/");
  const padded = b64url + "=".repeat((4 - (b64url.length % 4)) % 4);
  const last = b64url.at(-1)!;
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  // A last character that differs only in the bits that decoding drops.
  const spare = alphabet[alphabet.indexOf(last) ^ 1]!;
  return [`${b64url}\n`, ` ${b64url}`, padded === b64url ? `${b64url}=` : padded, standard === b64url ? `${b64url}+` : standard, b64url.slice(0, -1) + spare];
}

describe("tokens are accepted only as issued", () => {
  it("base64url decodes only its canonical spelling", () => {
    const bytes = new Uint8Array([251, 255, 191, 0, 1, 2, 3]);
    const text = toBase64Url(bytes);
    expect(fromBase64Url(text)).toEqual(bytes);
    for (const other of respellings(text)) expect(() => fromBase64Url(other), JSON.stringify(other)).toThrow();
  });

  it("a session token whose signature is spelled another way is refused", async () => {
    const { token } = await issueSession(SECRET, alice);
    expect(await verifySession(SECRET, token)).toMatchObject(alice);
    const [head, body, sig] = token.split(".") as [string, string, string];
    for (const other of respellings(sig)) {
      expect(await verifySession(SECRET, `${head}.${body}.${other}`), JSON.stringify(other)).toBeNull();
    }
    for (const other of respellings(body)) {
      expect(await verifySession(SECRET, `${head}.${other}.${sig}`), JSON.stringify(other)).toBeNull();
    }
  });

  it("a socket ticket whose signature is spelled another way is refused", async () => {
    const { token } = await issueTicket(SECRET, alice, "r_1");
    expect(await verifyTicket(SECRET, token, "r_1")).toMatchObject(alice);
    const [head, body, sig] = token.split(".") as [string, string, string];
    for (const other of respellings(sig)) expect(await verifyTicket(SECRET, `${head}.${body}.${other}`, "r_1")).toBeNull();
  });
});
