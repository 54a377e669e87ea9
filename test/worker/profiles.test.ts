/**
 * People (issue #18 item 5): display names (PATCH /api/me and the one rule for text), avatars
 * (a signed upload URL of the user's own, served signed with a long immutable cache lifetime and
 * a new URL per change), GET /api/users/{id}, and GET /api/users?q= (prefix matches over
 * indexes, at most 20).
 */
import { SELF, env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { SEARCH_PEOPLE, setDisplayName } from "../../worker/db/users";
import { avatarKey, signAvatar } from "../../worker/media/signing";
import { api, createRoom, signup, uniqueName, type TestUser } from "./helpers";

const SECRET = "test-secret-that-is-at-least-32-characters-long";
/** A PNG header and a little more: what the sniffer needs to see an image. */
const png = (fill = 0) => {
  const bytes = new Uint8Array(200).fill(fill);
  bytes.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
  return bytes;
};
const HTML = new TextEncoder().encode("<!doctype html><script>alert(document.cookie)</script>");

const patchMe = (user: TestUser, body: unknown) => api("/api/me", { method: "PATCH", token: user.token, body });
const meOf = async (user: TestUser) => (await api("/api/me", { token: user.token })).json.user;

async function grantAvatar(user: TestUser, file: { type: string; size: number }) {
  return api("/api/me/avatar", { token: user.token, body: file });
}

function put(url: string, bytes: Uint8Array, type: string, length = bytes.byteLength) {
  return SELF.fetch(url, { method: "PUT", body: bytes, headers: { "Content-Type": type, "Content-Length": String(length) } });
}

/** Grants and uploads an avatar; returns the answer's user. */
async function setAvatar(user: TestUser, bytes: Uint8Array, type = "image/png") {
  const g = await grantAvatar(user, { type, size: bytes.byteLength });
  expect(g.status, g.text).toBe(201);
  const res = await put(g.json.uploadUrl, bytes, type);
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as { id: string; avatarUrl?: string };
}

describe("display names (PATCH /api/me)", () => {
  it("sets, trims and clears a display name, shown by GET /api/me", async () => {
    const alice = await signup("alice");
    const set = await patchMe(alice, { displayName: "  Alice Liddell  " });
    expect(set.status).toBe(200);
    expect(set.json.user).toMatchObject({ id: alice.id, username: alice.username, displayName: "Alice Liddell" });
    expect((await meOf(alice)).displayName).toBe("Alice Liddell");
    // Read receipts and the display name change together or apart; one leaves the other alone.
    expect((await patchMe(alice, { readReceipts: false })).json.user).toMatchObject({ displayName: "Alice Liddell", readReceipts: false });
    for (const clear of [null, "", "   "]) {
      await patchMe(alice, { displayName: "Someone" });
      const res = await patchMe(alice, { displayName: clear });
      expect(res.status, JSON.stringify(clear)).toBe(200);
      expect(res.json.user.displayName, JSON.stringify(clear)).toBeUndefined();
    }
    expect((await meOf(alice)).displayName).toBeUndefined();
  });

  it("strips control characters and bidi overrides and isolates, and refuses a name of nothing else", async () => {
    const bob = await signup("bob");
    const cases: [string, string][] = [
      ["Bo\u0007b\u0000", "Bob"],
      ["\u202Eevil\u202C gnp.exe", "evil gnp.exe"],
      ["\u2066isolated\u2069 name\u009B", "isolated name"],
      ["line\nbreak\ttab", "linebreaktab"],
    ];
    for (const [sent, stored] of cases) {
      const res = await patchMe(bob, { displayName: sent });
      expect(res.status, JSON.stringify(sent)).toBe(200);
      expect(res.json.user.displayName).toBe(stored);
    }
    // Right-to-left text itself is a name (Arabic, Hebrew); only the controls go.
    expect((await patchMe(bob, { displayName: "سلمى" })).json.user.displayName).toBe("سلمى");
    for (const bad of ["\u202E", "\u0007\u0008", "\u2066\u2069 \u202A"]) {
      const res = await patchMe(bob, { displayName: bad });
      expect(res.status, JSON.stringify(bad)).toBe(400);
      expect(res.json.error.code).toBe("validation_error");
      expect(res.json.error.message).toMatch(/displayName/);
    }
    expect((await meOf(bob)).displayName).toBe("سلمى");
  });

  it("allows 1-64 characters and refuses more, a lone surrogate, a number and unknown fields with 400 JSON", async () => {
    const carol = await signup("carol");
    expect((await patchMe(carol, { displayName: "C" })).json.user.displayName).toBe("C");
    expect((await patchMe(carol, { displayName: "x".repeat(64) })).json.user.displayName).toBe("x".repeat(64));
    for (const bad of [{ displayName: "x".repeat(65) }, { displayName: "bad\ud800" }, { displayName: 42 }, { displayName: "ok", nickname: "no" }]) {
      const res = await patchMe(carol, bad);
      expect(res.status, JSON.stringify(bad)).toBe(400);
      expect(res.headers.get("content-type")).toContain("application/json");
      expect(res.json.error).toMatchObject({ code: "validation_error", message: expect.any(String) });
    }
    expect((await patchMe(carol, { displayName: "x".repeat(65) })).json.error.message).toMatch(/at most 64/);
    expect((await meOf(carol)).displayName).toBe("x".repeat(64));
    expect((await api("/api/me", { method: "PATCH", body: { displayName: "anon" } })).status).toBe(401);
  });

  it("shows display names in a room's member list, in DM partners and in what adds a member", async () => {
    const [owner, guest, friend] = [await signup("own"), await signup("gst"), await signup("frd")];
    await patchMe(owner, { displayName: "The Owner" });
    await patchMe(friend, { displayName: "Friend F." });
    const room = await createRoom(owner, "private", "people");
    const added = await api(`/api/rooms/${room.id}/members`, { token: owner.token, body: { username: friend.username } });
    expect(added.json.member).toMatchObject({ id: friend.id, displayName: "Friend F.", role: "member" });
    const details = await api(`/api/rooms/${room.id}`, { token: owner.token });
    const byId = new Map<string, { displayName?: string }>(details.json.members.map((m: { id: string }) => [m.id, m]));
    expect(byId.get(owner.id)?.displayName).toBe("The Owner");
    expect(byId.get(friend.id)?.displayName).toBe("Friend F.");

    const dm = await api("/api/dms", { token: guest.token, body: { username: owner.username } });
    expect(dm.json.dmWith).toMatchObject({ id: owner.id, username: owner.username, displayName: "The Owner" });
    const listed = (await api("/api/rooms", { token: guest.token })).json.rooms.find((r: { id: string }) => r.id === dm.json.id);
    expect(listed.dmWith.displayName).toBe("The Owner");
    // Messages keep the username (clients map userId to the member list's profile).
    expect(listed.name).toBe(owner.username);
  });
});

describe("avatars", () => {
  it("uploads through a URL of the user's own, then serves it signed with a long immutable cache lifetime", async () => {
    const dana = await signup("dana");
    const g = await grantAvatar(dana, { type: "image/png", size: 200 });
    expect(g.status).toBe(201);
    expect(g.json).toMatchObject({ method: "PUT", headers: { "Content-Type": "image/png" }, maxBytes: 512 * 1024 });
    expect(new URL(g.json.uploadUrl).pathname).toBe(`/api/users/${dana.id}/avatar`);
    const res = await put(g.json.uploadUrl, png(7), "image/png");
    expect(res.status).toBe(200);
    const user = (await res.json()) as { id: string; avatarUrl: string };
    expect(user.id).toBe(dana.id);
    expect(user.avatarUrl).toMatch(new RegExp(`/api/users/${dana.id}/avatar/[A-Za-z0-9_-]{22}\\?exp=\\d+&sig=`));

    const image = await SELF.fetch(user.avatarUrl);
    expect(image.status).toBe(200);
    expect(image.headers.get("content-type")).toBe("image/png");
    expect(image.headers.get("cache-control")).toBe("private, max-age=604800, immutable");
    expect(image.headers.get("x-content-type-options")).toBe("nosniff");
    expect(image.headers.get("content-security-policy")).toBe("default-src 'none'; sandbox");
    expect(new Uint8Array(await image.arrayBuffer())).toEqual(png(7));
    // The URL stays the same text while its week lasts (so caches keep it), valid 7 to 14 days.
    expect((await meOf(dana)).avatarUrl).toBe(user.avatarUrl);
    const exp = Number(new URL(user.avatarUrl).searchParams.get("exp"));
    expect(exp - Date.now() / 1000).toBeGreaterThan(7 * 24 * 3600 - 5);
    expect(exp - Date.now() / 1000).toBeLessThanOrEqual(14 * 24 * 3600);
  });

  it("gives a new URL per change, forgets the old picture, and can remove it", async () => {
    const erin = await signup("erin");
    const [other] = [await signup("oth")];
    const first = (await setAvatar(erin, png(1))).avatarUrl!;
    const second = (await setAvatar(erin, png(2))).avatarUrl!;
    expect(second).not.toBe(first);
    expect((await SELF.fetch(first)).status).toBe(404);
    expect(new Uint8Array(await (await SELF.fetch(second)).arrayBuffer())).toEqual(png(2));
    // Others learn it from GET /api/users/{id}, members and DM partners.
    expect((await api(`/api/users/${erin.id}`, { token: other.token })).json.avatarUrl).toBe(second);
    const dm = await api("/api/dms", { token: other.token, body: { username: erin.username } });
    expect(dm.json.dmWith.avatarUrl).toBe(second);
    const details = await api(`/api/rooms/${dm.json.id}`, { token: other.token });
    expect(details.json.members.find((m: { id: string }) => m.id === erin.id).avatarUrl).toBe(second);

    const removed = await api("/api/me/avatar", { method: "DELETE", token: erin.token });
    expect(removed.status).toBe(200);
    expect(removed.json.avatarUrl).toBeUndefined();
    expect((await meOf(erin)).avatarUrl).toBeUndefined();
    expect((await SELF.fetch(second)).status).toBe(404);
    const version = new URL(second).pathname.split("/").pop()!;
    expect(await env.MEDIA.head(avatarKey(erin.id, version))).toBeNull();
  });

  it("accepts only images, refuses bytes that are not one, and keeps the avatar it had", async () => {
    const finn = await signup("finn");
    const before = (await setAvatar(finn, png(3))).avatarUrl;
    for (const type of ["image/svg+xml", "text/html", "application/octet-stream"]) {
      const res = await grantAvatar(finn, { type, size: 100 });
      expect(res.status, type).toBe(400);
      expect(res.json.error.code).toBe("validation_error");
    }
    const g = await grantAvatar(finn, { type: "image/png", size: HTML.byteLength });
    const res = await put(g.json.uploadUrl, HTML, "image/png");
    expect(res.status).toBe(415);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("type_mismatch");
    expect((await meOf(finn)).avatarUrl).toBe(before);
  });

  it("limits the size: 512 KiB at most, and exactly the bytes granted", async () => {
    const gail = await signup("gail");
    const tooBig = await grantAvatar(gail, { type: "image/jpeg", size: 512 * 1024 + 1 });
    expect(tooBig.status).toBe(413);
    expect(tooBig.json.error.code).toBe("too_large");
    expect((await grantAvatar(gail, { type: "image/jpeg", size: 0 })).status).toBe(400);
    const g = await grantAvatar(gail, { type: "image/png", size: 200 });
    const more = await put(g.json.uploadUrl, new Uint8Array([...png(), 0]), "image/png");
    expect(more.status).toBe(413);
    const fewer = await put(g.json.uploadUrl, png().subarray(0, 150), "image/png");
    expect(fewer.status).toBe(400);
    expect((await meOf(gail)).avatarUrl).toBeUndefined();
  });

  it("needs a session to ask, and a URL works only for the user it was issued to, unchanged and unexpired", async () => {
    const hana = await signup("hana");
    const ivan = await signup("ivan");
    expect((await api("/api/me/avatar", { body: { type: "image/png", size: 200 } })).status).toBe(401);
    expect((await api("/api/me/avatar", { method: "DELETE" })).status).toBe(401);
    const g = await grantAvatar(hana, { type: "image/png", size: 200 });
    // The same signature on ivan's path: refused, and ivan keeps no avatar.
    const stolen = new URL(g.json.uploadUrl);
    stolen.pathname = `/api/users/${ivan.id}/avatar`;
    const res = await put(stolen.toString(), png(), "image/png");
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("invalid_signature");
    expect((await meOf(ivan)).avatarUrl).toBeUndefined();
    for (const [param, value] of [["size", "201"], ["type", "image/gif"], ["exp", "99999999999"], ["sig", "A".repeat(43)]] as const) {
      const changed = new URL(g.json.uploadUrl);
      changed.searchParams.set(param, value);
      expect((await put(changed.toString(), png(), "image/png")).status, param).toBe(403);
    }

    const url = (await setAvatar(hana, png(4))).avatarUrl!;
    const tampered = new URL(url);
    tampered.pathname = tampered.pathname.replace(hana.id, ivan.id);
    expect((await SELF.fetch(tampered.toString())).status).toBe(403);
    const version = new URL(url).pathname.split("/").pop()!;
    const exp = Math.floor(Date.now() / 1000) - 1;
    const sig = await signAvatar(SECRET, { userId: hana.id, version, exp });
    const expired = await SELF.fetch(`https://hearth.test/api/users/${hana.id}/avatar/${version}?exp=${exp}&sig=${sig}`);
    expect(expired.status).toBe(403);
    expect(((await expired.json()) as { error: { code: string } }).error.code).toBe("expired_signature");
    // A room's download signature is not an avatar's, and no bearer token stands in for a signature.
    expect((await api(`/api/users/${hana.id}/avatar/${version}`, { token: hana.token })).status).toBe(400);
  });
});

describe("GET /api/users/{id}", () => {
  it("answers signed-in users with the user's profile, and 404 JSON for an unknown id", async () => {
    const jo = await signup("jo");
    const kim = await signup("kim");
    await patchMe(jo, { displayName: "Jo March" });
    const res = await api(`/api/users/${jo.id}`, { token: kim.token });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ id: jo.id, username: jo.username, displayName: "Jo March", createdAt: expect.any(String) });
    // Another's settings are not part of it.
    expect(res.json.readReceipts).toBeUndefined();
    const missing = await api("/api/users/u_nobody", { token: kim.token });
    expect(missing.status).toBe(404);
    expect(missing.json.error.code).toBe("user_not_found");
    expect((await api(`/api/users/${jo.id}`)).status).toBe(401);
  });
});

