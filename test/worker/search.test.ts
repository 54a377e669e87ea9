/**
 * Message search and the Mentions list (issue #18 items 1, 2 and 4; docs/search.md), through
 * the real worker, room objects and D1 with its FTS5 index: matching (prefix, case, accents,
 * phrases, CJK, Cyrillic, Arabic, emoji), every privacy rule, the check against each room's
 * current state, filters, paging and bad input.
 */
import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import type { SearchHit, SearchPage } from "../../worker/contract/rest";
import fc from "fast-check";
import { segmentedTokens, tokensOf } from "../../worker/search/terms";
import { api, createRoom, join, signup, uniqueName, type TestUser } from "./helpers";

let alice: TestUser;
let bob: TestUser;
let carol: TestUser;
let general: { id: string };
let secret: { id: string };
let counter = 0;

/** Posts as `user` over REST; returns the seq. */
async function post(user: TestUser, roomId: string, body: string, extra: Record<string, unknown> = {}): Promise<number> {
  const res = await api(`/api/rooms/${roomId}/messages`, { token: user.token, body: { body, clientId: `s${++counter}`, ...extra } });
  expect(res.status, res.text).toBe(201);
  return res.json.seq;
}

/** Runs the rooms' copies to D1 now (the index is written by the copy; tests set its delay to a minute). */
async function copy(...roomIds: string[]): Promise<void> {
  for (const id of roomIds) await env.ROOMS.getByName(id).flush();
}

async function find(user: TestUser, params: Record<string, string>): Promise<{ status: number; page: SearchPage; error?: { code: string; message: string } }> {
  const res = await api(`/api/search?${new URLSearchParams(params)}`, { token: user.token });
  return { status: res.status, page: res.json, error: res.json?.error };
}

/** The bodies `user` finds for `q` (in `room` when given), newest first, marked text in [brackets]. */
async function found(user: TestUser, q: string, more: Record<string, string> = {}): Promise<string[]> {
  const { status, page } = await find(user, { q, ...more });
  expect(status).toBe(200);
  return page.hits.map(marked);
}

function marked(hit: SearchHit): string {
  let out = "";
  let at = 0;
  for (const [s, e] of hit.snippet.marks) {
    out += `${hit.snippet.text.slice(at, s)}[${hit.snippet.text.slice(s, e)}]`;
    at = e;
  }
  return out + hit.snippet.text.slice(at);
}

beforeAll(async () => {
  [alice, bob, carol] = [await signup("alice"), await signup("bob"), await signup("carol")];
  general = await createRoom(alice, "public", uniqueName("general"));
  secret = await createRoom(alice, "private", uniqueName("secret"));
  await join(bob, general.id);
  await post(alice, general.id, "We deploy the Café release on Friday");
  await post(bob, general.id, "deployment failed: the RELEASE notes were wrong");
  await post(alice, general.id, "Привет, команда! Релиз готов");
  await post(bob, general.id, "مرحبا بالعالم، الإصدار جاهز");
  await post(alice, general.id, "我们明天部署新版本");
  await post(bob, general.id, "東京で会議があります");
  await post(alice, general.id, "great work 👍🏽 everyone 🎉");
  await post(alice, secret.id, "the secret deploy plan");
  await copy(general.id, secret.id);
});

