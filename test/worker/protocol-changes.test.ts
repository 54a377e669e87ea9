/**
 * Edits, deletions, reactions and replies over the SignalR hub and ChatService (docs/protocols.md),
 * inside workerd: every method's answer, the live update on the same protocol, each refusal's
 * code, retries. The hub is driven with raw JSON hub records (hub-client.ts), ChatService with
 * the official @connectrpc/connect-web client over the worker's fetch. The official SignalR
 * client, against `wrangler dev`: test/e2e/protocols.test.ts.
 */
import { SELF } from "cloudflare:test";
import { Code, ConnectError, createClient, type Client } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";
import { describe, expect, it } from "vitest";
import { ChatService } from "../../worker/protocols/connect/gen/hearth/v1/chat_pb";
import { argumentsError, findMethod } from "../../worker/protocols/signalr/methods";
import { BASE, createRoom, join, signup, type TestUser } from "./helpers";
import { HubClient } from "./hub-client";

async function roomOfTwo() {
  const alice = await signup("alice");
  const bob = await signup("bob");
  const room = await createRoom(alice);
  await join(bob, room.id);
  return { alice, bob, roomId: room.id };
}

/** Two hub connections in the room, both joined. */
async function hubs(alice: TestUser, bob: TestUser, roomId: string) {
  const a = await HubClient.open(alice);
  const b = await HubClient.open(bob);
  await a.call("JoinRoom", roomId);
  await b.call("JoinRoom", roomId);
  return { a, b };
}

const EMOJI = ["😀", "😁", "😂", "🤣", "😃", "😄", "😅", "😆", "😉", "😊", "😋", "😎", "😍", "😘", "🥰", "😗", "😙", "🥲", "🙂", "🤗", "🤩"];