describe("GET /api/users?q=", () => {
  const search = async (user: TestUser, q: string) => api(`/api/users?q=${encodeURIComponent(q)}`, { token: user.token });
  const names = (res: { json: { users: { username: string }[] } }) => res.json.users.map((u) => u.username);

  it("matches the start of a username or a display name, ignoring case, usernames first", async () => {
    const tag = Math.random().toString(36).slice(2, 7);
    const viewer = await signup("view");
    const byName = await signupAs(`zed${tag}_a`);
    const byDisplay = await signupAs(uniqueName("x"));
    await patchMe(byDisplay, { displayName: `Zed${tag} Émilie` });
    const res = await search(viewer, `ZED${tag}`);
    expect(res.status).toBe(200);
    expect(names(res)).toEqual([byName.username, byDisplay.username]);
    expect(res.json.users[1]).toMatchObject({ id: byDisplay.id, displayName: `Zed${tag} Émilie` });
    // Non-ASCII letters fold too, and only the start matches.
    expect(names(await search(viewer, `zed${tag} É`))).toEqual([byDisplay.username]);
    expect(names(await search(viewer, `zed${tag} é`))).toEqual([byDisplay.username]);
    expect(names(await search(viewer, "émilie"))).not.toContain(byDisplay.username);
    // Someone matching both ways is listed once; a cleared name no longer matches.
    await patchMe(byName, { displayName: `zed${tag} Anna` });
    expect(names(await search(viewer, `zed${tag}`))).toEqual([byName.username, byDisplay.username]);
    await patchMe(byDisplay, { displayName: null });
    expect(names(await search(viewer, `zed${tag}`))).toEqual([byName.username]);
    // Wildcards of LIKE and GLOB are plain characters.
    for (const q of ["%", "_", "*", "?"]) expect((await search(viewer, q)).json.users, q).toEqual([]);
  });

  it("answers at most 20, and refuses an empty, blank, missing or too long q", async () => {
    const viewer = await signup("view");
    const tag = `many${Math.random().toString(36).slice(2, 7)}`;
    for (let i = 0; i < 13; i++) await insertUser(`${tag}_${String(i).padStart(2, "0")}`);
    for (let i = 0; i < 13; i++) await setDisplayName(env.DB, await insertUser(uniqueName("y")), `${tag} ${i}`);
    const res = await search(viewer, tag);
    expect(res.json.users).toHaveLength(20);
    expect(names(res).slice(0, 13)).toEqual([...Array(13).keys()].map((i) => `${tag}_${String(i).padStart(2, "0")}`));
    for (const q of ["", "   ", "x".repeat(65)]) {
      const bad = await search(viewer, q);
      expect(bad.status, JSON.stringify(q)).toBe(400);
      expect(bad.json.error.code).toBe("validation_error");
    }
    expect((await search(viewer, "x".repeat(64))).status).toBe(200);
    expect((await api("/api/users", { token: viewer.token })).status).toBe(400);
    expect((await api("/api/users?q=ali")).status).toBe(401);
  });

  it("reads the username and display-name indexes, never the whole table", async () => {
    const { results } = await env.DB.prepare(`EXPLAIN QUERY PLAN ${SEARCH_PEOPLE}`).bind("ali", "ali\u{10FFFF}", 20).all<{ detail: string }>();
    const plan = results.map((r) => r.detail).join("\n");
    expect(plan).toMatch(/SEARCH users USING (COVERING )?INDEX sqlite_autoindex_users_\d \(username>\? AND username<\?\)/);
    expect(plan).toMatch(/SEARCH users USING (COVERING )?INDEX users_display_key \(display_key>\? AND display_key<\?\)/);
    expect(plan).not.toMatch(/SCAN users/);
  });
});

