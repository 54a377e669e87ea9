import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { api, connect, createRoom, join, signup, type TestUser } from "./helpers";
import { TEST_RATE_BURST } from "./limits";

/** Issue #16: edits, deletions, reactions and replies, on the socket and over REST. */

async function roomOfTwo() {
  const alice = await signup("alice");
  const bob = await signup("bob");
  const room = await createRoom(alice);
  await join(bob, room.id);
  return { alice, bob, room };
}

async function post(user: TestUser, roomId: string, body: string, extra: Record<string, unknown> = {}) {
  const res = await api(`/api/rooms/${roomId}/messages`, { token: user.token, body: { clientId: crypto.randomUUID(), body, ...extra } });
  expect(res.status, res.text).toBe(201);
  return res.json;
}

async function history(user: TestUser, roomId: string, query = "") {
  const res = await api(`/api/rooms/${roomId}/messages${query}`, { token: user.token });
  expect(res.status, res.text).toBe(200);
  return res.json.messages as any[];
}

const rest = {
  edit: (u: TestUser, roomId: string, seq: number | string, body: unknown) => api(`/api/rooms/${roomId}/messages/${seq}`, { method: "PATCH", token: u.token, body: { body } }),
  remove: (u: TestUser, roomId: string, seq: number | string) => api(`/api/rooms/${roomId}/messages/${seq}`, { method: "DELETE", token: u.token }),
  react: (u: TestUser, roomId: string, seq: number, emoji: string, on = true) =>
    api(`/api/rooms/${roomId}/messages/${seq}/reactions/${encodeURIComponent(emoji)}`, { method: on ? "PUT" : "DELETE", token: u.token }),
};

describe("edits", () => {
  it("edits the author's message in place: same seq, editedAt, a live update for others and the ack for the editor", async () => {
    const { alice, bob, room } = await roomOfTwo();
    const a = await connect(alice, room.id);
    const b = await connect(bob, room.id);
    const sent = await a.socket.sendMessage("helo", "m-1");
    await b.socket.nextOfType("message");

    const before = Date.now();
    const ack = await a.socket.ask({ type: "edit", clientId: "e-1", seq: sent.seq, body: "  hello  " });
    expect(ack).toMatchObject({ type: "ack", clientId: "e-1", seq: sent.seq, duplicate: false, changeSeq: 1 });
    expect(ack.message).toMatchObject({ seq: sent.seq, body: "hello", clientId: "m-1" });
    expect(ack.message.editedAt).toBeGreaterThanOrEqual(before);
    const update = await b.socket.nextOfType("update");
    expect(update).toEqual({ type: "update", changeSeq: 1, message: ack.message });
    // The editor's socket gets its ack, not the update as well.
    expect(a.socket.frames.filter((f) => f.type === "update")).toHaveLength(0);

    const [stored] = await history(bob, room.id);
    expect(stored).toEqual(ack.message);
    // A retry of the same change is answered with the message's state, and changes nothing.
    const again = await a.socket.ask({ type: "edit", clientId: "e-1", seq: sent.seq, body: "something else" });
    expect(again).toMatchObject({ type: "ack", duplicate: true, message: { body: "hello" } });
    a.socket.close();
    b.socket.close();
  });

  it("refuses edits of others' messages, of unknown and deleted seqs, and empty text, keeping the message", async () => {
    const { alice, bob, room } = await roomOfTwo();
    const m = await post(alice, room.id, "original");
    const b = await connect(bob, room.id);
    expect(await b.socket.ask({ type: "edit", clientId: "x-1", seq: m.seq, body: "mine now" })).toMatchObject({ type: "error", code: "not_author" });
    expect(await b.socket.ask({ type: "edit", clientId: "x-2", seq: 999, body: "nothing" })).toMatchObject({ type: "error", code: "message_not_found" });
    expect(await b.socket.ask({ type: "edit", clientId: "x-3", seq: "1", body: "nothing" })).toMatchObject({ type: "error", code: "invalid_message" });
    b.socket.close();

    expect((await rest.edit(bob, room.id, m.seq, "mine now")).json.error.code).toBe("not_author");
    expect((await rest.edit(bob, room.id, m.seq, "mine now")).status).toBe(403);
    const empty = await rest.edit(alice, room.id, m.seq, "   ");
    expect([empty.status, empty.json.error.code]).toEqual([400, "invalid_message"]);
    expect((await rest.edit(alice, room.id, 999, "x")).status).toBe(404);
    expect((await rest.edit(alice, room.id, 0, "x")).status).toBe(404);
    expect((await rest.edit(alice, room.id, "abc", "x")).status).toBe(400);
    expect((await rest.edit(alice, room.id, m.seq, "x".repeat(4001))).status).toBe(400);
    const stranger = await signup("stranger");
    expect((await rest.edit(stranger, room.id, m.seq, "x")).json.error.code).toBe("not_a_member");
    expect((await history(alice, room.id))[0]).toMatchObject({ body: "original" });
    expect((await history(alice, room.id))[0].editedAt).toBeUndefined();

    expect((await rest.remove(alice, room.id, m.seq)).status).toBe(200);
    const ofTombstone = await rest.edit(alice, room.id, m.seq, "back");
    expect([ofTombstone.status, ofTombstone.json.error.code]).toEqual([404, "message_not_found"]);
  });

  it("lets a media message's caption be edited to nothing", async () => {
    const { alice, room } = await roomOfTwo();
    // A caption edit needs a media message: store one as the room would, with an attachment.
    const stub = env.ROOMS.getByName(room.id);
    await stub.createUpload(room.id, { id: "f_caption", uploader: alice.id, name: "a.png", declaredType: "image/png", size: 3, createdAt: Date.now(), orphanAt: Date.now() + 60_000 });
    await stub.uploadStored(room.id, "f_caption", "image", "image/png", "etag");
    const m = await post(alice, room.id, "a caption", { kind: "image", attachment: { uploadId: "f_caption" } });
    const res = await rest.edit(alice, room.id, m.seq, "");
    expect(res.status, res.text).toBe(200);
    expect(res.json).toMatchObject({ body: "", kind: "image", attachment: { id: "f_caption" } });
  });
});

