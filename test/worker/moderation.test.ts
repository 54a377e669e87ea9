/**
 * Room moderation (issue #19 item 3; docs/admin.md "Rooms and moderation"): who may change a
 * room's settings, roles, members and bans (an authz matrix over every route), archived rooms
 * refusing writes on every protocol, the close codes of removed, banned and deleted sockets,
 * bans keeping people out, unique public names, ownership transfer, and a deletion that leaves
 * nothing behind in D1, R2, the room or its call.
 */
import { SELF, env, runInDurableObject } from "cloudflare:test";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";
import { beforeAll, describe, expect, it } from "vitest";
import { ChatService } from "../../worker/protocols/connect/gen/hearth/v1/chat_pb";
import { BASE, api, bearerProtocols, connect, createRoom, join, signup, uniqueName, upgrade, TestSocket, type TestUser } from "./helpers";
import { HubClient } from "./hub-client";

type Actor = "admin" | "owner" | "moderator" | "member" | "outsider" | "deactivated";
const ACTORS: Actor[] = ["admin", "owner", "moderator", "member", "outsider", "deactivated"];
const people = {} as Record<Actor, TestUser>;
/** The public room of the matrix: owner, a moderator, a member, and a member since deactivated. */
let room: { id: string };

async function addMember(owner: TestUser, roomId: string, user: TestUser) {
  const res = await api(`/api/rooms/${roomId}/members`, { token: owner.token, body: { username: user.username } });
  expect(res.status, res.text).toBe(201);
}

async function setRole(owner: TestUser, roomId: string, user: TestUser, role: string) {
  return api(`/api/rooms/${roomId}/members/${user.id}`, { method: "PUT", token: owner.token, body: { role } });
}

/** A room of the matrix's owner with its moderator, member and deactivated member. */
async function staffedRoom(visibility: "public" | "private" = "public") {
  const r = await createRoom(people.owner, visibility);
  for (const who of ["moderator", "member", "deactivated"] as const) await addMember(people.owner, r.id, people[who]);
  expect((await setRole(people.owner, r.id, people.moderator, "moderator")).status).toBe(200);
  return r;
}

async function post(user: TestUser, roomId: string, body: string) {
  return api(`/api/rooms/${roomId}/messages`, { token: user.token, body: { clientId: crypto.randomUUID(), body } });
}

async function channel(user: TestUser) {
  const res = await upgrade("/api/me/ws", bearerProtocols(user));
  if (res.status !== 101 || !res.webSocket) throw new Error(`channel upgrade failed: ${res.status}`);
  res.webSocket.accept();
  const socket = new TestSocket(res.webSocket);
  await socket.nextOfType("hello");
  return socket;
}

/** ChatService through the Connect client, over the worker's own fetch (as protocol-changes.test.ts). */
function chat(user: TestUser) {
  return createClient(
    ChatService,
    createConnectTransport({
      baseUrl: BASE,
      fetch: (input, init) => SELF.fetch(input as string, { ...init, redirect: "manual" }),
      interceptors: [(next) => (req) => (req.header.set("Authorization", `Bearer ${user.token}`), next(req))],
    }),
  );
}

/** A Connect failure as [its code, the Hearth code its text starts with]. */
const connectError = (p: Promise<unknown>) =>
  p.then(
    () => "resolved",
    (e: unknown) => (e instanceof ConnectError ? [Code[e.code], e.rawMessage.split(":")[0]] : String(e)),
  );

/**
 * A ChatService stream of the room from its first message: `live` resolves once that message
 * arrived (the room has the subscription), `ended` with how the stream ended.
 */
function stream(user: TestUser, roomId: string) {
  let live: () => void = () => undefined;
  const started = new Promise<void>((ok) => (live = ok));
  const ended = connectError(
    (async () => {
      for await (const _ of chat(user).streamMessages({ roomId, sinceSeq: 0n })) live();
    })(),
  );
  return { live: started, ended };
}

