import { describe, expect, it } from "vitest";
import { api, forgeToken, signup, uniqueName } from "./helpers";

describe("accounts", () => {
  it("signs up, logs in and identifies the user with the token", async () => {
    const username = uniqueName("alice");
    const created = await api("/api/auth/signup", { body: { username, password: "hunter2hunter2" } });
    expect(created.status).toBe(201);
    expect(created.json.user.username).toBe(username);
    expect(created.json.token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);

    const login = await api("/api/auth/login", { body: { username, password: "hunter2hunter2" } });
    expect(login.status).toBe(200);
    const me = await api("/api/me", { token: login.json.token });
    expect(me.status).toBe(200);
    expect(me.json.user).toMatchObject({ id: created.json.user.id, username });
  });

  it("treats usernames as unique ignoring case, and lower-cases them", async () => {
    const username = uniqueName("bob");
    expect((await api("/api/auth/signup", { body: { username: username.toUpperCase(), password: "password123" } })).json.user.username).toBe(username);
    const again = await api("/api/auth/signup", { body: { username, password: "password456" } });
    expect(again.status).toBe(409);
    expect(again.json.error.code).toBe("username_taken");
    const login = await api("/api/auth/login", { body: { username: username.toUpperCase(), password: "password123" } });
    expect(login.status).toBe(200);
  });

  it("refuses bad usernames and passwords with a clear 400", async () => {
    for (const username of ["ab", "a".repeat(33), "has space", "émile", "semi;colon"]) {
      const res = await api("/api/auth/signup", { body: { username, password: "password123" } });
      expect(res.status, username).toBe(400);
      expect(res.json.error.code).toBe("validation_error");
      expect(res.json.error.message).toContain("username");
    }
    const short = await api("/api/auth/signup", { body: { username: uniqueName(), password: "short" } });
    expect(short.status).toBe(400);
    expect(short.json.error.message).toContain("password");
    const missing = await api("/api/auth/signup", { body: {} });
    expect(missing.status).toBe(400);
  });

  it("answers malformed JSON with 400 bad_request", async () => {
    const res = await api("/api/auth/signup", { body: "{not json" });
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe("bad_request");
  });

  it("refuses a wrong password or unknown user with the same 401", async () => {
    const user = await signup("carol");
    const wrong = await api("/api/auth/login", { body: { username: user.username, password: "not-the-password" } });
    const unknown = await api("/api/auth/login", { body: { username: uniqueName("ghost"), password: "whatever123" } });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.json).toEqual(unknown.json);
  });

  it("refuses missing, malformed, tampered and non-session tokens", async () => {
    const user = await signup();
    expect((await api("/api/me")).status).toBe(401);
    expect((await api("/api/me", { headers: { Authorization: "Basic abc" } })).status).toBe(401);
    const [h, p, s] = user.token.split(".");
    const payload = JSON.parse(atob(p!.replace(/-/g, "+").replace(/_/g, "/")));
    const forged = btoa(JSON.stringify({ ...payload, name: "admin" })).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
    const res = await api("/api/me", { token: `${h}.${forged}.${s}` });
    expect(res.status).toBe(401);
    expect(res.json.error.code).toBe("invalid_token");
  });

  it("stores a salted PBKDF2 hash, never the password", async () => {
    const { env } = await import("cloudflare:test");
    const a = await signup();
    const b = await signup();
    const rows = await env.DB.prepare("SELECT password_hash, salt FROM users WHERE id IN (?, ?)").bind(a.id, b.id).all<{ password_hash: string; salt: string }>();
    expect(rows.results).toHaveLength(2);
    const [x, y] = rows.results;
    expect(x!.password_hash).toMatch(/^pbkdf2-sha256\$100000\$/);
    expect(x!.password_hash).not.toContain("correct horse");
    expect(x!.salt).not.toBe(y!.salt);
    expect(x!.password_hash).not.toBe(y!.password_hash);
  });
});

describe("service endpoints", () => {
  it("reports health", async () => {
    const res = await api("/health");
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ status: "healthy", service: "hearth" });
    expect(new Date(res.json.timestamp).getTime()).toBeGreaterThan(Date.now() - 60_000);
  });

  it("answers unknown API routes with 404 JSON", async () => {
    const res = await api("/api/nope");
    expect(res.status).toBe(404);
    expect(res.json.error.code).toBe("not_found");
  });

  it("serves an OpenAPI 3.1 document listing the contract paths, and a docs page", async () => {
    const res = await api("/api/openapi.json");
    expect(res.status).toBe(200);
    expect(res.json.openapi).toBe("3.1.0");
    for (const path of [
      "/api/auth/signup",
      "/api/auth/login",
      "/api/me",
      "/api/rooms",
      "/api/rooms/public",
      "/api/rooms/{id}/join",
      "/api/rooms/{id}/leave",
      "/api/rooms/{id}/members",
      "/api/dms",
      "/api/rooms/{id}/messages",
      "/api/rooms/{id}/ws",
      "/health",
      "/stats",
    ]) {
      expect(Object.keys(res.json.paths), path).toContain(path);
    }
    // Each 401 says what it means on its route: a wrong password on log-in, not a bad token.
    expect(res.json.paths["/api/auth/login"].post.responses["401"].description).toMatch(/wrong username or password/i);
    expect(res.json.paths["/api/me"].get.responses["401"].description).toMatch(/token/i);
    const docs = await api("/api/docs");
    expect(docs.status).toBe(200);
    expect(docs.headers.get("content-type")).toContain("text/html");
    expect(docs.text).toContain("/api/rooms/{id}/messages");
    expect(docs.headers.get("content-security-policy")).toContain("script-src 'self'");
  });

  it("sends security headers on every response", async () => {
    const res = await api("/health");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("x-frame-options")).toBe("DENY");
    expect(res.headers.get("referrer-policy")).toBe("no-referrer");
  });
});