describe("the OpenAPI document", () => {
  it("declares every people route and the display name of PATCH /api/me", async () => {
    const doc = (await api("/api/openapi.json")).json;
    expect(Object.keys(doc.paths["/api/users"])).toEqual(["get"]);
    expect(Object.keys(doc.paths["/api/users/{id}"])).toEqual(["get"]);
    expect(Object.keys(doc.paths["/api/me/avatar"]).sort()).toEqual(["delete", "post"]);
    expect(Object.keys(doc.paths["/api/users/{id}/avatar"])).toEqual(["put"]);
    expect(Object.keys(doc.paths["/api/users/{id}/avatar/{version}"])).toEqual(["get"]);
    expect(doc.paths["/api/users"].get.parameters.map((p: { name: string }) => p.name)).toEqual(["q"]);
    const patch = doc.paths["/api/me"].patch.requestBody.content["application/json"].schema;
    expect(Object.keys(patch.properties)).toEqual(["readReceipts", "displayName"]);
    expect(doc.components.schemas.User.properties).toHaveProperty("avatarUrl");
  });
});

/** Signs up with exactly this username. */
async function signupAs(username: string): Promise<TestUser> {
  const res = await api("/api/auth/signup", { body: { username, password: "correct horse battery" } });
  expect(res.status).toBe(201);
  return { id: res.json.user.id, username, token: res.json.token };
}

/** A user row straight into D1 (no password hashing): for tests that need many people. */
async function insertUser(username: string): Promise<string> {
  const id = `u_${crypto.randomUUID().replace(/-/g, "").slice(0, 25)}`;
  await env.DB.prepare("INSERT INTO users (id, username, password_hash, salt, created_at) VALUES (?, ?, '', '', ?)").bind(id, username, Date.now()).run();
  return id;
}