const roleOf = async (viewer: TestUser, roomId: string, user: TestUser) =>
  (await api(`/api/rooms/${roomId}`, { token: viewer.token })).json.members.find((m: { id: string }) => m.id === user.id)?.role;

beforeAll(async () => {
  // A fresh deployment without ADMIN_USERNAMES: its first account is the administrator.
  people.admin = await signup("admin");
  for (const who of ACTORS.slice(1)) people[who] = await signup(who);
  room = await staffedRoom();
  const off = await api(`/api/admin/users/${people.deactivated.id}/deactivate`, { method: "POST", token: people.admin.token });
  expect(off.status, off.text).toBe(204);
});

describe("who may do what (the authz matrix over every route)", () => {
  type Expected = Record<Actor, [number, string?]>;
  const refusedToAll: Pick<Expected, "outsider" | "deactivated"> = { outsider: [403, "not_a_member"], deactivated: [403, "account_deactivated"] };
  const ownerOnly: Expected = {
    admin: [403, "not_owner"],
    owner: [200],
    moderator: [403, "not_owner"],
    member: [403, "not_owner"],
    ...refusedToAll,
  };
  const moderators = (ok: number): Expected => ({ admin: [ok], owner: [ok], moderator: [ok], member: [403, "not_moderator"], ...refusedToAll });

  /** Each route, asked by each actor in turn; `ask` makes whatever the request needs fresh for each. */
  const routes: [string, Expected, (who: TestUser) => Promise<{ status: number; json: any; text: string }>][] = [
    ["PATCH /rooms/{id}", ownerOnly, (who) => api(`/api/rooms/${room.id}`, { method: "PATCH", token: who.token, body: { topic: `set by ${who.username}` } })],
    ["POST /rooms/{id}/archive", ownerOnly, async (who) => {
      const res = await api(`/api/rooms/${room.id}/archive`, { method: "POST", token: who.token });
      if (res.status === 200) await api(`/api/rooms/${room.id}/archive`, { method: "DELETE", token: people.owner.token });
      return res;
    }],
    ["DELETE /rooms/{id}/archive", ownerOnly, (who) => api(`/api/rooms/${room.id}/archive`, { method: "DELETE", token: who.token })],
    ["PUT /rooms/{id}/members/{userId}", ownerOnly, async (who) => {
      const pawn = await signup("pawn");
      await addMember(people.owner, room.id, pawn);
      return setRole(who, room.id, pawn, "moderator");
    }],
    ["DELETE /rooms/{id}/members/{userId}", moderators(204), async (who) => {
      const pawn = await signup("pawn");
      await addMember(people.owner, room.id, pawn);
      return api(`/api/rooms/${room.id}/members/${pawn.id}`, { method: "DELETE", token: who.token });
    }],
    ["PUT /rooms/{id}/bans/{userId}", moderators(204), async (who) => {
      const pawn = await signup("pawn");
      await addMember(people.owner, room.id, pawn);
      return api(`/api/rooms/${room.id}/bans/${pawn.id}`, { method: "PUT", token: who.token });
    }],
    ["DELETE /rooms/{id}/bans/{userId}", moderators(204), async (who) => {
      const pawn = await signup("pawn");
      expect((await api(`/api/rooms/${room.id}/bans/${pawn.id}`, { method: "PUT", token: people.owner.token })).status).toBe(204);
      return api(`/api/rooms/${room.id}/bans/${pawn.id}`, { method: "DELETE", token: who.token });
    }],
    ["GET /rooms/{id}/bans", moderators(200), (who) => api(`/api/rooms/${room.id}/bans`, { token: who.token })],
    ["DELETE /rooms/{id}", { ...ownerOnly, admin: [204], owner: [204] }, async (who) => {
      const doomed = await staffedRoom();
      return api(`/api/rooms/${doomed.id}`, { method: "DELETE", token: who.token });
    }],
  ];

  for (const [route, expected, ask] of routes) {
    it(`${route}: ${ACTORS.map((a) => `${a} ${expected[a].join(" ")}`).join(", ")}`, async () => {
      for (const actor of ACTORS) {
        const res = await ask(people[actor]);
        const [status, code] = expected[actor];
        expect([res.status, res.json?.error?.code], `${route} as ${actor}: ${res.text.slice(0, 200)}`).toEqual([status, code]);
      }
    });
  }

  it("declares every route in the OpenAPI document, with moderator among the roles", async () => {
    const doc = (await api("/api/openapi.json")).json;
    const declared = (path: string) => Object.keys(doc.paths[path] ?? {}).sort();
    expect(declared("/api/rooms/{id}")).toEqual(["delete", "get", "patch"]);
    expect(declared("/api/rooms/{id}/archive")).toEqual(["delete", "post"]);
    expect(declared("/api/rooms/{id}/members/{userId}")).toEqual(["delete", "put"]);
    expect(declared("/api/rooms/{id}/bans/{userId}")).toEqual(["delete", "put"]);
    expect(declared("/api/rooms/{id}/bans")).toEqual(["get"]);
    expect(doc.components.schemas.Role.enum).toEqual(["owner", "moderator", "member"]);
  });

  it("refuses everyone without a token (401) and answers 404 for a room that does not exist", async () => {
    for (const [method, path] of [
      ["PATCH", `/api/rooms/${room.id}`],
      ["DELETE", `/api/rooms/${room.id}`],
      ["POST", `/api/rooms/${room.id}/archive`],
      ["PUT", `/api/rooms/${room.id}/members/${people.member.id}`],
      ["DELETE", `/api/rooms/${room.id}/members/${people.member.id}`],
      ["PUT", `/api/rooms/${room.id}/bans/${people.member.id}`],
      ["DELETE", `/api/rooms/${room.id}/bans/${people.member.id}`],
    ] as const) {
      expect((await api(path, { method, body: method === "PATCH" ? { topic: "x" } : method === "PUT" && path.includes("members") ? { role: "member" } : undefined })).status, `${method} ${path}`).toBe(401);
    }
    const missing = await api(`/api/rooms/r_nope`, { method: "DELETE", token: people.admin.token });
    expect([missing.status, missing.json.error.code]).toEqual([404, "room_not_found"]);
    expect((await api(`/api/rooms/r_nope/bans/${people.member.id}`, { method: "PUT", token: people.owner.token })).status).toBe(404);
  });

  it("lets nobody act on the owner, only the owner and administrators act on moderators, and nobody on themselves", async () => {
    const r = await staffedRoom();
    const other = await signup("mod2");
    await addMember(people.owner, r.id, other);
    expect((await setRole(people.owner, r.id, other, "moderator")).status).toBe(200);
    const as = (who: TestUser, method: string, path: string) => api(`/api/rooms/${r.id}/${path}`, { method, token: who.token });
    const refused = async (res: Promise<{ status: number; json: any }>) => [(await res).status, (await res).json?.error?.code];
    expect(await refused(as(people.moderator, "DELETE", `members/${other.id}`))).toEqual([403, "outranked"]);
    expect(await refused(as(people.moderator, "PUT", `bans/${other.id}`))).toEqual([403, "outranked"]);
    expect(await refused(as(people.moderator, "DELETE", `members/${people.owner.id}`))).toEqual([403, "outranked"]);
    expect(await refused(as(people.admin, "PUT", `bans/${people.owner.id}`))).toEqual([403, "outranked"]);
    expect(await refused(as(people.owner, "DELETE", `members/${people.owner.id}`))).toEqual([400, "validation_error"]);
    expect(await refused(as(people.moderator, "PUT", `bans/${people.moderator.id}`))).toEqual([400, "validation_error"]);
    expect((await setRole(people.owner, r.id, people.owner, "member")).status).toBe(400);
    // An administrator removes a moderator of a public room; the owner bans one.
    expect((await as(people.admin, "DELETE", `members/${other.id}`)).status).toBe(204);
    expect((await as(people.owner, "PUT", `bans/${people.moderator.id}`)).status).toBe(204);
    expect(await roleOf(people.owner, r.id, people.moderator)).toBeUndefined();
  });

  it("gives administrators no say in a private room but its deletion, and DMs no settings", async () => {
    const hidden = await staffedRoom("private");
    const ask = (method: string, path: string, body?: unknown) => api(`/api/rooms/${hidden.id}${path}`, { method, token: people.admin.token, body });
    expect((await ask("DELETE", `/members/${people.member.id}`)).json.error.code).toBe("not_a_member");
    expect((await ask("PATCH", "", { topic: "x" })).json.error.code).toBe("not_a_member");
    const dm = (await api("/api/dms", { token: people.owner.token, body: { username: people.member.username } })).json;
    for (const [method, path, body] of [["PATCH", "", { name: "x" }], ["POST", "/archive"], ["PUT", `/bans/${people.member.id}`]] as const) {
      const res = await api(`/api/rooms/${dm.id}${path}`, { method, token: people.owner.token, body });
      expect([res.status, res.json.error.code], `${method} dm${path}`).toEqual([403, "dm_fixed"]);
    }
    expect((await ask("DELETE", "")).status).toBe(204);
    expect((await api(`/api/rooms/${dm.id}`, { method: "DELETE", token: people.admin.token })).status).toBe(204);
  });
});