describe("deletions", () => {
  it("leaves a tombstone in the sequence, for the author or the room's owner, and a retried delete is not a 404", async () => {
    const { alice, bob, room } = await roomOfTwo();
    const carol = await signup("carol");
    await join(carol, room.id);
    const byBob = await post(bob, room.id, "bob's words");
    const byCarol = await post(carol, room.id, "carol's words");
    await post(alice, room.id, "after");
    await rest.react(alice, room.id, byBob.seq, "👍");

    const b = await connect(bob, room.id);
    const ack = await b.socket.ask({ type: "delete", clientId: "d-1", seq: byBob.seq });
    expect(ack).toMatchObject({ type: "ack", clientId: "d-1", duplicate: false });
    expect(ack.message).toEqual({ roomId: room.id, seq: byBob.seq, ts: byBob.ts, userId: bob.id, username: bob.username, kind: "text", body: "", clientId: byBob.clientId, deleted: true });
    expect(await b.socket.ask({ type: "delete", clientId: "d-1", seq: byBob.seq })).toMatchObject({ type: "ack", duplicate: true, message: { deleted: true } });
    expect(await b.socket.ask({ type: "delete", clientId: "d-2", seq: byBob.seq })).toMatchObject({ type: "error", code: "message_not_found" });
    // Bob is no owner: Carol's message stays.
    expect(await b.socket.ask({ type: "delete", clientId: "d-3", seq: byCarol.seq })).toMatchObject({ type: "error", code: "not_author" });
    b.socket.close();

    // Alice owns the room: she may delete Carol's message (not edit it).
    expect((await rest.edit(alice, room.id, byCarol.seq, "owner edit")).status).toBe(403);
    const owner = await rest.remove(alice, room.id, byCarol.seq);
    expect([owner.status, owner.json.deleted, owner.json.body]).toEqual([200, true, ""]);
    expect((await rest.remove(alice, room.id, byCarol.seq)).status).toBe(404);

    const page = await history(carol, room.id);
    expect(page.map((m) => [m.seq, m.deleted ?? false, m.body])).toEqual([
      [3, false, "after"],
      [2, true, ""],
      [1, true, ""],
    ]);
    expect(page[2].reactions).toBeUndefined();
    // Reacting to a tombstone is refused like any message that is gone.
    expect((await rest.react(carol, room.id, byBob.seq, "👍")).status).toBe(404);
  });

  it("removes the text from D1's copy too", async () => {
    const { alice, room } = await roomOfTwo();
    const m = await post(alice, room.id, "secret plans");
    await post(alice, room.id, "to be edited");
    const stub = env.ROOMS.getByName(room.id);
    await stub.flush();
    const copied = () => env.DB.prepare("SELECT seq, body, deleted, edited_at FROM messages WHERE room_id = ? ORDER BY seq").bind(room.id).all();
    expect((await copied()).results.map((r) => r.body)).toEqual(["secret plans", "to be edited"]);
    await rest.remove(alice, room.id, m.seq);
    await rest.edit(alice, room.id, 2, "edited");
    await stub.flush();
    const rows = (await copied()).results;
    expect(rows.map((r) => [r.body, r.deleted])).toEqual([
      ["", 1],
      ["edited", 0],
    ]);
    expect(rows[1]!.edited_at).toBeGreaterThan(0);
  });

  it("deletes a media message's bytes: its signed URL answers 410 gone", async () => {
    const { alice, room } = await roomOfTwo();
    const stub = env.ROOMS.getByName(room.id);
    const uploadId = "f_doomeddoomeddoomeddoomed1";
    await stub.createUpload(room.id, { id: uploadId, uploader: alice.id, name: "a.png", declaredType: "image/png", size: 3, createdAt: Date.now(), orphanAt: Date.now() + 60_000 });
    const key = `rooms/${room.id}/${uploadId}`;
    const stored = await env.MEDIA.put(key, new Uint8Array([1, 2, 3]));
    await stub.uploadStored(room.id, uploadId, "image", "image/png", stored!.etag);
    const m = await post(alice, room.id, "", { kind: "image", attachment: { uploadId } });
    const link = await api(`/api/rooms/${room.id}/attachments/${uploadId}`, { token: alice.token });
    expect(link.status, link.text).toBe(200);

    const tombstone = await rest.remove(alice, room.id, m.seq);
    expect(tombstone.json.attachment).toBeUndefined();
    await stub.deleteOrphans(Date.now() + 1);
    expect(await env.MEDIA.head(key)).toBeNull();
    const res = await api(link.json.url.replace(/^https?:\/\/[^/]+/, ""));
    expect([res.status, res.json.error.code]).toEqual([410, "gone"]);
  });
});