describe("matching", () => {
  it("finds the same tokens on the ASCII fast path as through the segmenter", () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(..."abcXYZ019 _-.'@:/#!?()\n\t"), maxLength: 80 }), (text) => {
        expect(tokensOf(text)).toEqual(segmentedTokens(text));
      }),
      { numRuns: 2000 },
    );
    for (const text of ["don't stop", "v2.4.1-rc", "snake_case and kebab-case", "e-mail me@x.io", "  ", "___", "C++ & C#"]) {
      expect(tokensOf(text), text).toEqual(segmentedTokens(text));
    }
  });

  it("finds words by prefix, ignoring case and accents, newest first, with the words marked", async () => {
    expect(await found(bob, "deplo", { room: general.id })).toEqual(["[deployment] failed: the RELEASE notes were wrong", "We [deploy] the Café release on Friday"]);
    expect(await found(bob, "CAFE")).toEqual(["We deploy the [Café] release on Friday"]);
    expect(await found(bob, "café RELEASE")).toEqual(["We deploy the [Café] [release] on Friday"]);
  });

  it("needs every word, and a quoted phrase in its order", async () => {
    expect(await found(bob, "deploy friday")).toEqual(["We [deploy] the Café release on [Friday]"]);
    expect(await found(bob, '"release notes"')).toEqual(["deployment failed: the [RELEASE notes] were wrong"]);
    expect(await found(bob, '"notes release"')).toEqual([]);
    // A quoted phrase is whole words: "deplo" inside quotes is no prefix.
    expect(await found(bob, '"deplo"')).toEqual([]);
  });

  it("finds Cyrillic, Arabic, Chinese (a two-character word), Japanese and emoji", async () => {
    expect(await found(bob, "привет")).toEqual(["[Привет], команда! Релиз готов"]);
    expect(await found(bob, "рел")).toEqual(["Привет, команда! [Релиз] готов"]);
    expect(await found(bob, "الإصدار")).toEqual(["مرحبا بالعالم، [الإصدار] جاهز"]);
    expect(await found(bob, "部署")).toEqual(["我们明天[部署]新版本"]);
    expect(await found(bob, "明天部署")).toEqual(["我们[明天部署]新版本"]);
    expect(await found(bob, "会議")).toEqual(["東京で[会議]があります"]);
    expect(await found(bob, "🎉")).toEqual(["great work 👍🏽 everyone [🎉]"]);
    // 👍 finds 👍🏽: a skin tone is the same emoji.
    expect(await found(bob, "👍")).toEqual(["great work [👍🏽] everyone 🎉"]);
  });

  it("treats FTS5 syntax as text: no 500, no operator", async () => {
    for (const q of ['"', 'deploy"', "*", "deploy*", "-deploy", "deploy -friday", "body:deploy", "(deploy", "deploy)", "NEAR(deploy friday)", "deploy OR nothing", "deploy AND", "^deploy", "'", "\\", "{deploy}"]) {
      const { status } = await find(bob, { q });
      expect([200, 400], q).toContain(status);
    }
    // "-" is no NOT: the word after it must match too.
    expect(await found(bob, "deploy -friday")).toEqual(["We [deploy] the Café release on [Friday]"]);
    // OR is a word like any other, so nothing has both.
    expect(await found(bob, "deploy OR friday")).toEqual([]);
    // An unbalanced quote runs to the end.
    expect(await found(bob, '"release notes')).toEqual(["deployment failed: the [RELEASE notes] were wrong"]);
  });
});

describe("privacy and freshness", () => {
  it("never shows a private room to a non-member, and a room filter for a room I am not in is 403", async () => {
    expect(await found(bob, "secret")).toEqual([]);
    expect(await found(alice, "secret")).toEqual(["the [secret] deploy plan"]);
    const refused = await find(bob, { q: "secret", room: secret.id });
    expect(refused.status).toBe(403);
    expect(refused.error?.code).toBe("not_a_member");
    expect((await find(bob, { q: "x", room: "r_nope" })).status).toBe(403);
  });

  it("drops a room's messages from my results as soon as I leave it", async () => {
    const room = await createRoom(alice, "public", uniqueName("leaving"));
    await join(carol, room.id);
    await post(alice, room.id, "zanzibar itinerary");
    await copy(room.id);
    expect(await found(carol, "zanzibar")).toEqual(["[zanzibar] itinerary"]);
    expect((await api(`/api/rooms/${room.id}/leave`, { method: "POST", token: carol.token })).status).toBe(204);
    expect(await found(carol, "zanzibar")).toEqual([]);
  });

  it("checks each hit against the room now: a deleted message is gone and an edited one matches only its new text, before the copy catches up", async () => {
    const room = await createRoom(alice, "public", uniqueName("edits"));
    const edited = await post(alice, room.id, "quokka sighting at noon");
    const deleted = await post(alice, room.id, "quokka photos inside");
    await copy(room.id);
    expect(await found(alice, "quokka", { room: room.id })).toEqual(["[quokka] photos inside", "[quokka] sighting at noon"]);
    expect((await api(`/api/rooms/${room.id}/messages/${edited}`, { method: "PATCH", token: alice.token, body: { body: "wombat sighting at noon" } })).status).toBe(200);
    expect((await api(`/api/rooms/${room.id}/messages/${deleted}`, { method: "DELETE", token: alice.token })).status).toBe(200);
    // Not copied yet: the index still has the old words, the check drops them.
    expect(await found(alice, "quokka", { room: room.id })).toEqual([]);
    await copy(room.id);
    // Edits re-index: the new word is found once copied, the old one is gone from the index.
    expect(await found(alice, "wombat", { room: room.id })).toEqual(["[wombat] sighting at noon"]);
    expect(await found(alice, "quokka", { room: room.id })).toEqual([]);
  });

  it("finds a message once its room's copy to D1 ran, not before", async () => {
    const room = await createRoom(alice, "public", uniqueName("fresh"));
    await post(alice, room.id, "platypus arrives");
    expect(await found(alice, "platypus")).toEqual([]);
    await copy(room.id);
    expect(await found(alice, "platypus")).toEqual(["[platypus] arrives"]);
  });
});