describe("roles", () => {
  it("shows moderators in the room's members and its role for them; ownership moves and the old owner moderates", async () => {
    const r = await staffedRoom();
    expect(await roleOf(people.member, r.id, people.moderator)).toBe("moderator");
    expect((await api(`/api/rooms/${r.id}`, { token: people.moderator.token })).json.role).toBe("moderator");
    expect((await setRole(people.owner, r.id, people.outsider, "owner")).json.error.code).toBe("member_not_found");
    expect(await roleOf(people.member, r.id, people.owner)).toBe("owner");

    const moved = await setRole(people.owner, r.id, people.member, "owner");
    expect([moved.status, moved.json]).toEqual([200, { id: people.member.id, username: people.member.username, role: "owner" }]);
    expect(await roleOf(people.member, r.id, people.owner)).toBe("moderator");
    expect(await roleOf(people.member, r.id, people.member)).toBe("owner");
    // The old owner moderates now, and no longer owns.
    expect((await api(`/api/rooms/${r.id}`, { method: "PATCH", token: people.owner.token, body: { topic: "mine?" } })).json.error.code).toBe("not_owner");
    expect((await api(`/api/rooms/${r.id}`, { method: "PATCH", token: people.member.token, body: { topic: "mine" } })).json.topic).toBe("mine");
    expect((await setRole(people.member, r.id, people.moderator, "member")).status).toBe(200);
    expect(await roleOf(people.member, r.id, people.moderator)).toBe("member");
  });

  it("lets moderators and the owner delete anyone's message and mention @room; a member neither", async () => {
    const r = await staffedRoom();
    await join(people.admin, r.id);
    const seqs: number[] = [];
    for (let i = 0; i < 4; i++) seqs.push((await post(people.member, r.id, `note ${i}`)).json.seq);
    const del = (who: TestUser, seq: number) => api(`/api/rooms/${r.id}/messages/${seq}`, { method: "DELETE", token: who.token });
    expect((await del(people.deactivated, seqs[0]!)).status).toBe(403);
    const outsiderMessage = (await post(people.moderator, r.id, "a moderator's own")).json.seq;
    expect((await del(people.member, outsiderMessage)).json.error.code).toBe("not_author");
    expect((await del(people.moderator, seqs[0]!)).status).toBe(200);
    expect((await del(people.owner, seqs[1]!)).status).toBe(200);
    expect((await del(people.admin, seqs[2]!)).status).toBe(200);

    expect((await post(people.moderator, r.id, "@room from a moderator")).json.mentionsRoom).toBe(true);
    expect((await post(people.member, r.id, "@room from a member")).json.mentionsRoom).toBeUndefined();
    // The socket's delete goes through the same rule.
    const m = await connect(people.moderator, r.id);
    expect(await m.socket.ask({ type: "delete", clientId: "mod-del", seq: seqs[3]! })).toMatchObject({ type: "ack", message: { deleted: true } });
    m.socket.close();
  });
});