describe("reactions", () => {
  it("toggles one emoji per user, lists emoji in first-use order with counts and who, and refuses what is not one emoji", async () => {
    const { alice, bob, room } = await roomOfTwo();
    const m = await post(alice, room.id, "react to me");
    const a = await connect(alice, room.id);
    const b = await connect(bob, room.id);

    const first = await b.socket.ask({ type: "react", clientId: "r-1", seq: m.seq, emoji: "🎉", on: true });
    expect(first.message.reactions).toEqual([{ emoji: "🎉", count: 1, userIds: [bob.id] }]);
    expect((await a.socket.nextOfType("update")).message.reactions).toEqual(first.message.reactions);
    await a.socket.ask({ type: "react", clientId: "r-2", seq: m.seq, emoji: "👍🏽", on: true });
    await a.socket.ask({ type: "react", clientId: "r-3", seq: m.seq, emoji: "🎉", on: true });
    // "❤" without its emoji variation selector counts as "❤️".
    const heart = await rest.react(bob, room.id, m.seq, "❤");
    expect(heart.status, heart.text).toBe(200);
    expect(heart.json.reactions).toEqual([
      { emoji: "🎉", count: 2, userIds: [bob.id, alice.id] },
      { emoji: "👍🏽", count: 1, userIds: [alice.id] },
      { emoji: "❤️", count: 1, userIds: [bob.id] },
    ]);
    // Toggling on twice is one reaction; off removes it; off again changes nothing (no update sent).
    const updatesBefore = a.socket.frames.filter((f) => f.type === "update").length;
    expect((await rest.react(bob, room.id, m.seq, "❤️")).json.reactions[2].count).toBe(1);
    const off = await b.socket.ask({ type: "react", clientId: "r-4", seq: m.seq, emoji: "🎉", on: false });
    expect(off.message.reactions[0]).toEqual({ emoji: "🎉", count: 1, userIds: [alice.id] });
    const noop = await b.socket.ask({ type: "react", clientId: "r-5", seq: m.seq, emoji: "🎉", on: false });
    expect(noop.changeSeq).toBeUndefined();
    await a.socket.nextOfType("update");
    expect(a.socket.frames.filter((f) => f.type === "update").length).toBe(updatesBefore + 1);

    for (const bad of ["a", "👍👍", ":)", "🎉 ", "x".repeat(50)]) {
      const res = await rest.react(bob, room.id, m.seq, bad);
      expect([res.status, res.json?.error?.code], bad).toEqual([400, "invalid_emoji"]);
    }
    expect(await b.socket.ask({ type: "react", clientId: "r-6", seq: m.seq, emoji: "", on: true })).toMatchObject({ type: "error", code: "invalid_emoji" });
    expect(await b.socket.ask({ type: "react", clientId: "r-7", seq: m.seq, emoji: "🎉", on: "yes" })).toMatchObject({ type: "error", code: "invalid_message" });
    a.socket.close();
    b.socket.close();
  });

  it("takes at most 20 different emoji on a message: the 21st is 409, more of one already there is fine", async () => {
    const { alice, bob, room } = await roomOfTwo();
    const m = await post(alice, room.id, "popular");
    const emoji = [..."😀😁😂🤣😃😄😅😆😉😊😋😎😍😘🥰😗😙😚🙂🤗"];
    expect(emoji).toHaveLength(20);
    for (const e of emoji) expect((await rest.react(alice, room.id, m.seq, e)).status).toBe(200);
    const refused = await rest.react(bob, room.id, m.seq, "🤩");
    expect([refused.status, refused.json.error.code]).toEqual([409, "too_many_reactions"]);
    const more = await rest.react(bob, room.id, m.seq, "😀");
    expect(more.json.reactions[0]).toMatchObject({ emoji: "😀", count: 2 });
    expect(more.json.reactions).toHaveLength(20);
  });

  it("counts every change against the sender's rate limit", async () => {
    const { alice, room } = await roomOfTwo();
    const m = await post(alice, room.id, "hammer");
    let limited = 0;
    for (let i = 0; i < TEST_RATE_BURST + 5 && limited === 0; i++) {
      const res = await rest.react(alice, room.id, m.seq, "👍", i % 2 === 0);
      if (res.status === 429) limited++;
      else expect(res.status).toBe(200);
    }
    expect(limited).toBe(1);
  });
});

