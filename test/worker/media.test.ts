import { SELF, env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { mediaKey, signDownload, signUpload, verifyDownload, verifyUpload } from "../../worker/media/signing";
import { classify, sniff } from "../../worker/media/sniff";
import { UploadStore } from "../../worker/room/uploads";
import { BASE, api, connect, createRoom, join, signup, type TestUser } from "./helpers";

const SECRET = "test-secret-that-is-at-least-32-characters-long";
const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0]);
const WEBM = new Uint8Array([0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x86, 0x81, 0x01, 0x42, 0xf7, 0x81, 0x01, 0x42, 0xf2, 0x81, 0x04, 0x42, 0xf3, 0x81, 0x08, 0x42, 0x82, 0x84, 0x77, 0x65, 0x62, 0x6d]);
const HTML = new TextEncoder().encode("<!doctype html><script>alert(document.cookie)</script>");

function randomBytes(n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i += 65536) crypto.getRandomValues(out.subarray(i, Math.min(n, i + 65536)));
  return out;
}

async function grant(user: TestUser, roomId: string, file: { name: string; type: string; size: number }) {
  return api(`/api/rooms/${roomId}/uploads`, { token: user.token, body: file });
}

async function put(url: string, bytes: Uint8Array, type: string, length = bytes.byteLength) {
  return SELF.fetch(url, { method: "PUT", body: bytes, headers: { "Content-Type": type, "Content-Length": String(length) } });
}

/** Grants and uploads a file; returns its uploadId. */
async function upload(user: TestUser, roomId: string, bytes: Uint8Array, type: string, name = "file.bin") {
  const g = await grant(user, roomId, { name, type, size: bytes.byteLength });
  expect(g.status).toBe(201);
  const res = await put(g.json.uploadUrl, bytes, type);
  expect(res.status, await res.clone().text()).toBe(201);
  return g.json.uploadId as string;
}

async function download(user: TestUser, roomId: string, uploadId: string, headers: Record<string, string> = {}) {
  const link = await api(`/api/rooms/${roomId}/attachments/${uploadId}`, { token: user.token });
  expect(link.status).toBe(200);
  return SELF.fetch(link.json.url, { headers });
}

describe("signed URLs", () => {
  const g = { roomId: "r_1", uploadId: "f_1", size: 10, type: "image/png", uploader: "u_1", exp: Math.floor(Date.now() / 1000) + 60 };

  it("verifies an untouched upload signature and refuses any changed field", async () => {
    const sig = await signUpload(SECRET, g);
    expect(await verifyUpload(SECRET, g, sig)).toBe("ok");
    for (const changed of [{ roomId: "r_2" }, { uploadId: "f_2" }, { size: 11 }, { type: "text/html" }, { uploader: "u_2" }, { exp: g.exp + 1 }]) {
      expect(await verifyUpload(SECRET, { ...g, ...changed }, sig), JSON.stringify(changed)).toBe("invalid");
    }
    expect(await verifyUpload("another-secret-of-at-least-32-characters!", g, sig)).toBe("invalid");
    // One character changed, always to a different one (a fixed "AA" ending matched ~1 run in 1000).
    expect(await verifyUpload(SECRET, g, (sig[0] === "A" ? "B" : "A") + sig.slice(1))).toBe("invalid");
    expect(await verifyUpload(SECRET, g, "!!!not base64")).toBe("invalid");
  });

  it("says expired once the time is up, and never mixes uploads with downloads", async () => {
    const sig = await signUpload(SECRET, g);
    expect(await verifyUpload(SECRET, g, sig, (g.exp + 1) * 1000)).toBe("expired");
    const d = { roomId: "r_1", uploadId: "f_1", type: "image/png", name: "a.png", etag: "abc", exp: g.exp };
    const dsig = await signDownload(SECRET, d);
    expect(await verifyDownload(SECRET, d, dsig)).toBe("ok");
    expect(await verifyDownload(SECRET, { ...d, type: "text/html" }, dsig)).toBe("invalid");
    expect(await verifyDownload(SECRET, { ...d, etag: "" }, dsig)).toBe("invalid");
    expect(await verifyDownload(SECRET, d, sig)).toBe("invalid");
  });
});