describe("removals and bans", () => {
  it("closes a removed member's sockets with 4003 and a banned one's with 4004, tells their channel why, and refuses them at once", async () => {
    const r = await staffedRoom();
    const [gone, banned] = [await signup("gone"), await signup("banned")];
    for (const u of [gone, banned]) await addMember(people.owner, r.id, u);
    const sockets = { gone: await connect(gone, r.id), banned: await connect(banned, r.id) };
    const channels = { gone: await channel(gone), banned: await channel(banned) };

    expect((await api(`/api/rooms/${r.id}/members/${gone.id}`, { method: "DELETE", token: people.moderator.token })).status).toBe(204);
    expect(await sockets.gone.socket.waitClose()).toMatchObject({ code: 4003 });
    expect(await channels.gone.nextOfType("room-removed")).toEqual({ type: "room-removed", roomId: r.id, reason: "removed" });
    expect((await api(`/api/rooms/${r.id}/bans/${banned.id}`, { method: "PUT", token: people.moderator.token })).status).toBe(204);
    expect(await sockets.banned.socket.waitClose()).toMatchObject({ code: 4004 });
    expect(await channels.banned.nextOfType("room-removed")).toEqual({ type: "room-removed", roomId: r.id, reason: "banned" });

    // Refused at once, although their membership answer was cached a moment ago.
    expect((await upgrade(`/api/rooms/${r.id}/ws`, bearerProtocols(gone))).status).toBe(403);
    const again = await upgrade(`/api/rooms/${r.id}/ws`, bearerProtocols(banned));
    expect(again.status).toBe(403);
    expect(((await again.json()) as any).error.code).toBe("banned");
    expect((await api(`/api/rooms/${r.id}/messages`, { token: banned.token })).json.error.code).toBe("banned");
    // Connect streams end with the reason: banned, or the room deleted.
    const watcher = await signup("watcher");
    await addMember(people.owner, r.id, watcher);
    await post(people.owner, r.id, "to start a stream from");
    const watching = stream(watcher, r.id);
    await watching.live;
    await api(`/api/rooms/${r.id}/bans/${watcher.id}`, { method: "PUT", token: people.owner.token });
    expect(await watching.ended).toEqual(["PermissionDenied", "banned"]);
    // Removal is not a ban: the removed member may join the public room again.
    await join(gone, r.id);
    for (const c of Object.values(channels)) c.close();
  });

  it("keeps a banned user out: no join, no add, no invite; an unban lets them in again", async () => {
    const r = await staffedRoom();
    const troll = await signup("troll");
    expect((await api(`/api/rooms/${r.id}/bans/${troll.id}`, { method: "PUT", token: people.owner.token })).status).toBe(204);
    expect((await api(`/api/rooms/${r.id}/bans/${troll.id}`, { method: "PUT", token: people.owner.token })).status).toBe(204);
    const bans = (await api(`/api/rooms/${r.id}/bans`, { token: people.moderator.token })).json.bans;
    expect(bans).toEqual([{ userId: troll.id, username: troll.username, bannedBy: people.owner.id, createdAt: expect.any(String) }]);

    const joined = await api(`/api/rooms/${r.id}/join`, { method: "POST", token: troll.token });
    expect([joined.status, joined.json.error.code]).toEqual([403, "banned"]);
    for (const who of [people.member, people.owner]) {
      const added = await api(`/api/rooms/${r.id}/members`, { token: who.token, body: { username: troll.username } });
      expect([added.status, added.json.error.code]).toEqual([403, "banned"]);
    }
    expect((await api(`/api/rooms/${r.id}/ticket`, { method: "POST", token: troll.token })).json.error.code).toBe("banned");

    expect((await api(`/api/rooms/${r.id}/bans/${troll.id}`, { method: "DELETE", token: people.moderator.token })).status).toBe(204);
    expect((await api(`/api/rooms/${r.id}/bans/${troll.id}`, { method: "DELETE", token: people.moderator.token })).json.error.code).toBe("not_banned");
    await join(troll, r.id);
  });
});