describe("replies", () => {
  it("quotes the original, follows its edits and deletion on the replies, and refuses replies to what is not there", async () => {
    const { alice, bob, room } = await roomOfTwo();
    const long = "é".repeat(150);
    const original = await post(alice, room.id, long);
    const b = await connect(bob, room.id);
    const reply = await b.socket.ask({ type: "send", clientId: "re-1", body: "answer", replyTo: original.seq });
    expect(reply.message.replyTo).toEqual({ seq: original.seq, userId: alice.id, username: alice.username, excerpt: "é".repeat(100), deleted: false });
    const viaRest = await post(bob, room.id, "second answer", { replyTo: original.seq });
    expect(viaRest.replyTo.seq).toBe(original.seq);

    expect((await api(`/api/rooms/${room.id}/messages`, { token: bob.token, body: { clientId: "re-x", body: "to nothing", replyTo: 999 } })).json.error.code).toBe("message_not_found");
    const other = await createRoom(bob);
    const elsewhere = await post(bob, other.id, "other room");
    expect(elsewhere.seq).toBe(1);
    // Seq 4 does not exist in this room (a seq names a message only within its room).
    expect((await api(`/api/rooms/${room.id}/messages`, { token: bob.token, body: { clientId: "re-y", body: "x", replyTo: 4 } })).status).toBe(404);

    // The original's edit reaches every reply, as updates after the edit's own.
    await rest.edit(alice, room.id, original.seq, "short now");
    const updates = [await b.socket.nextOfType("update"), await b.socket.nextOfType("update"), await b.socket.nextOfType("update")];
    expect(updates.map((u) => [u.message.seq, u.changeSeq])).toEqual([
      [1, 1],
      [2, 2],
      [3, 3],
    ]);
    expect(updates[1]!.message.replyTo.excerpt).toBe("short now");

    await rest.remove(alice, room.id, original.seq);
    const page = await history(bob, room.id);
    expect(page.map((m) => m.replyTo)).toEqual([
      { seq: 1, userId: alice.id, username: alice.username, excerpt: "", deleted: true },
      { seq: 1, userId: alice.id, username: alice.username, excerpt: "", deleted: true },
      undefined,
    ]);
    const refused = await b.socket.ask({ type: "send", clientId: "re-2", body: "too late", replyTo: original.seq });
    expect(refused).toMatchObject({ type: "error", code: "message_not_found" });
    b.socket.close();
  });
});