describe("type sniffing", () => {
  it("recognises media by their bytes and refuses a declaration the bytes contradict", () => {
    expect(sniff(PNG)).toBe("image/png");
    expect(sniff(WEBM)).toBe("video/webm");
    expect(sniff(HTML)).toBeNull();
    expect(classify("image/png", PNG)).toEqual({ family: "image", type: "image/png" });
    expect(classify("image/png", HTML)).toBeNull();
    expect(classify("image/svg+xml", new TextEncoder().encode("<svg xmlns='http://www.w3.org/2000/svg'/>"))).toBeNull();
    expect(classify("audio/webm;codecs=opus", WEBM)).toEqual({ family: "audio", type: "audio/webm" });
    expect(classify("audio/webm", PNG)).toBeNull();
    expect(classify("text/html", HTML)).toEqual({ family: "file", type: "application/octet-stream" });
    expect(classify("application/pdf", new TextEncoder().encode("%PDF-1.7\n"))).toEqual({ family: "file", type: "application/pdf" });
  });
});

describe("uploads and media messages", () => {
  it("round-trips a file byte for byte: grant, upload, attach, signed download", async () => {
    const alice = await signup();
    const bob = await signup();
    const room = await createRoom(alice);
    await join(bob, room.id);
    const bytes = randomBytes(300_000);
    const uploadId = await upload(alice, room.id, bytes, "application/x-tar", "backup.tar");
    const key = mediaKey(room.id, uploadId);
    expect((await env.MEDIA.head(key))?.size).toBe(300_000);

    const b = await connect(bob, room.id);
    const sent = await api(`/api/rooms/${room.id}/messages`, {
      token: alice.token,
      body: { kind: "file", clientId: "f1", body: "the backup", attachment: { uploadId } },
    });
    expect(sent.status).toBe(201);
    expect(sent.json).toMatchObject({ kind: "file", body: "the backup", attachment: { id: uploadId, name: "backup.tar", size: 300_000, type: "application/octet-stream" } });
    expect((await b.socket.nextOfType("message")).message).toEqual(sent.json);

    const res = await download(bob, room.id, uploadId);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/octet-stream");
    expect(res.headers.get("content-disposition")).toBe("attachment; filename*=UTF-8''backup.tar");
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(bytes);

    const part = await download(bob, room.id, uploadId, { Range: "bytes=100-199" });
    expect(part.status).toBe(206);
    expect(part.headers.get("content-range")).toBe("bytes 100-199/300000");
    expect(new Uint8Array(await part.arrayBuffer())).toEqual(bytes.slice(100, 200));
  });

  it("refuses a second send of an upload with 403 and keeps the stored file", async () => {
    const alice = await signup();
    const room = await createRoom(alice);
    const first = randomBytes(1000);
    const g = await grant(alice, room.id, { name: "notes.bin", type: "application/octet-stream", size: first.byteLength });
    expect((await put(g.json.uploadUrl, first, "application/octet-stream")).status).toBe(201);
    // The same URL again (a retried PUT, or other bytes of the same size): refused.
    for (const again of [first, randomBytes(1000)]) {
      const res = await put(g.json.uploadUrl, again, "application/octet-stream");
      expect(res.status).toBe(403);
      expect(((await res.json()) as any).error.code).toBe("upload_gone");
    }
    const sent = await api(`/api/rooms/${room.id}/messages`, {
      token: alice.token,
      body: { kind: "file", clientId: "twice", body: "", attachment: { uploadId: g.json.uploadId } },
    });
    expect(sent.status).toBe(201);
    expect((await put(g.json.uploadUrl, first, "application/octet-stream")).status).toBe(403);
    const res = await download(alice, room.id, g.json.uploadId);
    expect(res.status).toBe(200);
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(first);
  });

  it("serves only the bytes that were checked: a file written over after it was sent is refused with 410", async () => {
    const alice = await signup();
    const room = await createRoom(alice);
    const uploadId = await upload(alice, room.id, PNG, "image/png", "cat.png");
    const sent = await api(`/api/rooms/${room.id}/messages`, {
      token: alice.token,
      body: { kind: "image", clientId: "img", body: "", attachment: { uploadId } },
    });
    expect(sent.status).toBe(201);
    const link = (await api(`/api/rooms/${room.id}/attachments/${uploadId}`, { token: alice.token })).json.url as string;
    expect(new Uint8Array(await (await SELF.fetch(link)).arrayBuffer())).toEqual(PNG);
    // Written over behind Hearth's back (as a reused S3 presigned PUT could): other bytes, any size.
    await env.MEDIA.put(mediaKey(room.id, uploadId), HTML);
    for (const url of [link, (await api(`/api/rooms/${room.id}/attachments/${uploadId}`, { token: alice.token })).json.url as string]) {
      const res = await SELF.fetch(url);
      expect(res.status).toBe(410);
      expect(((await res.json()) as any).error.code).toBe("file_changed");
    }
    const ranged = await SELF.fetch(link, { headers: { Range: "bytes=0-3" } });
    expect(ranged.status).toBe(410);
    await ranged.body?.cancel();
  });

  it("adds the etag column to a room's uploads table from before it, keeping its rows", async () => {
    const stub = env.ROOMS.getByName("r_legacy_uploads") as unknown as DurableObjectStub;
    await runInDurableObject(stub, (_instance, state) => {
      const sql = state.storage.sql;
      sql.exec("DROP TABLE IF EXISTS uploads");
      sql.exec(`CREATE TABLE uploads (id TEXT PRIMARY KEY, uploader TEXT NOT NULL, name TEXT NOT NULL, declared_type TEXT NOT NULL,
        size INTEGER NOT NULL, status TEXT NOT NULL, family TEXT, type TEXT, created_at INTEGER NOT NULL, orphan_at INTEGER NOT NULL)`);
      sql.exec("INSERT INTO uploads VALUES ('f_old', 'u_1', 'a.png', 'image/png', 3, 'attached', 'image', 'image/png', 1, 2)");
      const store = new UploadStore(sql);
      expect(store.get("f_old")).toMatchObject({ status: "attached", type: "image/png", etag: null });
    });
  });

  it("serves images and audio inline with their sniffed type, and HTML only as an attachment", async () => {
    const alice = await signup();
    const room = await createRoom(alice);
    const image = await upload(alice, room.id, PNG, "image/png", "dot.png");
    const img = await api(`/api/rooms/${room.id}/messages`, {
      token: alice.token,
      body: { kind: "image", clientId: "i1", attachment: { uploadId: image, width: 1, height: 1 } },
    });
    expect(img.json).toMatchObject({ kind: "image", body: "", attachment: { type: "image/png", width: 1, height: 1 } });
    const imgRes = await download(alice, room.id, image);
    expect(imgRes.headers.get("content-type")).toBe("image/png");
    expect(imgRes.headers.get("content-disposition")).toMatch(/^inline;/);
    expect(imgRes.headers.get("x-content-type-options")).toBe("nosniff");

    const voice = await upload(alice, room.id, WEBM, "audio/webm;codecs=opus", "voice.webm");
    const audio = await api(`/api/rooms/${room.id}/messages`, {
      token: alice.token,
      body: { kind: "audio", clientId: "a1", attachment: { uploadId: voice, duration: 3.25 } },
    });
    expect(audio.json.attachment).toMatchObject({ type: "audio/webm", duration: 3.25 });
    // History carries the same attachments, field for field.
    const history = await api(`/api/rooms/${room.id}/messages`, { token: alice.token });
    expect(history.json.messages).toEqual([audio.json, img.json]);
    // A retry of a media message is answered with the stored message, also once its id has
    // been filed away by the D1 copy (its upload is attached by now: that is not an error).
    await env.ROOMS.getByName(room.id).flush();
    const retry = await api(`/api/rooms/${room.id}/messages`, {
      token: alice.token,
      body: { kind: "image", clientId: "i1", attachment: { uploadId: image, width: 1, height: 1 } },
    });
    expect(retry.status).toBe(200);
    expect(retry.json).toEqual(img.json);
    expect((await download(alice, room.id, voice)).headers.get("content-type")).toBe("audio/webm");

    const page = await upload(alice, room.id, HTML, "text/html", "page.html");
    await api(`/api/rooms/${room.id}/messages`, { token: alice.token, body: { kind: "file", clientId: "h1", attachment: { uploadId: page } } });
    const htmlRes = await download(alice, room.id, page);
    expect(htmlRes.headers.get("content-type")).toBe("application/octet-stream");
    expect(htmlRes.headers.get("content-disposition")).toMatch(/^attachment;/);
    expect(htmlRes.headers.get("content-security-policy")).toContain("sandbox");
  });

  it("refuses bytes that are not what was declared (415) and keeps nothing", async () => {
    const alice = await signup();
    const room = await createRoom(alice);
    const g = await grant(alice, room.id, { name: "cat.png", type: "image/png", size: HTML.byteLength });
    const res = await put(g.json.uploadUrl, HTML, "image/png");
    expect(res.status).toBe(415);
    expect(((await res.json()) as any).error.code).toBe("type_mismatch");
    expect(await env.MEDIA.head(mediaKey(room.id, g.json.uploadId))).toBeNull();
    // Never uploaded, so it cannot be attached.
    const msg = await api(`/api/rooms/${room.id}/messages`, {
      token: alice.token,
      body: { kind: "image", clientId: "x", attachment: { uploadId: g.json.uploadId } },
    });
    expect(msg.status).toBe(400);
    expect(msg.json.error.message).toContain("not finished");
  });

  it("enforces the size limit and the granted size", async () => {
    const alice = await signup();
    const room = await createRoom(alice);
    // The test config sets MAX_UPLOAD_BYTES to 1 MiB.
    const big = await grant(alice, room.id, { name: "big.bin", type: "application/octet-stream", size: 1024 * 1024 + 1 });
    expect(big.status).toBe(413);
    expect(big.json.error.code).toBe("too_large");
    const g = await grant(alice, room.id, { name: "a.bin", type: "application/octet-stream", size: 100 });
    expect((await put(g.json.uploadUrl, randomBytes(200), "application/octet-stream")).status).toBe(413);
    expect((await put(g.json.uploadUrl, randomBytes(50), "application/octet-stream")).status).toBe(400);
    expect(await env.MEDIA.head(mediaKey(room.id, g.json.uploadId))).toBeNull();
    for (const bad of [{ name: "a", type: "nope", size: 1 }, { name: "a/b", type: "a/b", size: 1 }, { name: "a", type: "a/b", size: 0 }, { name: "", type: "a/b", size: 1 }]) {
      expect((await grant(alice, room.id, bad)).status, JSON.stringify(bad)).toBe(400);
    }
  });

  it("refuses tampered and expired upload and download URLs with 403", async () => {
    const alice = await signup();
    const room = await createRoom(alice);
    const g = await grant(alice, room.id, { name: "a.png", type: "image/png", size: PNG.byteLength });
    const tampered = g.json.uploadUrl.replace("type=image%2Fpng", "type=text%2Fhtml");
    const res = await put(tampered, PNG, "text/html");
    expect(res.status).toBe(403);
    expect(((await res.json()) as any).error.code).toBe("invalid_signature");

    const exp = Math.floor(Date.now() / 1000) - 1;
    const old = { roomId: room.id, uploadId: g.json.uploadId, size: PNG.byteLength, type: "image/png", uploader: alice.id, exp };
    const sig = await signUpload(SECRET, old);
    const q = new URLSearchParams({ size: String(old.size), type: old.type, uploader: old.uploader, exp: String(exp), sig });
    const expired = await put(`${BASE}/api/rooms/${room.id}/uploads/${g.json.uploadId}?${q}`, PNG, "image/png");
    expect(expired.status).toBe(403);
    expect(((await expired.json()) as any).error.code).toBe("expired_signature");

    const uploadId = await upload(alice, room.id, PNG, "image/png");
    const link = await api(`/api/rooms/${room.id}/attachments/${uploadId}`, { token: alice.token });
    const forged = link.json.url.replace(/sig=[^&]+/, "sig=AAAA");
    expect((await SELF.fetch(forged)).status).toBe(403);
    const asHtml = link.json.url.replace("type=image%2Fpng", "type=text%2Fhtml");
    expect((await SELF.fetch(asHtml)).status).toBe(403);
  });

  it("keeps non-members from uploading into a room or getting its files", async () => {
    const alice = await signup();
    const mallory = await signup("mallory");
    const room = await createRoom(alice, "private");
    const g = await grant(mallory, room.id, { name: "x.png", type: "image/png", size: 10 });
    expect(g.status).toBe(403);
    const uploadId = await upload(alice, room.id, PNG, "image/png");
    const link = await api(`/api/rooms/${room.id}/attachments/${uploadId}`, { token: mallory.token });
    expect(link.status).toBe(403);
    expect((await api(`/api/rooms/${room.id}/attachments/${uploadId}`)).status).toBe(401);
  });

  it("stores one socket's messages in the order sent, also when a photo's bytes are checked in R2 first", async () => {
    const alice = await signup();
    const room = await createRoom(alice);
    // An upload made straight to R2 (an S3 presigned PUT): still pending, checked when attached.
    const g = await grant(alice, room.id, { name: "cat.png", type: "image/png", size: PNG.byteLength });
    expect(g.status).toBe(201);
    await env.MEDIA.put(mediaKey(room.id, g.json.uploadId), PNG);
    const a = await connect(alice, room.id);
    a.socket.send({ type: "send", clientId: "photo", kind: "image", body: "", attachment: { uploadId: g.json.uploadId } });
    a.socket.send({ type: "send", clientId: "caption", body: "look at this" });
    const photo = await a.socket.next((f) => f.clientId === "photo", "the photo's answer");
    const caption = await a.socket.next((f) => f.clientId === "caption", "the caption's answer");
    expect([photo.type, caption.type]).toEqual(["ack", "ack"]);
    expect([photo.seq, caption.seq]).toEqual([1, 2]);
    a.socket.close();
  });

  it("attaches only the author's own finished upload into that same room, once", async () => {
    const alice = await signup();
    const bob = await signup();
    const room = await createRoom(alice);
    const other = await createRoom(alice);
    await join(bob, room.id);
    const mine = await upload(alice, room.id, PNG, "image/png");
    const elsewhere = await upload(alice, other.id, PNG, "image/png");
    const pdf = await upload(alice, room.id, new TextEncoder().encode("%PDF-1.4 tiny"), "application/pdf");
    const send = (u: TestUser, body: object) => api(`/api/rooms/${room.id}/messages`, { token: u.token, body: { clientId: crypto.randomUUID(), ...body } });

    const cases: [TestUser, object, string][] = [
      [bob, { kind: "image", attachment: { uploadId: mine } }, "not an upload of yours"],
      [alice, { kind: "image", attachment: { uploadId: elsewhere } }, "not an upload of yours"],
      [alice, { kind: "image", attachment: { uploadId: "f_0000000000000000000000000" } }, "not an upload of yours"],
      [alice, { kind: "image", attachment: { uploadId: pdf } }, "image upload"],
      [alice, { kind: "audio", attachment: { uploadId: mine } }, "audio upload"],
      [alice, { kind: "image" }, "needs attachment.uploadId"],
      [alice, { kind: "text", body: "hi", attachment: { uploadId: mine } }, "no attachment"],
      [alice, { kind: "video", attachment: { uploadId: mine } }, ""],
    ];
    for (const [who, body, text] of cases) {
      const res = await send(who, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.json.error.message).toContain(text);
    }
    expect((await send(alice, { kind: "image", attachment: { uploadId: mine } })).status).toBe(201);
    const again = await send(alice, { kind: "image", attachment: { uploadId: mine } });
    expect(again.status).toBe(400);
    expect(again.json.error.message).toContain("already attached");
    // An image may also be sent as a plain file.
    expect((await send(alice, { kind: "file", attachment: { uploadId: pdf } })).status).toBe(201);
  });

  it("deletes uploads never attached once their time is up, and keeps attached ones", async () => {
    const alice = await signup();
    const room = await createRoom(alice);
    const orphan = await upload(alice, room.id, PNG, "image/png");
    const kept = await upload(alice, room.id, PNG, "image/png");
    await api(`/api/rooms/${room.id}/messages`, { token: alice.token, body: { kind: "image", clientId: "k", attachment: { uploadId: kept } } });
    const stub = env.ROOMS.getByName(room.id);
    expect(await stub.deleteOrphans(Date.now())).toBe(0);
    expect(await stub.deleteOrphans(Date.now() + 3601_000)).toBe(1);
    expect(await env.MEDIA.head(mediaKey(room.id, orphan))).toBeNull();
    expect(await env.MEDIA.head(mediaKey(room.id, kept))).not.toBeNull();
    expect((await api(`/api/rooms/${room.id}/attachments/${orphan}`, { token: alice.token })).status).toBe(404);
    expect((await download(alice, room.id, kept)).status).toBe(200);
  });
});