describe("archived rooms", () => {
  it("refuse every write with room_archived on REST, the socket, SignalR and Connect, stay readable, and leave Browse", async () => {
    const r = await staffedRoom();
    const first = (await post(people.member, r.id, "before the archive")).json;
    const live = await connect(people.member, r.id);
    const hub = await HubClient.open(people.member);
    const archived = await api(`/api/rooms/${r.id}/archive`, { method: "POST", token: people.owner.token });
    expect([archived.status, archived.json.archived]).toEqual([200, true]);

    const sent = await post(people.member, r.id, "after");
    expect([sent.status, sent.json.error.code]).toEqual([403, "room_archived"]);
    const edit = await api(`/api/rooms/${r.id}/messages/${first.seq}`, { method: "PATCH", token: people.member.token, body: { body: "edited" } });
    expect([edit.status, edit.json.error.code]).toEqual([403, "room_archived"]);
    const removal = await api(`/api/rooms/${r.id}/messages/${first.seq}`, { method: "DELETE", token: people.owner.token });
    expect(removal.json.error.code).toBe("room_archived");
    expect(await live.socket.sendMessage("on the socket", "arch-1")).toMatchObject({ type: "error", code: "room_archived", clientId: "arch-1" });
    expect(await live.socket.ask({ type: "react", clientId: "arch-2", seq: first.seq, emoji: "👍", on: true })).toMatchObject({ code: "room_archived" });
    expect(live.socket.closed).toBeNull();
    expect((await hub.invoke("SendMessage", r.id, "on the hub")).error).toMatch(/^room_archived: /);
    expect(await connectError(chat(people.member).sendMessage({ roomId: r.id, body: "on Connect" }))).toEqual(["PermissionDenied", "room_archived"]);

    // Readable, hidden from Browse, listed as archived, and closed to newcomers.
    expect((await api(`/api/rooms/${r.id}/messages`, { token: people.member.token })).json.messages.map((m: { body: string }) => m.body)).toEqual([first.body]);
    expect((await api("/api/rooms/public", { token: people.outsider.token })).json.rooms.some((x: { id: string }) => x.id === r.id)).toBe(false);
    expect((await api("/api/rooms", { token: people.member.token })).json.rooms.find((x: { id: string }) => x.id === r.id).archived).toBe(true);
    expect((await api(`/api/rooms/${r.id}/join`, { method: "POST", token: people.outsider.token })).json.error.code).toBe("room_archived");
    expect((await api(`/api/rooms/${r.id}/uploads`, { token: people.member.token, body: { name: "a.txt", type: "text/plain", size: 3 } })).json.error.code).toBe("room_archived");

    const back = await api(`/api/rooms/${r.id}/archive`, { method: "DELETE", token: people.owner.token });
    expect([back.status, back.json.archived]).toEqual([200, undefined]);
    expect((await post(people.member, r.id, "after the archive")).status).toBe(201);
    expect(await live.socket.sendMessage("live again", "arch-3")).toMatchObject({ type: "ack" });
    live.socket.close();
    hub.close();
  });
});