describe("SignalR hub: EditMessage, DeleteMessage, React, SendReply", () => {
  it("return the message's new state, and every joined connection gets MessageUpdated once per change, in order", async () => {
    const { alice, bob, roomId } = await roomOfTwo();
    const { a, b } = await hubs(alice, bob, roomId);
    const sent = await a.call("SendMessage", roomId, "helo");

    const edited = await a.call("EditMessage", roomId, sent.seq, "hello");
    expect(edited).toMatchObject({ seq: sent.seq, body: "hello", clientId: sent.clientId });
    expect(edited.editedAt).toBeGreaterThanOrEqual(sent.ts);

    const reacted = await b.call("React", roomId, sent.seq, "👍", true);
    expect(reacted.reactions).toEqual([{ emoji: "👍", count: 1, userIds: [bob.id] }]);
    // A retried toggle changes nothing: the same state, and no second MessageUpdated.
    expect(await b.call("React", roomId, sent.seq, "👍", true)).toEqual(reacted);
    // "❤" without its variation selector is the same reaction as "❤️".
    const hearts = await a.call("React", roomId, sent.seq, "❤", true);
    expect(hearts.reactions.map((r: any) => r.emoji)).toEqual(["👍", "❤️"]);
    const unreacted = await b.call("React", roomId, sent.seq, "👍", false);
    expect(unreacted.reactions).toEqual([{ emoji: "❤️", count: 1, userIds: [alice.id] }]);

    const deleted = await a.call("DeleteMessage", roomId, sent.seq);
    expect(deleted).toMatchObject({ seq: sent.seq, deleted: true, body: "" });
    expect(deleted).not.toHaveProperty("reactions");

    const expected = [edited, reacted, hearts, unreacted, deleted];
    for (const hub of [a, b]) {
      // The sender's own connection too, like ReceiveMessage.
      const updates = await hub.received("MessageUpdated", expected.length);
      expect(updates).toEqual(expected);
    }
    expect((await b.received("ReceiveMessage", 1))[0]).toEqual(sent);
    a.close();
    b.close();
  });

  it("SendReply stores replyTo, with a generated or a given clientId (a retry returns the stored reply)", async () => {
    const { alice, bob, roomId } = await roomOfTwo();
    const { a, b } = await hubs(alice, bob, roomId);
    const original = await a.call("SendMessage", roomId, "where do we meet?");
    const reply = await b.call("SendReply", roomId, "at the fountain", null, original.seq);
    expect(reply).toMatchObject({ seq: original.seq + 1, body: "at the fountain" });
    expect(reply.clientId).toMatch(/^sr-/);
    expect(reply.replyTo).toEqual({ seq: original.seq, userId: alice.id, username: alice.username, excerpt: "where do we meet?", deleted: false });
    expect((await b.call("SendReply", roomId, "noon", "", original.seq)).clientId).toMatch(/^sr-/);
    const keyed = await b.call("SendReply", roomId, "or at one", "reply-1", original.seq);
    expect(await b.call("SendReply", roomId, "or at one", "reply-1", original.seq)).toEqual(keyed);
    // Everyone receives the reply as a message with its replyTo.
    expect((await a.received("ReceiveMessage", 4))[1]).toEqual(reply);
    // SendMessage keeps its signature and stores no reply.
    expect(await a.call("SendMessage", roomId, "plain")).not.toHaveProperty("replyTo");
    expect((await b.invoke("SendReply", roomId, "to nothing", null, 999)).error).toMatch(/^message_not_found: /);
    a.close();
    b.close();
  });

  it("refuses someone else's message, a missing one, a bad emoji, the 21st emoji and a non-member, with the code first", async () => {
    const { alice, bob, roomId } = await roomOfTwo();
    const { a, b } = await hubs(alice, bob, roomId);
    const mine = await a.call("SendMessage", roomId, "alice's");
    const bobs = await b.call("SendMessage", roomId, "bob's");
    expect((await b.invoke("EditMessage", roomId, mine.seq, "hijacked")).error).toMatch(/^not_author: /);
    expect((await b.invoke("DeleteMessage", roomId, mine.seq)).error).toMatch(/^not_author: /);
    // The room's owner may delete anyone's message.
    expect(await a.call("DeleteMessage", roomId, bobs.seq)).toMatchObject({ seq: bobs.seq, deleted: true });
    expect((await b.invoke("EditMessage", roomId, bobs.seq, "too late")).error).toMatch(/^message_not_found: /);
    expect((await a.invoke("EditMessage", roomId, 999, "x")).error).toMatch(/^message_not_found: /);
    expect((await a.invoke("EditMessage", roomId, mine.seq, "   ")).error).toMatch(/^invalid_message: /);
    expect((await a.invoke("React", roomId, mine.seq, "ok", true)).error).toMatch(/^invalid_emoji: /);
    expect((await a.invoke("React", roomId, mine.seq, "👍👍", true)).error).toMatch(/^invalid_emoji: /);
    for (const emoji of EMOJI.slice(0, 20)) await a.call("React", roomId, mine.seq, emoji, true);
    expect((await b.invoke("React", roomId, mine.seq, EMOJI[20], true)).error).toMatch(/^too_many_reactions: /);
    // One already on the message is still welcome.
    expect((await b.call("React", roomId, mine.seq, EMOJI[0], true)).reactions[0]).toMatchObject({ count: 2 });

    const outsider = await HubClient.open(await signup("outsider"));
    for (const [method, args] of [
      ["EditMessage", [mine.seq, "x"]],
      ["DeleteMessage", [mine.seq]],
      ["React", [mine.seq, "👍", true]],
      ["SendReply", ["x", null, mine.seq]],
    ] as const) {
      expect((await outsider.invoke(method, roomId, ...args)).error).toMatch(/^not_a_member: /);
    }
    // Nothing refused was stored.
    expect((await a.call("React", roomId, mine.seq, EMOJI[1], false)).body).toBe("alice's");
    a.close();
    b.close();
    outsider.close();
  });

  it("a retried DeleteMessage with a clientId returns the tombstone, not message_not_found", async () => {
    const { alice, bob, roomId } = await roomOfTwo();
    const { a, b } = await hubs(alice, bob, roomId);
    const m = await a.call("SendMessage", roomId, "oops");
    const first = await a.call("DeleteMessage", roomId, m.seq, "del-1");
    expect(await a.call("DeleteMessage", roomId, m.seq, "del-1")).toEqual(first);
    expect((await a.invoke("DeleteMessage", roomId, m.seq)).error).toMatch(/^message_not_found: /);
    expect(await b.received("MessageUpdated", 1)).toEqual([first]);
    a.close();
    b.close();
  });

  it("JoinRoom with sinceSeq replays the changes to messages up to it (MessageUpdated) before the missed messages", async () => {
    const { alice, bob, roomId } = await roomOfTwo();
    const a = await HubClient.open(alice);
    const first = await a.call("SendMessage", roomId, "first");
    await a.call("SendMessage", roomId, "second");
    const edited = await a.call("EditMessage", roomId, first.seq, "first, edited");
    const b = await HubClient.open(bob);
    await b.call("JoinRoom", roomId, first.seq);
    await b.received("ReceiveMessage", 1);
    expect(b.calls.map((c) => [c.target, c.arguments[0].seq, c.arguments[0].body])).toEqual([
      ["MessageUpdated", first.seq, edited.body],
      ["ReceiveMessage", first.seq + 1, "second"],
    ]);
    a.close();
    b.close();
  });

  it("checks argument types strictly: seq an integer, emoji a string, on a boolean, replyTo required", () => {
    const check = (name: string, ...args: unknown[]) => argumentsError(name, findMethod(name)!.value, args);
    expect(check("EditMessage", "r", 1, "x")).toBeNull();
    expect(check("EditMessage", "r", 1, "x", "c-1")).toBeNull();
    expect(check("EditMessage", "r", 1, "x", null)).toBeNull();
    expect(check("EditMessage", "r", "1", "x")).toBe("Failed to invoke 'EditMessage': it takes (string, integer, string[, string?]) arguments.");
    expect(check("EditMessage", "r", 1.5, "x")).not.toBeNull();
    expect(check("DeleteMessage", "r", null)).toBe("Failed to invoke 'DeleteMessage': it takes (string, integer[, string?]) arguments.");
    expect(check("React", "r", 1, "👍", true)).toBeNull();
    expect(check("React", "r", 1, "👍", "true")).toBe("Failed to invoke 'React': it takes (string, integer, string, boolean[, string?]) arguments.");
    expect(check("React", "r", 1, 128077, true)).not.toBeNull();
    expect(check("SendReply", "r", "hi", null, 3)).toBeNull();
    expect(check("SendReply", "r", "hi", "c", 3)).toBeNull();
    expect(check("SendReply", "r", "hi", null)).toBe("Failed to invoke 'SendReply': it takes (string, string, string?, integer) arguments.");
    expect(check("SendReply", "r", "hi", 7, 3)).not.toBeNull();
    expect(check("SendMessage", "r", "hi", null)).toBe("Failed to invoke 'SendMessage': it takes (string, string[, string]) arguments.");
    expect(findMethod("messageupdated")).toBeUndefined(); // a client method, not a hub method
    expect(findMethod("editmessage")?.name).toBe("EditMessage");
  });

  it("answers an argument error over the wire and stays connected", async () => {
    const { alice, roomId } = await roomOfTwo();
    const a = await HubClient.open(alice);
    expect((await a.invoke("React", roomId, 1, "👍", "yes")).error).toMatch(/^Failed to invoke 'React': it takes/);
    expect((await a.invoke("Shout", roomId)).error).toBe("Unknown hub method 'Shout'");
    expect(await a.call("SendMessage", roomId, "still here")).toMatchObject({ seq: 1 });
    a.close();
  });
});

