/**
 * A local stand-in for a browser's push service, for tests. It runs in Node (bound into the
 * workerd tests as the PUSH_TRANSPORT service) and does what a real push service does with
 * Hearth's requests: verifies the VAPID JWT (RFC 8292) and decrypts the aes128gcm body
 * (RFC 8291) with the subscriber's private key, then records the plaintext.
 *
 * Control endpoints (https://push.test/__…):
 *   POST /__subscribe?behaviour=ok|gone|flaky-N|down  → a new subscription {endpoint, keys}
 *   GET  /__received                                  → every push received, decrypted
 *   POST /__reset                                     → forget what was received
 * Push endpoints: https://push.test/push/<id>, answering per the subscription's behaviour:
 * ok → 201, gone → 410, flaky-N → 503 the first N times then 201, down → always 503.
 */
import { createDecipheriv, createECDH, createHmac, createPublicKey, randomBytes, verify } from "node:crypto";
import { Response, type Request } from "miniflare";


interface Subscriber {
  id: string;
  ecdh: ReturnType<typeof createECDH>;
  publicKey: Buffer;
  auth: Buffer;
  behaviour: string;
  attempts: number;
}

export interface ReceivedPush {
  subscription: string;
  attempt: number;
  status: number;
  headers: Record<string, string>;
  vapid: { aud: string; sub: string; exp: number; key: string };
  payload: unknown;
}

const subscribers = new Map<string, Subscriber>();
let received: ReceivedPush[] = [];

const b64u = (b: Buffer) => b.toString("base64url");

function hkdf(salt: Buffer, ikm: Buffer, info: Buffer, length: number): Buffer {
  const prk = createHmac("sha256", salt).update(ikm).digest();
  return createHmac("sha256", prk).update(Buffer.concat([info, Buffer.from([1])])).digest().subarray(0, length);
}

/** RFC 8291 decryption of a single-record aes128gcm body. */
export function decrypt(sub: Subscriber, body: Buffer): string {
  const salt = body.subarray(0, 16);
  const idlen = body[20]!;
  const senderPublic = body.subarray(21, 21 + idlen);
  const ciphertext = body.subarray(21 + idlen);
  const secret = sub.ecdh.computeSecret(senderPublic);
  const keyInfo = Buffer.concat([Buffer.from("WebPush: info\0"), sub.publicKey, senderPublic]);
  const ikm = hkdf(sub.auth, secret, keyInfo, 32);
  const cek = hkdf(salt, ikm, Buffer.from("Content-Encoding: aes128gcm\0"), 16);
  const nonce = hkdf(salt, ikm, Buffer.from("Content-Encoding: nonce\0"), 12);
  const decipher = createDecipheriv("aes-128-gcm", cek, nonce);
  decipher.setAuthTag(ciphertext.subarray(ciphertext.length - 16));
  const plain = Buffer.concat([decipher.update(ciphertext.subarray(0, ciphertext.length - 16)), decipher.final()]);
  // Padding: a 0x02 delimiter (last record) followed by zeros.
  let end = plain.length - 1;
  while (end >= 0 && plain[end] === 0) end--;
  if (plain[end] !== 2) throw new Error("bad padding delimiter");
  return plain.subarray(0, end).toString("utf8");
}

/** RFC 8292: `vapid t=<ES256 JWT>, k=<P-256 public key>`; returns the claims or throws. */
export function verifyVapid(authorization: string, endpoint: URL) {
  const m = /^vapid t=([\w-]+\.[\w-]+\.[\w-]+), k=([\w-]+)$/.exec(authorization);
  if (!m) throw new Error(`not a vapid authorization: ${authorization}`);
  const [header, claims, signature] = m[1]!.split(".") as [string, string, string];
  const raw = Buffer.from(m[2]!, "base64url");
  if (raw.length !== 65 || raw[0] !== 4) throw new Error("k is not an uncompressed P-256 key");
  const key = createPublicKey({ key: { kty: "EC", crv: "P-256", x: b64u(raw.subarray(1, 33)), y: b64u(raw.subarray(33)) }, format: "jwk" });
  const ok = verify("sha256", Buffer.from(`${header}.${claims}`), { key, dsaEncoding: "ieee-p1363" }, Buffer.from(signature, "base64url"));
  if (!ok) throw new Error("VAPID signature does not verify");
  const h = JSON.parse(Buffer.from(header, "base64url").toString());
  if (h.alg !== "ES256") throw new Error(`alg ${h.alg}`);
  const c = JSON.parse(Buffer.from(claims, "base64url").toString()) as { aud: string; sub: string; exp: number };
  const now = Date.now() / 1000;
  if (c.aud !== endpoint.origin) throw new Error(`aud ${c.aud} is not ${endpoint.origin}`);
  if (!(c.exp > now && c.exp <= now + 24 * 3600)) throw new Error(`exp ${c.exp} out of range`);
  if (!c.sub) throw new Error("no sub");
  return { ...c, key: m[2]! };
}

/** The service binding's fetch handler. */
export async function pushService(request: Request): Promise<Response> {
  const url = new URL(request.url);
  if (url.pathname === "/__subscribe") {
    const ecdh = createECDH("prime256v1");
    ecdh.generateKeys();
    const sub: Subscriber = {
      id: b64u(randomBytes(9)),
      ecdh,
      publicKey: ecdh.getPublicKey(),
      auth: randomBytes(16),
      behaviour: url.searchParams.get("behaviour") ?? "ok",
      attempts: 0,
    };
    subscribers.set(sub.id, sub);
    return Response.json({ endpoint: `https://push.test/push/${sub.id}`, keys: { p256dh: b64u(sub.publicKey), auth: b64u(sub.auth) } });
  }
  if (url.pathname === "/__received") return Response.json(received);
  if (url.pathname === "/__reset") {
    received = [];
    return new Response(null, { status: 204 });
  }
  const sub = subscribers.get(url.pathname.replace("/push/", ""));
  if (!sub) return new Response("no such subscription", { status: 404 });
  sub.attempts += 1;
  const headers = Object.fromEntries(request.headers);
  const vapid = verifyVapid(request.headers.get("authorization") ?? "", url);
  if (headers["content-encoding"] !== "aes128gcm") throw new Error(`content-encoding ${headers["content-encoding"]}`);
  const payload = JSON.parse(decrypt(sub, Buffer.from(await request.arrayBuffer())));
  const flaky = /^flaky-(\d+)$/.exec(sub.behaviour);
  const status =
    sub.behaviour === "gone" ? 410 : sub.behaviour === "down" ? 503 : flaky && sub.attempts <= Number(flaky[1]) ? 503 : 201;
  received.push({ subscription: sub.id, attempt: sub.attempts, status, headers, vapid, payload });
  return new Response(null, { status });
}