describe("public room names", () => {
  it("are unique whatever their case, on create, rename and when a room is made public", async () => {
    const name = uniqueName("Lounge");
    const first = await createRoom(people.owner, "public", name);
    for (const clash of [name.toLowerCase(), name.toUpperCase()]) {
      const res = await api("/api/rooms", { token: people.member.token, body: { name: clash, visibility: "public" } });
      expect([res.status, res.json.error.code], clash).toEqual([409, "room_name_taken"]);
    }
    const hidden = await createRoom(people.member, "private", name.toUpperCase());
    const opened = await api(`/api/rooms/${hidden.id}`, { method: "PATCH", token: people.member.token, body: { visibility: "public" } });
    expect([opened.status, opened.json.error.code]).toEqual([409, "room_name_taken"]);
    const other = await createRoom(people.member, "public");
    const renamed = await api(`/api/rooms/${other.id}`, { method: "PATCH", token: people.member.token, body: { name: `  ${name.toUpperCase()} ` } });
    expect([renamed.status, renamed.json.error.code]).toEqual([409, "room_name_taken"]);
    // A room may change the case of its own name; Unicode letters fold too (SQLite's lower() would not).
    const recased = await api(`/api/rooms/${first.id}`, { method: "PATCH", token: people.owner.token, body: { name: name.toUpperCase() } });
    expect([recased.status, recased.json.name]).toEqual([200, name.toUpperCase()]);
    const cafe = `CAFÉ ${uniqueName("x")}`;
    await createRoom(people.owner, "public", cafe);
    expect((await api("/api/rooms", { token: people.member.token, body: { name: cafe.toLowerCase(), visibility: "public" } })).status).toBe(409);
    // Once the first is private, the name is free.
    expect((await api(`/api/rooms/${first.id}`, { method: "PATCH", token: people.owner.token, body: { visibility: "private" } })).json.visibility).toBe("private");
    expect((await api(`/api/rooms/${hidden.id}`, { method: "PATCH", token: people.member.token, body: { visibility: "public" } })).status).toBe(200);
  });

  it("are made unique by the migration in an older deployment: the oldest keeps the name, later ones get their id", async () => {
    const migrations = env.TEST_MIGRATIONS;
    const at = migrations.findIndex((m) => m.name.startsWith("0012"));
    // A scratch SQLite (a call object's, which shares no table name with D1's schema) at 0011.
    const scratch = env.CALLS.getByName(`migration-${crypto.randomUUID()}`);
    const names = await runInDurableObject(scratch, (_instance, state) => {
      const sql = state.storage.sql;
      for (const m of migrations.slice(0, at)) for (const q of m.queries) sql.exec(q);
      sql.exec("INSERT INTO users (id, username, password_hash, salt, created_at) VALUES ('u_1', 'old', '', '', 0)");
      const rooms: [string, string, string, number][] = [["r_b", "General", "public", 2], ["r_a", "general", "public", 1], ["r_c", "GENERAL", "private", 3], ["r_d", "Other", "public", 4]];
      for (const [id, name, visibility, at] of rooms) {
        sql.exec("INSERT INTO rooms (id, name, visibility, created_by, created_at) VALUES (?, ?, ?, 'u_1', ?)", id, name, visibility, at);
        sql.exec("INSERT INTO memberships (room_id, user_id, role, joined_at, notify) VALUES (?, 'u_1', 'owner', ?, 'muted')", id, at);
      }
      for (const q of migrations[at]!.queries) sql.exec(q);
      return {
        rooms: sql.exec("SELECT id, name, name_key FROM rooms ORDER BY id").toArray(),
        kept: sql.exec("SELECT count(*) AS n FROM memberships WHERE notify = 'muted' AND role = 'owner'").one().n,
      };
    });
    expect(names).toEqual({
      rooms: [
        { id: "r_a", name: "general", name_key: "general" },
        { id: "r_b", name: "General (r_b)", name_key: "general (r_b)" },
        { id: "r_c", name: "GENERAL", name_key: "general" },
        { id: "r_d", name: "Other", name_key: "other" },
      ],
      kept: 4,
    });
  });
});

