/**
 * Bots and webhooks (issue #19 items 4 and 5; docs/bots.md): administrators' bot routes and who
 * else they refuse, bot tokens on every protocol (rotated and revoked at once), `bot: true` on
 * bots' messages, outgoing webhooks through the room's alarm to a local receiver that checks
 * their signatures (replies, timeouts, 500s, no bot loops), and incoming webhooks.
 */
import { env, runDurableObjectAlarm, SELF } from "cloudflare:test";
import { createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";
import { beforeAll, describe, expect, it } from "vitest";
import { ChatService } from "../../worker/protocols/connect/gen/hearth/v1/chat_pb";
import { api, BASE, bearerProtocols, connect, createRoom, join, signup, TestSocket, uniqueName, upgrade, type TestUser } from "./helpers";
import { HubClient } from "./hub-client";
import { TEST_RATE_BURST } from "./limits";

interface ReceivedCall {
  hook: string;
  attempt: number;
  verified: boolean;
  delivery: string | null;
  payload: any;
}

let admin: TestUser;
let member: TestUser;

beforeAll(async () => {
  // The file's first account administers this fresh deployment (docs/admin.md).
  admin = await signup("admin");
  member = await signup("member");
});

/** A new bot, as a user whose token is the bot's. */
async function newBot(name = uniqueName("bot")): Promise<TestUser> {
  const res = await api("/api/admin/bots", { token: admin.token, body: { name } });
  expect(res.status, res.text).toBe(201);
  expect(res.json.token).toMatch(/^hb_u_[0-9a-z]{25}\.[\w-]{43}$/);
  return { id: res.json.bot.id, username: res.json.bot.username, token: res.json.token };
}

async function addToRoom(roomId: string, by: TestUser, username: string) {
  const res = await api(`/api/rooms/${roomId}/members`, { token: by.token, body: { username } });
  expect(res.status, res.text).toBe(201);
}

const say = (u: TestUser, roomId: string, body: string, extra: Record<string, unknown> = {}) =>
  api(`/api/rooms/${roomId}/messages`, { token: u.token, body: { body, clientId: crypto.randomUUID(), ...extra } });

async function history(roomId: string, as: TestUser = admin) {
  const res = await api(`/api/rooms/${roomId}/messages?limit=100`, { token: as.token });
  expect(res.status, res.text).toBe(200);
  return (res.json.messages as any[]).slice().reverse();
}

const receiver = (path: string, init?: RequestInit) => env.WEBHOOK_TRANSPORT!.fetch(`https://bots.test${path}`, init);

/** A webhook on the local receiver answering as `behaviour`, set as `bot`'s; the receiver learns the secret Hearth gives. */
async function hookUp(bot: TestUser, behaviour: string): Promise<string> {
  const { url } = (await (await receiver(`/__hook?behaviour=${behaviour}`, { method: "POST" })).json()) as { url: string };
  const res = await api(`/api/admin/bots/${bot.id}/webhook`, { method: "PUT", token: admin.token, body: { url } });
  expect(res.status, res.text).toBe(200);
  expect(res.json).toEqual({ url, secret: expect.stringMatching(/^whsec_[\w-]{43}$/) });
  await receiver("/__secret", { method: "POST", body: JSON.stringify({ url, secret: res.json.secret }) });
  return url.split("/").pop()!;
}

async function callsTo(hook: string): Promise<ReceivedCall[]> {
  return ((await (await receiver("/__received")).json()) as ReceivedCall[]).filter((c) => c.hook === hook);
}

/** Runs the room's alarm now (if it has not run by itself), which makes the webhook calls. */
async function runAlarm(roomId: string) {
  await runDurableObjectAlarm(env.ROOMS.getByName(roomId));
}

async function eventually<T>(check: () => Promise<T | undefined>, what: string, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await check();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** ChatService through the official Connect client, over the worker's own fetch. */
function chatAs(user: TestUser) {
  return createClient(
    ChatService,
    createConnectTransport({
      baseUrl: BASE,
      // connect-web asks for redirect "error", which workerd does not implement.
      fetch: (input, init) => SELF.fetch(input as string, { ...init, redirect: "manual" }),
      interceptors: [(next) => (req) => (req.header.set("Authorization", `Bearer ${user.token}`), next(req))],
    }),
  );
}

/** A room of the administrator's with `member` and the bot in it. */
async function roomWith(bot: TestUser) {
  const room = await createRoom(admin, "public", uniqueName("room"));
  await join(member, room.id);
  await addToRoom(room.id, admin, bot.username);
  return room;
}

describe("bot administration", () => {
  it("refuses every bot route to members, bots and deactivated users (403) and to no one signed in (401)", async () => {
    const bot = await newBot();
    const gone = await signup("gone");
    expect((await api(`/api/admin/users/${gone.id}/deactivate`, { method: "POST", token: admin.token })).status).toBe(204);
    const routes: [string, string, unknown?][] = [
      ["GET", "/api/admin/bots"],
      ["POST", "/api/admin/bots", { name: uniqueName("nope") }],
      ["DELETE", `/api/admin/bots/${bot.id}`],
      ["POST", `/api/admin/bots/${bot.id}/token`],
      ["PUT", `/api/admin/bots/${bot.id}/webhook`, { url: null }],
    ];
    for (const [method, path, body] of routes) {
      for (const [who, token, answer] of [
        ["member", member.token, [403, "not_admin"]],
        ["bot", bot.token, [403, "not_admin"]],
        ["deactivated", gone.token, [403, "account_deactivated"]],
        ["nobody", undefined, [401, "unauthorized"]],
      ] as const) {
        const res = await api(path, { method, token, body });
        expect([res.status, res.json?.error?.code], `${who}: ${method} ${path}`).toEqual(answer);
      }
    }
    // The bot was not touched by any of them.
    expect((await api("/api/me", { token: bot.token })).json.user).toMatchObject({ id: bot.id, role: "bot" });
  });

  it("creates bots under the username rules, in the username namespace; lists them; a bot cannot log in with a password", async () => {
    for (const name of ["room", "Ab", "has space", "x".repeat(33)]) {
      const res = await api("/api/admin/bots", { token: admin.token, body: { name } });
      expect([res.status, res.json.error.code], name).toEqual([400, "validation_error"]);
    }
    const taken = await api("/api/admin/bots", { token: admin.token, body: { name: member.username } });
    expect([taken.status, taken.json.error.code]).toEqual([409, "username_taken"]);
    const bot = await newBot("Deploy-Bot".toLowerCase() + Math.random().toString(36).slice(2, 6));
    // People cannot take a bot's name either.
    expect((await api("/api/auth/signup", { body: { username: bot.username, password: "correct horse battery" } })).status).toBe(409);
    expect((await api("/api/auth/login", { body: { username: bot.username, password: "!" } })).status).toBe(400);
    expect((await api("/api/auth/login", { body: { username: bot.username, password: "correct horse battery" } })).status).toBe(401);
    const listed = (await api("/api/admin/bots", { token: admin.token })).json.bots as any[];
    expect(listed.find((b) => b.id === bot.id)).toMatchObject({ username: bot.username, webhookUrl: null, deactivated: false });
    const users = (await api("/api/admin/users?limit=200", { token: admin.token })).json.users as any[];
    expect(users.find((u) => u.id === bot.id)?.role).toBe("bot");
  });

  it("rotating a token stops the old one at once, on REST and on its open sockets (4001)", async () => {
    const bot = await newBot();
    const room = await roomWith(bot);
    const { socket } = await connect(bot, room.id);
    const channel = await upgrade("/api/me/ws", bearerProtocols(bot));
    expect(channel.status).toBe(101);
    channel.webSocket!.accept();
    const tabs = new TestSocket(channel.webSocket!);
    const rotated = await api(`/api/admin/bots/${bot.id}/token`, { method: "POST", token: admin.token });
    expect(rotated.status).toBe(200);
    const old = await api("/api/me", { token: bot.token });
    expect([old.status, old.json.error.code]).toEqual([401, "invalid_token"]);
    expect((await socket.waitClose()).code).toBe(4001);
    expect((await tabs.waitClose()).code).toBe(4001);
    expect((await api("/api/me", { token: rotated.json.token })).status).toBe(200);
    // A token that is not one: a made-up secret for the right bot, or a JWT-looking string.
    expect((await api("/api/me", { token: `hb_${bot.id}.${"A".repeat(43)}` })).status).toBe(401);
    expect((await api("/api/me", { token: "hb_nonsense" })).status).toBe(401);
  });

  it("rotating or revoking ends the bot's SignalR hub connection at its next call, and its ChatService stream at once", async () => {
    const bot = await newBot();
    const room = await roomWith(bot);
    const hub = await HubClient.open(bot);
    expect(await hub.call("SendMessage", room.id, "before")).toMatchObject({ bot: true });
    const heard: string[] = [];
    const ended = (async () => {
      try {
        for await (const item of chatAs(bot).streamMessages({ roomId: room.id })) heard.push(item.message!.body);
        return "ended";
      } catch (err) {
        return (err as { code?: number }).code;
      }
    })();
    // The stream is open once it hears what is said.
    await eventually(async () => {
      if (heard.length === 0) await say(member, room.id, "the stream is open");
      return heard.length > 0 ? true : undefined;
    }, "the stream");
    const rotated = await api(`/api/admin/bots/${bot.id}/token`, { method: "POST", token: admin.token });
    expect(rotated.status).toBe(200);
    expect(await ended).toBe(16); // unauthenticated
    void hub.invoke("SendMessage", room.id, "after");
    await eventually(async () => hub.closedWith ?? undefined, "the hub's Close record");
    expect(hub.closedWith!.error).toMatch(/Session ended/);
    // With the new token, then revoked: the same.
    const again = await HubClient.open({ ...bot, token: rotated.json.token });
    expect(await again.call("SendMessage", room.id, "new token")).toMatchObject({ bot: true });
    expect((await api(`/api/admin/bots/${bot.id}`, { method: "DELETE", token: admin.token })).status).toBe(204);
    void again.invoke("SendMessage", room.id, "revoked");
    await eventually(async () => again.closedWith ?? undefined, "the hub's Close record");
    expect((await history(room.id)).map((m) => m.body).filter((b) => b !== "the stream is open")).toEqual(["before", "new token"]);
  });

  it("revoking a bot stops its token and closes its sockets; its messages stay and its name stays taken", async () => {
    const bot = await newBot();
    const room = await roomWith(bot);
    expect((await say(bot, room.id, "last words")).status).toBe(201);
    const { socket } = await connect(bot, room.id);
    expect((await api(`/api/admin/bots/${bot.id}`, { method: "DELETE", token: admin.token })).status).toBe(204);
    expect((await api("/api/me", { token: bot.token })).status).toBe(401);
    expect((await socket.waitClose()).code).toBe(4001);
    expect((await history(room.id)).map((m) => [m.body, m.bot])).toContainEqual(["last words", true]);
    for (const [method, path] of [
      ["DELETE", `/api/admin/bots/${bot.id}`],
      ["POST", `/api/admin/bots/${bot.id}/token`],
    ]) {
      expect((await api(path!, { method, token: admin.token })).status, `${method} ${path}`).toBe(404);
    }
    expect((await api(`/api/admin/bots/${bot.id}/webhook`, { method: "PUT", token: admin.token, body: { url: null } })).status).toBe(404);
    expect((await api("/api/admin/bots", { token: admin.token, body: { name: bot.username } })).status).toBe(409);
    expect(((await api("/api/admin/bots", { token: admin.token })).json.bots as any[]).some((b) => b.id === bot.id)).toBe(false);
  });

  it("a deactivated bot is refused (403 account_deactivated) until reactivated", async () => {
    const bot = await newBot();
    expect((await api(`/api/admin/users/${bot.id}/deactivate`, { method: "POST", token: admin.token })).status).toBe(204);
    const refused = await api("/api/me", { token: bot.token });
    expect([refused.status, refused.json.error.code]).toEqual([403, "account_deactivated"]);
    expect((await api(`/api/admin/users/${bot.id}/reactivate`, { method: "POST", token: admin.token })).status).toBe(204);
    expect((await api("/api/me", { token: bot.token })).status).toBe(200);
  });
});

describe("bots in rooms", () => {
  it("a bot added like a person posts over REST, its socket, SignalR and Connect; every message of it says bot: true", async () => {
    const bot = await newBot();
    const room = await roomWith(bot);
    const rest = await say(bot, room.id, "from REST");
    expect([rest.status, rest.json.bot, rest.json.username]).toEqual([201, true, bot.username]);
    const { socket: watcher } = await connect(member, room.id);
    const { socket } = await connect(bot, room.id);
    const ack = await socket.sendMessage("from the socket");
    expect(ack.message.bot).toBe(true);
    expect((await watcher.next((f) => f.type === "message" && f.message.body === "from the socket")).message.bot).toBe(true);
    const hub = await HubClient.open(bot);
    expect(await hub.call("SendMessage", room.id, "from the hub")).toMatchObject({ bot: true });
    hub.close();
    expect((await chatAs(bot).sendMessage({ roomId: room.id, body: "from Connect" })).message?.bot).toBe(true);
    expect((await say(member, room.id, "from a person")).json).not.toHaveProperty("bot");
    const page = await history(room.id, member);
    expect(page.map((m) => [m.body, m.bot ?? false])).toEqual([
      ["from REST", true],
      ["from the socket", true],
      ["from the hub", true],
      ["from Connect", true],
      ["from a person", false],
    ]);
    socket.close();
    watcher.close();
  });

  it("a bot is refused in a room it is not a member of, like anyone", async () => {
    const bot = await newBot();
    const room = await createRoom(admin, "private", uniqueName("private"));
    expect((await say(bot, room.id, "let me in")).status).toBe(403);
  });
});

describe("outgoing webhooks", () => {
  it("refuses webhook URLs that are not https on a public host name (the push endpoints' rule)", async () => {
    const bot = await newBot();
    for (const url of ["http://bots.test/x", "https://localhost/x", "https://127.0.0.1/x", "https://[::1]/x", "https://10.0.0.8/x", "https://printer.local/x", "https://intranet/x", "https://user:pw@bots.test/x", "not a url"]) {
      const res = await api(`/api/admin/bots/${bot.id}/webhook`, { method: "PUT", token: admin.token, body: { url } });
      expect([res.status, res.json.error.code], url).toEqual([400, "validation_error"]);
    }
    const cleared = await api(`/api/admin/bots/${bot.id}/webhook`, { method: "PUT", token: admin.token, body: { url: "" } });
    expect(cleared.json).toEqual({ url: null });
  });

  it("calls the bot when a message mentions it, signed; the reply appears in the room as the bot's reply; bots' messages call no one", async () => {
    const bot = await newBot();
    const hook = await hookUp(bot, "text");
    const room = await roomWith(bot);
    const asked = await say(member, room.id, `hey @${bot.username}, ping`);
    await say(member, room.id, "no mention here");
    await runAlarm(room.id);
    const [call, ...more] = await eventually(async () => ((await callsTo(hook)).length > 0 ? callsTo(hook) : undefined), "the webhook call");
    expect(more).toEqual([]);
    expect(call).toMatchObject({ verified: true, attempt: 1, delivery: `${room.id}:${asked.json.seq}:${bot.id}` });
    expect(call!.payload).toEqual({ room: { id: room.id, name: room.name, visibility: "public" }, message: asked.json });
    const reply = (await history(room.id)).find((m) => m.userId === bot.id);
    expect(reply).toMatchObject({ body: `echo: hey @${bot.username}, ping`, bot: true, replyTo: { seq: asked.json.seq } });
    // The reply mentions the bot, and a bot's own message names it: neither calls anyone.
    await say(bot, room.id, `@${bot.username} talking to myself`);
    await runAlarm(room.id);
    await new Promise((r) => setTimeout(r, 100));
    expect(await callsTo(hook)).toHaveLength(1);
  });

  it("calls the bot for every message of a DM with it, and posts a JSON {body} reply", async () => {
    const bot = await newBot();
    const hook = await hookUp(bot, "json");
    const dm = await api("/api/dms", { token: member.token, body: { username: bot.username } });
    expect(dm.status).toBe(200);
    const asked = await say(member, dm.json.id, "no mention needed");
    await runAlarm(dm.json.id);
    const [call] = await eventually(async () => ((await callsTo(hook)).length > 0 ? callsTo(hook) : undefined), "the DM's call");
    expect(call!.payload.room.visibility).toBe("dm");
    const reply = await eventually(async () => (await history(dm.json.id, member)).find((m) => m.userId === bot.id), "the reply");
    expect(reply).toMatchObject({ body: "json reply", bot: true, replyTo: { seq: asked.json.seq } });
    // A reply to the bot is told whole: the message it answers comes with it.
    await say(member, dm.json.id, "thanks", { replyTo: reply.seq });
    await runAlarm(dm.json.id);
    const second = await eventually(async () => (await callsTo(hook))[1], "the second call");
    expect(second.payload.message).toMatchObject({ body: "thanks", replyTo: { seq: reply.seq, userId: bot.id, excerpt: "json reply" } });
  });

  it("gives up on a webhook that does not answer in time (3 attempts); the room goes on meanwhile and loses nothing", async () => {
    const bot = await newBot();
    const hook = await hookUp(bot, "slow");
    const room = await roomWith(bot);
    await say(member, room.id, `@${bot.username} are you there?`);
    const started = Date.now();
    const alarm = runAlarm(room.id);
    // While the alarm waits on the webhook, the room answers at once.
    await new Promise((r) => setTimeout(r, 100));
    const during = Date.now();
    expect((await say(member, room.id, "still talking")).status).toBe(201);
    expect(Date.now() - during).toBeLessThan(400);
    await alarm;
    expect((await callsTo(hook)).map((c) => [c.attempt, c.verified])).toEqual([
      [1, true],
      [2, true],
      [3, true],
    ]);
    // Three timeouts of 500 ms (vitest.config.ts), with backoff in between.
    expect(Date.now() - started).toBeGreaterThanOrEqual(1500);
    const page = await history(room.id);
    expect(page.map((m) => m.body)).toEqual([`@${bot.username} are you there?`, "still talking"]);
  });

  it("retries a 500 with backoff, then gives up; one that recovers is answered; garbage and 204 are no reply", async () => {
    const down = await newBot();
    const flaky = await newBot();
    const garbage = await newBot();
    const silent = await newBot();
    const hooks = { down: await hookUp(down, "fail"), flaky: await hookUp(flaky, "flaky-1"), garbage: await hookUp(garbage, "garbage"), silent: await hookUp(silent, "silent") };
    const room = await roomWith(down);
    for (const bot of [flaky, garbage, silent]) await addToRoom(room.id, admin, bot.username);
    const asked = await say(member, room.id, `@${down.username} @${flaky.username} @${garbage.username} @${silent.username} status?`);
    await runAlarm(room.id);
    expect((await callsTo(hooks.down)).map((c) => c.attempt)).toEqual([1, 2, 3]);
    expect((await callsTo(hooks.flaky)).map((c) => c.attempt)).toEqual([1, 2]);
    expect((await callsTo(hooks.garbage)).map((c) => c.attempt)).toEqual([1]);
    expect((await callsTo(hooks.silent)).map((c) => c.attempt)).toEqual([1]);
    const page = await history(room.id);
    expect(page.map((m) => [m.username, m.body])).toEqual([
      [member.username, asked.json.body],
      [flaky.username, `echo: ${asked.json.body}`],
    ]);
  });

  it("calls no webhook of a revoked bot", async () => {
    const bot = await newBot();
    const hook = await hookUp(bot, "text");
    const room = await roomWith(bot);
    expect((await api(`/api/admin/bots/${bot.id}`, { method: "DELETE", token: admin.token })).status).toBe(204);
    await say(member, room.id, `@${bot.username} hello?`);
    await runAlarm(room.id);
    expect(await callsTo(hook)).toEqual([]);
  });
});

describe("incoming webhooks", () => {
  async function hookOf(roomId: string, by: TestUser, name = "builds") {
    const res = await api(`/api/rooms/${roomId}/webhooks`, { token: by.token, body: { name } });
    expect(res.status, res.text).toBe(201);
    return res.json as { id: string; url: string; name: string };
  }
  const post = (url: string, body: unknown) => SELF.fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

  it("a member makes a secret URL that posts {body} or Slack's {text} as the named integration, with bot: true", async () => {
    const room = await createRoom(admin, "public", uniqueName("hooks"));
    await join(member, room.id);
    const hook = await hookOf(room.id, member, "builds");
    expect(hook.url).toMatch(new RegExp(`^${BASE}/api/hooks/${hook.id}/[\\w-]{43}$`));
    const byBody = await post(hook.url, { body: "build passed" });
    expect(byBody.status).toBe(201);
    expect(await byBody.json()).toMatchObject({ body: "build passed", username: "builds", userId: hook.id, bot: true });
    expect((await post(hook.url, { text: "deployed" })).status).toBe(201);
    expect((await post(hook.url, {})).status).toBe(400);
    expect((await post(hook.url, { body: "" })).status).toBe(400);
    expect((await post(hook.url.replace(/[\w-]{43}$/, "A".repeat(43)), { body: "forged" })).status).toBe(404);
    const page = await history(room.id);
    expect(page.map((m) => [m.username, m.body, m.bot])).toEqual([
      ["builds", "build passed", true],
      ["builds", "deployed", true],
    ]);
    const listed = await api(`/api/rooms/${room.id}/webhooks`, { token: admin.token });
    expect(listed.json.webhooks).toEqual([{ id: hook.id, name: "builds", createdAt: expect.any(String), createdBy: { id: member.id, username: member.username } }]);
    expect(listed.text).not.toContain(hook.url.split("/").pop()!);
  });

  it("refuses non-members; only the creator or the owner revokes; a revoked URL answers 404", async () => {
    const room = await createRoom(admin, "public", uniqueName("hooks"));
    await join(member, room.id);
    const other = await signup("other");
    const outsider = await signup("outsider");
    await join(other, room.id);
    for (const [method, path] of [
      ["POST", `/api/rooms/${room.id}/webhooks`],
      ["GET", `/api/rooms/${room.id}/webhooks`],
    ]) {
      const res = await api(path!, { method, token: outsider.token, body: method === "POST" ? { name: "x-hook" } : undefined });
      expect([res.status, res.json.error.code], `${method} ${path}`).toEqual([403, "not_a_member"]);
      expect((await api(path!, { method, body: method === "POST" ? { name: "x-hook" } : undefined })).status).toBe(401);
    }
    const hook = await hookOf(room.id, member);
    const path = `/api/rooms/${room.id}/webhooks/${hook.id}`;
    expect((await api(path, { method: "DELETE", token: outsider.token })).status).toBe(403);
    const notMine = await api(path, { method: "DELETE", token: other.token });
    expect([notMine.status, notMine.json.error.code]).toEqual([403, "not_allowed"]);
    expect((await api(path, { method: "DELETE", token: admin.token })).status).toBe(204);
    expect((await api(path, { method: "DELETE", token: member.token })).status).toBe(404);
    expect((await post(hook.url, { body: "after revoke" })).status).toBe(404);
    // The creator revokes their own.
    const mine = await hookOf(room.id, member, "mine");
    expect((await api(`/api/rooms/${room.id}/webhooks/${mine.id}`, { method: "DELETE", token: member.token })).status).toBe(204);
    const dm = await api("/api/dms", { token: member.token, body: { username: other.username } });
    expect((await api(`/api/rooms/${dm.json.id}/webhooks`, { token: member.token, body: { name: "dm-hook" } })).json.error.code).toBe("dm_no_webhooks");
    // A hook speaks for its creator: once they are removed from the room, it posts nothing.
    const others = await hookOf(room.id, other, "others");
    expect((await post(others.url, { body: "while a member" })).status).toBe(201);
    expect((await api(`/api/rooms/${room.id}/members/${other.id}`, { method: "DELETE", token: admin.token })).status).toBe(204);
    expect((await post(others.url, { body: "after removal" })).status).toBe(404);
  });

  it("is rate limited like a user (429 with Retry-After), and its messages call no bot's webhook", async () => {
    const bot = await newBot();
    const called = await hookUp(bot, "text");
    const room = await roomWith(bot);
    const hook = await hookOf(room.id, member);
    let limited: Response | null = null;
    // The burst, plus the tokens the bucket regains meanwhile (TEST_RATE_PER_SECOND).
    for (let i = 0; i < TEST_RATE_BURST + 10 && !limited; i++) {
      const res = await post(hook.url, { body: `@${bot.username} alert ${i}` });
      if (res.status === 429) limited = res;
      else expect(res.status).toBe(201);
    }
    expect(limited?.headers.get("Retry-After")).toMatch(/^\d+$/);
    await runAlarm(room.id);
    expect(await callsTo(called)).toEqual([]);
  });
});
