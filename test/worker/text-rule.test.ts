import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { api, connect, createRoom, join, signup } from "./helpers";

// "One rule for text" (worker/lib/text.ts): text that is not well-formed Unicode is refused on
// every path, never stored altered; names lose control characters and bidi overrides.
const LONE = "x\ud800y";

async function history(token: string, roomId: string) {
  const res = await api(`/api/rooms/${roomId}/messages`, { token });
  expect(res.status).toBe(200);
  return res.json.messages as { body: string; clientId: string }[];
}

describe("one rule for text", () => {
  it("refuses a REST message body with a lone surrogate (400 naming the field) and stores nothing", async () => {
    const alice = await signup("txt");
    const room = await createRoom(alice);
    const res = await api(`/api/rooms/${room.id}/messages`, { token: alice.token, body: { clientId: "c-lone", body: LONE } });
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe("validation_error");
    expect(res.json.error.message).toMatch(/^body/);
    expect(await history(alice.token, room.id)).toEqual([]);
  });

  it("refuses it on the socket with invalid_message, and an ack never carries text that history would change", async () => {
    const alice = await signup("txt");
    const room = await createRoom(alice);
    const { socket } = await connect(alice, room.id);
    const refused = await socket.sendMessage(LONE, "c-lone");
    expect(refused).toMatchObject({ type: "error", code: "invalid_message", clientId: "c-lone" });
    expect(refused.message).toMatch(/body/);
    // Text with paired surrogates (emoji, a ZWJ family) is well-formed: stored and returned as sent.
    const text = "family 👩‍👩‍👧 and \u{1F600}";
    const ack = await socket.sendMessage(text, "c-ok");
    expect(ack.type).toBe("ack");
    expect(ack.message.body).toBe(text);
    const stored = await history(alice.token, room.id);
    expect(stored.map((m) => m.body)).toEqual([text]);
    socket.close();
  });

  it("strips control characters and bidi overrides from room names and topics, and refuses malformed ones", async () => {
    const alice = await signup("txt");
    const made = await api("/api/rooms", { token: alice.token, body: { name: "evil\u202Egnp\u0007 ", topic: "a\u2066b\u0085c", visibility: "public" } });
    expect(made.status).toBe(201);
    expect(made.json.name).toBe("evilgnp");
    expect(made.json.topic).toBe("abc");
    const listed = await api(`/api/rooms/${made.json.id}`, { token: alice.token });
    expect(listed.json.name).toBe("evilgnp");
    // A name of nothing but controls is empty once stripped.
    const empty = await api("/api/rooms", { token: alice.token, body: { name: "\u202E\u0007", visibility: "public" } });
    expect(empty.status).toBe(400);
    expect(empty.json.error.message).toMatch(/^name: name must not be empty/);
    const lone = await api("/api/rooms", { token: alice.token, body: { name: "ok", topic: LONE, visibility: "public" } });
    expect(lone.status).toBe(400);
    expect(lone.json.error).toMatchObject({ code: "validation_error" });
    expect(lone.json.error.message).toMatch(/^topic/);
  });

  it("refuses usernames with them, and keeps an upload's name free of bidi overrides up to the download", async () => {
    const bad = await api("/api/auth/signup", { body: { username: "ev\u202Eil", password: "password123" } });
    expect(bad.status).toBe(400);
    const alice = await signup("txt");
    const bob = await signup("txt");
    const room = await createRoom(alice);
    await join(bob, room.id);
    const lone = await api(`/api/rooms/${room.id}/uploads`, { token: alice.token, body: { name: `${LONE}.png`, type: "image/png", size: 4 } });
    expect(lone.status).toBe(400);
    expect(lone.json.error.message).toMatch(/^name/);
    const g = await api(`/api/rooms/${room.id}/uploads`, { token: alice.token, body: { name: "evil\u202Egnp.exe", type: "application/octet-stream", size: 4 } });
    expect(g.status).toBe(201);
    const put = await SELF.fetch(g.json.uploadUrl, { method: "PUT", body: new Uint8Array([1, 2, 3, 4]), headers: { "Content-Type": "application/octet-stream", "Content-Length": "4" } });
    expect(put.status).toBe(201);
    const sent = await api(`/api/rooms/${room.id}/messages`, { token: alice.token, body: { clientId: "c-file", kind: "file", attachment: { uploadId: g.json.uploadId } } });
    expect(sent.status).toBe(201);
    expect(sent.json.attachment.name).toBe("evilgnp.exe");
    const link = await api(`/api/rooms/${room.id}/attachments/${g.json.uploadId}`, { token: bob.token });
    const file = await SELF.fetch(link.json.url);
    expect(file.status).toBe(200);
    expect(file.headers.get("content-disposition")).toBe("attachment; filename*=UTF-8''evilgnp.exe");
  });
});