describe("filters and paging", () => {
  it("filters by author, date and what a message has", async () => {
    expect(await found(bob, "deplo", { room: general.id, from: alice.username })).toEqual(["We [deploy] the Café release on Friday"]);
    expect(await found(bob, "deplo", { from: "nobody-at-all" })).toEqual([]);
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    expect(await found(bob, "deplo", { room: general.id, after: tomorrow })).toEqual([]);
    expect((await found(bob, "deplo", { room: general.id, before: tomorrow })).length).toBe(2);
    const room = await createRoom(alice, "public", uniqueName("links"));
    await post(alice, room.id, "kiwi docs at https://example.com/kiwi");
    await post(alice, room.id, "kiwi without a link");
    await copy(room.id);
    expect(await found(alice, "kiwi", { has: "link" })).toEqual(["[kiwi] docs at https://example.com/[kiwi]"]);
    expect(await found(alice, "kiwi", { has: "image" })).toEqual([]);
  });

  it("pages with a cursor, newest first, each hit once", async () => {
    const room = await createRoom(alice, "public", uniqueName("paging"));
    for (let i = 1; i <= 5; i++) await post(alice, room.id, `narwhal number ${i}`);
    await copy(room.id);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const { status, page } = await find(alice, { q: "narwhal", limit: "2", ...(cursor ? { cursor } : {}) });
      expect(status).toBe(200);
      seen.push(...page.hits.map((h) => h.snippet.text));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual([5, 4, 3, 2, 1].map((i) => `narwhal number ${i}`));
  });

  it("gives each hit its room, seq, author and time", async () => {
    const { page } = await find(bob, { q: "привет" });
    const hit = page.hits[0]!;
    expect(hit).toMatchObject({ roomId: general.id, visibility: "public", userId: alice.id, username: alice.username, kind: "text" });
    expect(hit.seq).toBe(3);
    expect(Math.abs(hit.ts - Date.now())).toBeLessThan(120_000);
  });

  it("names a DM after the other person", async () => {
    const dm = await api("/api/dms", { token: alice.token, body: { username: carol.username } });
    await post(alice, dm.json.id, "okapi lunch?");
    await copy(dm.json.id);
    const { page } = await find(carol, { q: "okapi" });
    expect(page.hits.map((h) => [h.roomName, h.visibility])).toEqual([[alice.username, "dm"]]);
  });
});

