import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { signUpload, verifyUpload } from "../../worker/media/signing";
import { api, createRoom, signup, type TestUser } from "./helpers";

const SECRET = "test-secret-that-is-at-least-32-characters-long";
const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0]);
const B64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/** The URL with one query parameter's raw value replaced (percent-encoded exactly, nothing else touched). */
function withParam(url: string, name: string, value: string): string {
  const re = new RegExp(`([?&]${name}=)[^&]*`);
  expect(re.test(url), `${name} in ${url}`).toBe(true);
  return url.replace(re, (_, head: string) => `${head}${encodeURIComponent(value)}`);
}

const param = (url: string, name: string) => new URL(url).searchParams.get(name)!;

/** Other spellings of the same signature: same bytes once decoded leniently, never the issued text. */
function sigVariants(sig: string): [string, string][] {
  const last = B64URL.indexOf(sig.at(-1)!);
  return [
    ["trailing newline", `${sig}\n`],
    ["trailing CRLF", `${sig}\r\n`],
    ["leading space", ` ${sig}`],
    ["inner space", `${sig.slice(0, 20)} ${sig.slice(20)}`],
    ["padding", `${sig}=`],
    ["standard base64 alphabet", sig.replace(/-/g, "+").replace(/_/g, "/")],
    ["padded standard base64", `${sig.replace(/-/g, "+").replace(/_/g, "/")}=`],
    // 43 characters carry 258 bits for 256: the final character's low two bits are unused.
    ["non-canonical final character", sig.slice(0, -1) + B64URL[last ^ 1]],
  ];
}

function countVariants(n: number): [string, string][] {
  return [
    ["leading +", `+${n}`],
    ["leading space", ` ${n}`],
    ["trailing space", `${n} `],
    ["trailing newline", `${n}\n`],
    ["leading zero", `0${n}`],
    ["hexadecimal", `0x${n.toString(16)}`],
    ["decimal point", `${n}.0`],
    ["exponent", `${n}e0`],
    ["underscore separator", `${String(n).slice(0, 2)}_${String(n).slice(2)}`],
  ];
}

/** An upload grant whose signature has a `-` or `_` (so its standard-base64 spelling differs). */
async function uploadGrant(user: TestUser, roomId: string) {
  for (let i = 0; i < 40; i++) {
    const g = await api(`/api/rooms/${roomId}/uploads`, { token: user.token, body: { name: "a.png", type: "image/png", size: PNG.byteLength } });
    expect(g.status).toBe(201);
    if (/[-_]/.test(param(g.json.uploadUrl, "sig"))) return g.json as { uploadUrl: string; uploadId: string };
  }
  throw new Error("no signature with - or _ in 40 grants");
}

const put = (url: string) => SELF.fetch(url, { method: "PUT", body: PNG, headers: { "Content-Type": "image/png", "Content-Length": String(PNG.byteLength) } });

async function expectRefused(res: Response, what: string) {
  const text = await res.text();
  expect(res.status, `${what}: ${text}`).toBe(403);
  expect(JSON.parse(text).error.code, what).toBe("invalid_signature");
}

describe("signed URLs parse strictly", () => {
  it("refuses every other spelling of an issued upload URL's exp, size and sig, then takes the URL as issued", async () => {
    const alice = await signup();
    const room = await createRoom(alice);
    const { uploadUrl } = await uploadGrant(alice, room.id);
    const exp = Number(param(uploadUrl, "exp"));
    expect(param(uploadUrl, "exp")).toMatch(/^[1-9][0-9]*$/);
    for (const [what, value] of countVariants(exp)) await expectRefused(await put(withParam(uploadUrl, "exp", value)), `exp ${what}`);
    for (const [what, value] of countVariants(PNG.byteLength)) await expectRefused(await put(withParam(uploadUrl, "size", value)), `size ${what}`);
    for (const [what, value] of sigVariants(param(uploadUrl, "sig"))) await expectRefused(await put(withParam(uploadUrl, "sig", value)), `sig ${what}`);
    // None of them used the upload up: the URL as issued still works.
    const res = await put(uploadUrl);
    expect(res.status, await res.clone().text()).toBe(201);
  });

  it("refuses every other spelling of an issued download URL's exp and sig, and serves the URL as issued", async () => {
    const alice = await signup();
    const room = await createRoom(alice);
    const { uploadUrl, uploadId } = await uploadGrant(alice, room.id);
    expect((await put(uploadUrl)).status).toBe(201);
    const sent = await api(`/api/rooms/${room.id}/messages`, { token: alice.token, body: { kind: "image", clientId: "img", body: "", attachment: { uploadId } } });
    expect(sent.status).toBe(201);
    const link = await api(`/api/rooms/${room.id}/attachments/${uploadId}`, { token: alice.token });
    expect(link.status).toBe(200);
    const url = link.json.url as string;
    for (const [what, value] of countVariants(Number(param(url, "exp")))) await expectRefused(await SELF.fetch(withParam(url, "exp", value)), `exp ${what}`);
    const sig = param(url, "sig");
    for (const [what, value] of sigVariants(sig)) {
      // Without - or _, the standard spelling is the same text (the upload test covers it).
      if (value !== sig) await expectRefused(await SELF.fetch(withParam(url, "sig", value)), `sig ${what}`);
    }
    const res = await SELF.fetch(url);
    expect(res.status).toBe(200);
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(PNG);
  });

  it("verifies only the exact signature text the issuer produced", async () => {
    for (let i = 0; i < 8; i++) {
      const g = { roomId: "r_1", uploadId: `f_${i}`, size: 10, type: "image/png", uploader: "u_1", exp: Math.floor(Date.now() / 1000) + 60 };
      const sig = await signUpload(SECRET, g);
      expect(sig).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(await verifyUpload(SECRET, g, sig)).toBe("ok");
      for (const [what, value] of sigVariants(sig)) {
        if (value === sig) continue; // no - or _ in this one: the standard spelling is the same text
        expect(await verifyUpload(SECRET, g, value), what).toBe("invalid");
      }
    }
  });
});