describe("deleting a room", () => {
  it("closes every socket with 4005, tells every member's channel, and removes its messages from D1, its uploads from R2, its log and its call", async () => {
    const r = await staffedRoom();
    const grant = await api(`/api/rooms/${r.id}/uploads`, { token: people.member.token, body: { name: "a.png", type: "image/png", size: 29 } });
    expect(grant.status, grant.text).toBe(201);
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0]);
    expect((await SELF.fetch(grant.json.uploadUrl, { method: "PUT", body: png, headers: { "Content-Type": "image/png" } })).status).toBe(201);
    const media = await api(`/api/rooms/${r.id}/messages`, { token: people.member.token, body: { kind: "image", clientId: "pic", attachment: { uploadId: grant.json.uploadId } } });
    expect(media.status, media.text).toBe(201);
    for (let i = 0; i < 3; i++) await post(people.owner, r.id, `searchable ${i} zebra`);
    await env.ROOMS.getByName(r.id).flush();
    expect((await env.MEDIA.list({ prefix: `rooms/${r.id}/` })).objects).toHaveLength(1);
    const inD1 = () => env.DB.prepare("SELECT count(*) AS n FROM messages WHERE room_id = ?").bind(r.id).first<{ n: number }>();
    expect((await inD1())?.n).toBe(4);
    expect((await env.DB.prepare("SELECT count(*) AS n FROM message_index WHERE message_index MATCH 'zebra'").first<{ n: number }>())?.n).toBe(3);
    const peer = await api(`/api/rooms/${r.id}/calls/peer`, { method: "POST", token: people.member.token });
    expect(peer.status, peer.text).toBe(200);

    const sockets = [await connect(people.owner, r.id), await connect(people.member, r.id)];
    const told = await channel(people.moderator);
    const streaming = stream(people.moderator, r.id);
    await streaming.live;
    expect((await api(`/api/rooms/${r.id}`, { method: "DELETE", token: people.owner.token })).status).toBe(204);
    for (const s of sockets) expect(await s.socket.waitClose()).toMatchObject({ code: 4005 });
    expect(await told.nextOfType("room-removed")).toEqual({ type: "room-removed", roomId: r.id, reason: "deleted" });
    expect(await streaming.ended).toEqual(["NotFound", "room_not_found"]);

    expect((await inD1())?.n).toBe(0);
    const indexed = await env.DB.prepare("SELECT count(*) AS n FROM message_index WHERE message_index MATCH 'zebra'").first<{ n: number }>();
    expect(indexed?.n).toBe(0);
    expect((await env.MEDIA.list({ prefix: `rooms/${r.id}/` })).objects).toEqual([]);
    expect((await api(`/api/rooms/${r.id}`, { token: people.member.token })).status).toBe(404);
    expect((await api("/api/rooms", { token: people.member.token })).json.rooms.some((x: { id: string }) => x.id === r.id)).toBe(false);
    const left = await runInDurableObject(env.ROOMS.getByName(r.id), (_i, state) => ({
      messages: state.storage.sql.exec("SELECT count(*) AS n FROM messages").one().n,
      uploads: state.storage.sql.exec("SELECT count(*) AS n FROM uploads").one().n,
    }));
    expect(left).toEqual({ messages: 0, uploads: 0 });
    const peers = await runInDurableObject(env.CALLS.getByName(r.id), (_i, state) => state.storage.sql.exec("SELECT count(*) AS n FROM peers").one().n);
    expect(peers).toBe(0);
    // A socket let through by a membership answer cached before the deletion finds no room.
    expect((await api(`/api/rooms/${r.id}/messages`, { token: people.member.token })).status).toBe(404);
    told.close();
  });
});