describe("bad input", () => {
  it("answers 400 with a JSON error", async () => {
    const cases: [Record<string, string>, string][] = [
      [{ q: "" }, "invalid_query"],
      [{ q: "   " }, "invalid_query"],
      [{ q: "x".repeat(201) }, "invalid_query"],
      [{ q: "!!! ???" }, "invalid_query"],
      [{ q: "deploy", cursor: "garbage" }, "invalid_cursor"],
      [{ q: "deploy", cursor: "s" }, "invalid_cursor"],
      [{ q: "deploy", limit: "51" }, "validation_error"],
      [{ q: "deploy", after: "yesterday" }, "validation_error"],
      [{ q: "deploy", before: "2026-13-45" }, "validation_error"],
      [{ q: "deploy", has: "video" }, "validation_error"],
      [{}, "validation_error"],
    ];
    for (const [params, code] of cases) {
      const { status, error } = await find(bob, params);
      expect([status, error?.code], JSON.stringify(params)).toEqual([400, code]);
      expect(error?.message.length).toBeGreaterThan(0);
    }
    expect((await find(bob, { q: "x".repeat(200) })).status).toBe(200);
  });

  it("needs a session", async () => {
    expect((await api("/api/search?q=deploy")).status).toBe(401);
    expect((await api("/api/mentions")).status).toBe(401);
  });
});

describe("mentions", () => {
  it("lists messages that mention me, and @room only from the room's owner", async () => {
    const room = await createRoom(alice, "public", uniqueName("team"));
    await join(bob, room.id);
    await join(carol, room.id);
    await post(alice, room.id, `thanks @${carol.username.toUpperCase()}!`);
    await post(bob, room.id, "@room standup moved (bob is no owner)");
    await post(alice, room.id, "@room lunch at noon");
    await post(bob, room.id, `mail ${carol.username}@example.com is no mention`);
    await copy(room.id);
    const res = await api("/api/mentions", { token: carol.token });
    expect(res.status).toBe(200);
    expect((res.json as SearchPage).hits.map(marked)).toEqual(["[@room] lunch at noon", `thanks [@${carol.username.toUpperCase()}]!`]);
    // The stored messages say which @room counts.
    const history = await api(`/api/rooms/${room.id}/messages`, { token: carol.token });
    const byBody = new Map((history.json.messages as { body: string; mentionsRoom?: boolean }[]).map((m) => [m.body, m.mentionsRoom]));
    expect(byBody.get("@room lunch at noon")).toBe(true);
    expect(byBody.get("@room standup moved (bob is no owner)")).toBeUndefined();
  });

  it("counts @room from the owner in the unread mention counts, and not from others", async () => {
    const room = await createRoom(alice, "public", uniqueName("counts"));
    await join(bob, room.id);
    await join(carol, room.id);
    await post(bob, room.id, "@room from bob");
    await post(alice, room.id, "@room from the owner");
    await post(alice, room.id, `hi @${carol.username}`);
    // What carol's per-user channel hears when it starts watching the room.
    const watcher = { userId: carol.id, username: carol.username, lastReadSeq: 0, status: "online" as const };
    const answer = await env.ROOMS.getByName(room.id).channel(room.id, { op: "watch", watcher, dm: false });
    expect(answer?.counts).toMatchObject({ unread: 3, mentions: 2 });
    await env.ROOMS.getByName(room.id).channel(room.id, { op: "unwatch", userId: carol.id });
  });

  it("keeps names that mean something in a message from being usernames", async () => {
    for (const username of ["room", "ROOM", "everyone", "here", "channel"]) {
      const res = await api("/api/auth/signup", { body: { username, password: "correct horse battery" } });
      expect([res.status, res.json?.error?.code], username).toEqual([400, "validation_error"]);
      expect(res.json.error.message).toContain("mean something");
    }
  });

  it("an edit decides @room again", async () => {
    const room = await createRoom(alice, "public", uniqueName("edit-room"));
    const seq = await post(alice, room.id, "plain note");
    const edited = await api(`/api/rooms/${room.id}/messages/${seq}`, { method: "PATCH", token: alice.token, body: { body: "@room please read" } });
    expect(edited.json.mentionsRoom).toBe(true);
    const again = await api(`/api/rooms/${room.id}/messages/${seq}`, { method: "PATCH", token: alice.token, body: { body: "never mind" } });
    expect(again.json.mentionsRoom).toBeUndefined();
  });
});