describe("changes after a reconnect", () => {
  it("replays the changes a socket missed, in order, before the messages it lacks; with or without sinceChange", async () => {
    const { alice, bob, room } = await roomOfTwo();
    for (let i = 1; i <= 3; i++) await post(alice, room.id, `m${i}`);
    await rest.edit(alice, room.id, 1, "m1 before"); // change 1: seen by Bob below
    const b = await connect(bob, room.id, 0);
    const synced = await b.socket.nextOfType("synced");
    expect(synced).toMatchObject({ lastSeq: 3, lastChangeSeq: 1 });
    b.socket.close();

    // While Bob is away:
    await rest.edit(alice, room.id, 2, "m2 edited"); // change 2
    await rest.react(alice, room.id, 1, "👍"); // change 3
    await rest.remove(alice, room.id, 3); // change 4
    await post(alice, room.id, "m4");
    await rest.react(alice, room.id, 4, "🎉"); // change 5, on a message Bob lacks

    const exact = await connect(bob, room.id, 3, "subprotocol", 1);
    await exact.socket.nextOfType("synced");
    const replayed = exact.socket.frames.filter((f) => f.type === "update" || f.type === "message");
    expect(replayed.map((f) => [f.type, f.message.seq, f.changeSeq])).toEqual([
      ["update", 2, 2],
      ["update", 1, 3],
      ["update", 3, 4],
      ["message", 4, undefined],
    ]);
    expect(exact.hello.lastChangeSeq).toBe(5);
    const state = new Map<number, any>();
    for (const f of replayed) state.set(f.message.seq, f.message);
    const page = await history(bob, room.id);
    for (const m of page) if (state.has(m.seq)) expect(state.get(m.seq)).toEqual(m);
    expect(state.get(4).reactions[0].emoji).toBe("🎉");
    exact.socket.close();

    // Knowing only `since`, a client gets every change made since message 3 was the newest: the same ones here.
    const loose = await connect(bob, room.id, 3);
    await loose.socket.nextOfType("synced");
    expect(loose.socket.frames.filter((f) => f.type === "update").map((f) => f.changeSeq)).toEqual([2, 3, 4]);
    loose.socket.close();
  });
});

describe("history pages around and after a seq", () => {
  it("answers about half older and half newer around a message, and pages toward the newest with after", async () => {
    const { alice, room } = await roomOfTwo();
    for (let i = 1; i <= 30; i++) await post(alice, room.id, `n${i}`);
    const seqs = (page: any[]) => page.map((m) => m.seq);
    expect(seqs(await history(alice, room.id, "?around=15&limit=6"))).toEqual([17, 16, 15, 14, 13, 12]);
    expect(seqs(await history(alice, room.id, "?around=29&limit=6"))).toEqual([30, 29, 28, 27, 26, 25]);
    expect(seqs(await history(alice, room.id, "?around=1&limit=4"))).toEqual([4, 3, 2, 1]);
    expect(seqs(await history(alice, room.id, "?around=10&limit=1"))).toEqual([10]);
    expect(seqs(await history(alice, room.id, "?after=20&limit=5"))).toEqual([25, 24, 23, 22, 21]);
    expect(seqs(await history(alice, room.id, "?after=28&limit=5"))).toEqual([30, 29]);
    expect(seqs(await history(alice, room.id, "?after=30"))).toEqual([]);
    expect((await history(alice, room.id, "?around=15")).length).toBe(30);

    const missing = await api(`/api/rooms/${room.id}/messages?around=31`, { token: alice.token });
    expect([missing.status, missing.json.error.code]).toEqual([404, "message_not_found"]);
    const both = await api(`/api/rooms/${room.id}/messages?around=5&before=9`, { token: alice.token });
    expect(both.status).toBe(400);
    const stranger = await signup("stranger");
    expect((await api(`/api/rooms/${room.id}/messages?around=5`, { token: stranger.token })).status).toBe(403);
  });
});
