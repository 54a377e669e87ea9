/**
 * Instance administration (issue #19 items 1, 2 and the admin part of 6; docs/admin.md): the
 * first account becomes the administrator, the sign-up modes and invites, roles, deactivation
 * at the next request of every protocol, and 403 for everyone else on every admin route.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { api, connect, createRoom, join, signup, uniqueName, type TestUser } from "./helpers";

const PASSWORD = "correct horse battery";
let admin: TestUser;
let member: TestUser;

async function signupWith(body: Record<string, unknown>) {
  return api("/api/auth/signup", { body: { username: uniqueName("new"), password: PASSWORD, ...body } });
}

async function setMode(mode: string) {
  const res = await api("/api/admin/settings", { method: "PUT", token: admin.token, body: { signupMode: mode } });
  expect(res.status, res.text).toBe(200);
}

async function invite(body: Record<string, unknown> = {}) {
  const res = await api("/api/admin/invites", { token: admin.token, body });
  expect(res.status, res.text).toBe(201);
  return res.json as { code: string; url: string; maxUses: number; uses: number; expiresAt: string };
}

beforeAll(async () => {
  // A fresh deployment without ADMIN_USERNAMES: its first account is the administrator.
  admin = await signup("admin");
  member = await signup("member");
});

describe("administrators", () => {
  it("makes the first account of a fresh deployment the administrator, and says so in GET /api/me", async () => {
    expect((await api("/api/me", { token: admin.token })).json.user.role).toBe("admin");
    expect((await api("/api/me", { token: member.token })).json.user.role).toBe("member");
  });

  it("refuses every admin route to a member (403 not_admin) and to no one signed in (401)", async () => {
    const routes: [string, string, unknown?][] = [
      ["GET", "/api/admin/users"],
      ["PUT", `/api/admin/users/${member.id}/role`, { role: "admin" }],
      ["POST", `/api/admin/users/${admin.id}/deactivate`],
      ["POST", `/api/admin/users/${admin.id}/reactivate`],
      ["GET", "/api/admin/settings"],
      ["PUT", "/api/admin/settings", { signupMode: "open" }],
      ["POST", "/api/admin/invites", {}],
      ["GET", "/api/admin/invites"],
      ["DELETE", "/api/admin/invites/abc"],
    ];
    for (const [method, path, body] of routes) {
      const asMember = await api(path, { method, token: member.token, body });
      expect([asMember.status, asMember.json?.error?.code], `${method} ${path}`).toEqual([403, "not_admin"]);
      expect((await api(path, { method, body })).status, `${method} ${path}`).toBe(401);
    }
  });

  it("grants and revokes the role; the last administrator cannot step down", async () => {
    const last = await api(`/api/admin/users/${admin.id}/role`, { method: "PUT", token: admin.token, body: { role: "member" } });
    expect([last.status, last.json.error.code]).toEqual([409, "last_admin"]);
    const other = await signup("second");
    expect((await api(`/api/admin/users/${other.id}/role`, { method: "PUT", token: admin.token, body: { role: "admin" } })).status).toBe(200);
    // At once: the next request of the new administrator is an administrator's.
    expect((await api("/api/admin/settings", { token: other.token })).status).toBe(200);
    expect((await api(`/api/admin/users/${other.id}/role`, { method: "PUT", token: admin.token, body: { role: "member" } })).status).toBe(200);
    expect((await api("/api/admin/settings", { token: other.token })).status).toBe(403);
    expect((await api(`/api/admin/users/u_nobody/role`, { method: "PUT", token: admin.token, body: { role: "admin" } })).status).toBe(404);
  });

  it("lists users with their role and state", async () => {
    const res = await api("/api/admin/users?limit=200", { token: admin.token });
    expect(res.status).toBe(200);
    const listed = res.json.users as { id: string; role: string; deactivated: boolean }[];
    expect(listed.find((u) => u.id === admin.id)).toMatchObject({ role: "admin", deactivated: false });
    expect(listed.find((u) => u.id === member.id)).toMatchObject({ role: "member", deactivated: false });
  });
});

describe("deactivation", () => {
  it("ends every session at the next request, refuses log-in with 403 account_deactivated, and keeps the messages", async () => {
    const user = await signup("leaving");
    const room = await createRoom(user, "public", uniqueName("kept"));
    const posted = await api(`/api/rooms/${room.id}/messages`, { token: user.token, body: { body: "still here later", clientId: "k1" } });
    expect(posted.status).toBe(201);
    await join(admin, room.id);
    expect((await api(`/api/admin/users/${user.id}/deactivate`, { method: "POST", token: admin.token })).status).toBe(204);

    const me = await api("/api/me", { token: user.token });
    expect([me.status, me.json.error.code]).toEqual([403, "account_deactivated"]);
    const ticket = await api(`/api/rooms/${room.id}/ticket`, { method: "POST", token: user.token });
    expect(ticket.status).toBe(403);
    const login = await api("/api/auth/login", { body: { username: user.username, password: PASSWORD } });
    expect([login.status, login.json.error.code]).toEqual([403, "account_deactivated"]);
    // A wrong password says no more than for anyone.
    expect((await api("/api/auth/login", { body: { username: user.username, password: "wrong password!" } })).status).toBe(401);
    // Their messages stay.
    const history = await api(`/api/rooms/${room.id}/messages`, { token: admin.token });
    expect(history.json.messages.map((m: { body: string }) => m.body)).toContain("still here later");

    expect((await api(`/api/admin/users/${user.id}/reactivate`, { method: "POST", token: admin.token })).status).toBe(204);
    expect((await api("/api/me", { token: user.token })).status).toBe(200);
    expect((await api("/api/auth/login", { body: { username: user.username, password: PASSWORD } })).status).toBe(200);
  });

  it("closes the account's open room sockets with 4001 at once", async () => {
    const user = await signup("socketed");
    const room = await createRoom(user, "public", uniqueName("open"));
    const { socket } = await connect(user, room.id);
    expect((await api(`/api/admin/users/${user.id}/deactivate`, { method: "POST", token: admin.token })).status).toBe(204);
    expect((await socket.waitClose(1000)).code).toBe(4001);
    // And no new one opens.
    const again = await api(`/api/rooms/${room.id}/ticket`, { method: "POST", token: user.token });
    expect([again.status, again.json.error.code]).toEqual([403, "account_deactivated"]);
  });

  it("does not let the last administrator deactivate themselves", async () => {
    const res = await api(`/api/admin/users/${admin.id}/deactivate`, { method: "POST", token: admin.token });
    expect([res.status, res.json.error.code]).toEqual([409, "last_admin"]);
  });
});

describe("sign-up modes", () => {
  it("open: anyone; closed: no one (403 signup_closed); invite: only with a good invite", async () => {
    await setMode("open");
    expect((await signupWith({})).status).toBe(201);
    await setMode("closed");
    const closed = await signupWith({});
    expect([closed.status, closed.json.error.code]).toEqual([403, "signup_closed"]);
    await setMode("invite");
    expect((await api("/api/admin/settings", { token: admin.token })).json).toEqual({ signupMode: "invite" });
    const none = await signupWith({});
    expect([none.status, none.json.error.code]).toEqual([403, "invite_required"]);
    const bad = await signupWith({ invite: "made-up" });
    expect([bad.status, bad.json.error.code]).toEqual([403, "invalid_invite"]);
    const { code, url, maxUses } = await invite({ maxUses: 2 });
    expect(url).toContain(`invite=${code}`);
    expect(maxUses).toBe(2);
    expect((await signupWith({ invite: code })).status).toBe(201);
    // A taken username does not use the invite up.
    expect((await api("/api/auth/signup", { body: { username: member.username, password: PASSWORD, invite: code } })).status).toBe(409);
    expect((await signupWith({ invite: code })).status).toBe(201);
    const used = await signupWith({ invite: code });
    expect([used.status, used.json.error.code]).toEqual([403, "invalid_invite"]);
    const listed = (await api("/api/admin/invites", { token: admin.token })).json.invites as { code: string; uses: number }[];
    expect(listed.find((i) => i.code === code)?.uses).toBe(2);
    await setMode("open");
  });

  it("revokes invites, refuses expired ones and bad invite requests", async () => {
    await setMode("invite");
    const { code } = await invite();
    expect((await api(`/api/admin/invites/${code}`, { method: "DELETE", token: admin.token })).status).toBe(204);
    expect((await api(`/api/admin/invites/${code}`, { method: "DELETE", token: admin.token })).status).toBe(404);
    expect((await signupWith({ invite: code })).json.error.code).toBe("invalid_invite");
    for (const body of [{ maxUses: 0 }, { maxUses: 1001 }, { expiresAt: new Date(Date.now() - 1000).toISOString() }, { expiresAt: new Date(Date.now() + 31 * 86_400_000).toISOString() }, { expiresAt: "soon" }]) {
      const res = await api("/api/admin/invites", { token: admin.token, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
    }
    const bad = await api("/api/admin/settings", { method: "PUT", token: admin.token, body: { signupMode: "maybe" } });
    expect(bad.status).toBe(400);
    await setMode("open");
  });
});