describe("request bodies", () => {
  it("answers a body that is not declared as JSON with 415", async () => {
    const user = await signup();
    const res = await api("/api/rooms", { token: user.token, body: "name=x", headers: { "content-type": "text/plain" } });
    expect(res.status).toBe(415);
    expect(res.json.error.code).toBe("unsupported_media_type");
  });
});

describe("content security policy", () => {
  it("lets the client PUT to R2's S3 endpoint only when direct uploads are configured", async () => {
    const { contentSecurityPolicy, CONTENT_SECURITY_POLICY } = await import("../../worker/lib/security-headers");
    expect(contentSecurityPolicy({})).toBe(CONTENT_SECURITY_POLICY);
    const s3 = { R2_ACCESS_KEY_ID: "k", R2_SECRET_ACCESS_KEY: "s", R2_ACCOUNT_ID: "0123456789abcdef0123456789abcdef", R2_BUCKET_NAME: "b" };
    expect(contentSecurityPolicy(s3)).toContain("connect-src 'self' ws: wss: https://0123456789abcdef0123456789abcdef.r2.cloudflarestorage.com;");
    expect(contentSecurityPolicy({ ...s3, R2_ACCOUNT_ID: "evil.com; script-src *" })).toBe(CONTENT_SECURITY_POLICY);
  });
});

describe("password guessing", () => {
  it("locks a username for 15 minutes after 10 wrong passwords, even for the right one, with Retry-After", async () => {
    const user = await signup("target");
    for (let i = 0; i < 10; i++) {
      expect((await api("/api/auth/login", { body: { username: user.username, password: `guess-${i}-xx` } })).status).toBe(401);
    }
    const locked = await api("/api/auth/login", { body: { username: user.username, password: "correct horse battery" } });
    expect(locked.status).toBe(429);
    expect(locked.json.error.code).toBe("too_many_attempts");
    expect(Number(locked.headers.get("retry-after"))).toBeGreaterThan(800);
    // Other accounts are not affected.
    const other = await signup();
    expect((await api("/api/auth/login", { body: { username: other.username, password: "correct horse battery" } })).status).toBe(200);
  });

  it("counts guesses sent all at once: no more than 10 get a password check", async () => {
    const user = await signup("target");
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, i) => api("/api/auth/login", { body: { username: user.username, password: `parallel-${i}-xx` } })),
    );
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(10);
    expect(statuses.filter((s) => s === 429)).toHaveLength(20);
  });

  it("forgets earlier failures after a successful log-in, and after the window", async () => {
    const { reserveAttempt, WINDOW_MS } = await import("../../worker/auth/login-guard");
    const { env } = await import("cloudflare:test");
    const user = await signup();
    for (let i = 0; i < 9; i++) await api("/api/auth/login", { body: { username: user.username, password: "wrong-password" } });
    expect((await api("/api/auth/login", { body: { username: user.username, password: "correct horse battery" } })).status).toBe(200);
    expect((await api("/api/auth/login", { body: { username: user.username, password: "wrong-password" } })).status).toBe(401);
    expect((await api("/api/auth/login", { body: { username: user.username, password: "correct horse battery" } })).status).toBe(200);
    const t0 = Date.now();
    for (let i = 0; i < 10; i++) expect(await reserveAttempt(env.DB, "someone_else", t0)).toBe(0);
    expect(await reserveAttempt(env.DB, "someone_else", t0 + 1000)).toBe(WINDOW_MS - 1000);
    // A new window starts the count again.
    for (let i = 0; i < 10; i++) expect(await reserveAttempt(env.DB, "someone_else", t0 + WINDOW_MS + i)).toBe(0);
    expect(await reserveAttempt(env.DB, "someone_else", t0 + WINDOW_MS + 10)).toBeGreaterThan(0);
  });
});

describe("session tokens", () => {
  it("accepts a well-signed session and refuses it once expired, with another secret, type or algorithm", async () => {
    const user = await signup();
    const now = Math.floor(Date.now() / 1000);
    const claims = { sub: user.id, name: user.username, typ: "session", iat: now, exp: now + 60 };
    expect((await api("/api/me", { token: await forgeToken(claims) })).status).toBe(200);
    expect((await api("/api/me", { token: await forgeToken({ ...claims, exp: now - 1 }) })).status).toBe(401);
    expect((await api("/api/me", { token: await forgeToken(claims, "another-secret-that-is-at-least-32-chars!") })).status).toBe(401);
    expect((await api("/api/me", { token: await forgeToken({ ...claims, typ: "ticket" }) })).status).toBe(401);
    expect((await api("/api/me", { token: await forgeToken(claims, undefined, { alg: "none", typ: "JWT" }) })).status).toBe(401);
    expect((await api("/api/me", { token: "a.b" })).status).toBe(401);
  });
});