/** ChatService through the official Connect client, over the worker's own fetch. */
function chat(user: TestUser | null, binary = true): Client<typeof ChatService> {
  return createClient(
    ChatService,
    createConnectTransport({
      baseUrl: BASE,
      useBinaryFormat: binary,
      // connect-web asks for redirect "error", which workerd does not implement.
      fetch: (input, init) => SELF.fetch(input as string, { ...init, redirect: "manual" }),
      interceptors: user ? [(next) => (req) => (req.header.set("Authorization", `Bearer ${user.token}`), next(req))] : [],
    }),
  );
}

/** Reads a stream into `items` until `stop` says so (or the client aborts). */
function collect<T>(stream: AsyncIterable<T>, items: T[], stop: (items: T[]) => boolean) {
  return (async () => {
    for await (const item of stream) {
      items.push(item);
      if (stop(items)) break;
    }
  })();
}

async function until(ready: () => boolean) {
  while (!ready()) await new Promise((r) => setTimeout(r, 10));
}

const codeOf = (p: Promise<unknown>) => p.then(() => "resolved", (e) => (e instanceof ConnectError ? [Code[e.code], e.rawMessage.split(":")[0]] : String(e)));

describe("ChatService: EditMessage, DeleteMessage, React, reply_to, updates on the stream", () => {
  it("return the new state; a stream with include_updates carries each change once, a stream without it only messages", async () => {
    const { alice, bob, roomId } = await roomOfTwo();
    const a = chat(alice);
    const b = chat(bob, false);
    const sent = (await a.sendMessage({ roomId, body: "helo" })).message!;

    const abort = new AbortController();
    const withUpdates: any[] = [];
    const plain: any[] = [];
    const reading = collect(b.streamMessages({ roomId, sinceSeq: 0n, includeUpdates: true }, { signal: abort.signal }), withUpdates, (i) => i.length === 5);
    const readingPlain = collect(a.streamMessages({ roomId, sinceSeq: 0n }, { signal: abort.signal }), plain, (i) => i.length === 2);
    // Both streams are live once their replay arrived: changes from here on reach them as they happen.
    await until(() => withUpdates.length > 0 && plain.length > 0);

    const edited = (await a.editMessage({ roomId, seq: sent.seq, body: "hello" })).message!;
    expect(edited).toMatchObject({ seq: sent.seq, body: "hello", deleted: false });
    expect(edited.editedAt).toBeGreaterThanOrEqual(sent.ts);
    const reacted = (await b.react({ roomId, seq: sent.seq, emoji: "🎉", on: true })).message!;
    expect(reacted.reactions).toEqual([expect.objectContaining({ emoji: "🎉", count: 1n, userIds: [bob.id] })]);
    expect((await b.react({ roomId, seq: sent.seq, emoji: "🎉", on: true })).message).toEqual(reacted); // a retry: no change
    const deleted = (await a.deleteMessage({ roomId, seq: sent.seq })).message!;
    expect(deleted).toMatchObject({ deleted: true, body: "", reactions: [] });
    await a.sendMessage({ roomId, body: "after" });
    await Promise.all([reading, readingPlain]);
    abort.abort();

    // The replayed message, three updates (the retry made none), the live message; change seqs count up.
    expect(withUpdates.map((i) => (i.message ? `message ${i.message.seq}` : `update ${i.update.changeSeq}`))).toEqual([
      "message 1",
      "update 1",
      "update 2",
      "update 3",
      "message 2",
    ]);
    expect(withUpdates.slice(1, 4).map((i) => i.update.message)).toEqual([edited, reacted, deleted]);
    // A client written before updates existed: every response carries a message, as it always did.
    expect(plain.map((i) => [i.message?.seq, i.update])).toEqual([
      [1n, undefined],
      [2n, undefined],
    ]);
  });

  it("resumes with since_seq and since_change_seq: only the changes after it, then the missed messages", async () => {
    const { alice, bob, roomId } = await roomOfTwo();
    const a = chat(alice);
    for (const body of ["one", "two"]) await a.sendMessage({ roomId, body });
    await a.editMessage({ roomId, seq: 1n, body: "one!" }); // change 1: seen before the client went away
    await a.react({ roomId, seq: 2n, emoji: "👀", on: true }); // change 2: missed
    await a.sendMessage({ roomId, body: "three" }); // missed
    const items: any[] = [];
    const abort = new AbortController();
    await collect(chat(bob).streamMessages({ roomId, sinceSeq: 2n, sinceChangeSeq: 1n, includeUpdates: true }, { signal: abort.signal }), items, (i) => i.length === 2);
    abort.abort();
    expect(items.map((i) => (i.message ? ["message", i.message.body] : ["update", i.update.changeSeq, i.update.message.seq]))).toEqual([
      ["update", 2n, 2n],
      ["message", "three"],
    ]);
    await expect(codeOf(collect(chat(bob).streamMessages({ roomId, sinceSeq: 2n, sinceChangeSeq: 1n }), [], () => true))).resolves.toEqual(["InvalidArgument", "since_change_seq needs since_seq and include_updates"]);
    await expect(codeOf(collect(chat(bob).streamMessages({ roomId, sinceSeq: -1n }), [], () => true))).resolves.toEqual(["InvalidArgument", "since_seq must be an integer ≥ 0"]);
  });

  it("stores reply_to, and pages History after and around a seq", async () => {
    const { alice, bob, roomId } = await roomOfTwo();
    const a = chat(alice);
    for (let i = 1; i <= 6; i++) await a.sendMessage({ roomId, body: `m${i}` });
    const reply = (await chat(bob).sendMessage({ roomId, body: "re m2", replyTo: 2n })).message!;
    expect(reply.replyTo).toMatchObject({ seq: 2n, userId: alice.id, username: alice.username, excerpt: "m2", deleted: false });
    await a.deleteMessage({ roomId, seq: 2n });
    const after = await a.history({ roomId, afterSeq: 4n, limit: 10 });
    expect(after.messages.map((m) => m.seq)).toEqual([7n, 6n, 5n]);
    expect(after.messages[0]!.replyTo).toMatchObject({ seq: 2n, excerpt: "", deleted: true });
    const around = await a.history({ roomId, aroundSeq: 4n, limit: 3 });
    expect(around.messages.map((m) => m.seq)).toEqual([5n, 4n, 3n]);
    await expect(codeOf(a.history({ roomId, aroundSeq: 99n }))).resolves.toEqual(["NotFound", "message_not_found"]);
    await expect(codeOf(a.history({ roomId, afterSeq: 1n, beforeSeq: 5n }))).resolves.toEqual(["InvalidArgument", "ask for a page before, after or around one seq, not several"]);
    await expect(codeOf(a.sendMessage({ roomId, body: "re nothing", replyTo: 99n }))).resolves.toEqual(["NotFound", "message_not_found"]);
  });

  it("refuses with a fitting code: not_author, message_not_found, invalid_emoji, too_many_reactions, not a member", async () => {
    const { alice, bob, roomId } = await roomOfTwo();
    const a = chat(alice);
    const b = chat(bob);
    const seq = (await a.sendMessage({ roomId, body: "alice's" })).message!.seq;
    await expect(codeOf(b.editMessage({ roomId, seq, body: "mine now" }))).resolves.toEqual(["PermissionDenied", "not_author"]);
    await expect(codeOf(b.deleteMessage({ roomId, seq }))).resolves.toEqual(["PermissionDenied", "not_author"]);
    await expect(codeOf(a.editMessage({ roomId, seq: 99n, body: "x" }))).resolves.toEqual(["NotFound", "message_not_found"]);
    await expect(codeOf(a.editMessage({ roomId, seq: 2n ** 62n, body: "x" }))).resolves.toEqual(["InvalidArgument", "invalid_message"]);
    await expect(codeOf(a.editMessage({ roomId, seq, body: "" }))).resolves.toEqual(["InvalidArgument", "invalid_message"]);
    await expect(codeOf(b.react({ roomId, seq, emoji: "yes", on: true }))).resolves.toEqual(["InvalidArgument", "invalid_emoji"]);
    for (const emoji of EMOJI.slice(0, 20)) await a.react({ roomId, seq, emoji, on: true });
    await expect(codeOf(b.react({ roomId, seq, emoji: EMOJI[20]!, on: true }))).resolves.toEqual(["FailedPrecondition", "too_many_reactions"]);
    const outsider = chat(await signup("outsider"));
    await expect(codeOf(outsider.react({ roomId, seq, emoji: "👍", on: true }))).resolves.toEqual(["PermissionDenied", "not_a_member"]);
    await expect(codeOf(outsider.deleteMessage({ roomId, seq }))).resolves.toEqual(["PermissionDenied", "not_a_member"]);
    await expect(codeOf(chat(null).editMessage({ roomId, seq, body: "x" }))).resolves.toEqual(["Unauthenticated", expect.any(String)]);
    // A retried delete under the same client_id is answered with the tombstone.
    const gone = (await a.deleteMessage({ roomId, seq, clientId: "del-1" })).message!;
    expect((await a.deleteMessage({ roomId, seq, clientId: "del-1" })).message).toEqual(gone);
    await expect(codeOf(a.deleteMessage({ roomId, seq }))).resolves.toEqual(["NotFound", "message_not_found"]);
  });
});

describe("@room on every protocol (docs/protocol.md 'Mentions')", () => {
  it("counts from the room's owner and stays text from a member: hub and ChatService say so on the message", async () => {
    const { alice, bob, roomId } = await roomOfTwo();
    const { a, b } = await hubs(alice, bob, roomId);
    expect((await a.call("SendMessage", roomId, "@room hub from the owner")).mentionsRoom).toBe(true);
    expect(await b.call("SendMessage", roomId, "@room hub from bob")).not.toHaveProperty("mentionsRoom");
    const owner = (await chat(alice).sendMessage({ roomId, body: "@room connect from the owner" })).message!;
    const member = (await chat(bob).sendMessage({ roomId, body: "@room connect from bob" })).message!;
    expect([owner.mentionsRoom, member.mentionsRoom]).toEqual([true, false]);
    const page = await chat(bob).history({ roomId, limit: 10 });
    expect(page.messages.map((m) => [m.body, m.mentionsRoom])).toEqual([
      ["@room connect from bob", false],
      ["@room connect from the owner", true],
      ["@room hub from bob", false],
      ["@room hub from the owner", true],
    ]);
  });
});
