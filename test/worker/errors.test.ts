import { SELF, createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import app from "../../worker/index";
import { BASE } from "./helpers";

const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"];

async function call(method: string, path: string) {
  const res = await SELF.fetch(`${BASE}${path}`, { method });
  const text = await res.text();
  let json: any = null;
  try {
    json = JSON.parse(text);
  } catch {
    // asserted below
  }
  return { status: res.status, type: res.headers.get("content-type") ?? "", allow: res.headers.get("allow"), json, text };
}

/** Asserts the `{"error":{"code","message"}}` shape with a JSON content type. */
function expectJsonError(res: Awaited<ReturnType<typeof call>>, what: string) {
  expect(res.type, `${what}: content-type (body ${res.text.slice(0, 100)})`).toMatch(/^application\/json/);
  expect(typeof res.json?.error?.code, `${what}: error.code in ${res.text.slice(0, 100)}`).toBe("string");
  expect(typeof res.json?.error?.message, `${what}: error.message`).toBe("string");
}

const sortedAllow = (allow: string | null) => (allow ?? "").split(",").map((m) => m.trim()).filter(Boolean).sort();

/**
 * Every method+path the app serves, from Hono's own route table (middleware and catch-alls
 * are registered for ALL and are not endpoints), with the params filled in.
 */
function endpoints(): Map<string, Set<string>> {
  const byPattern = new Map<string, Set<string>>();
  for (const r of app.routes) {
    if (r.method === "ALL") continue;
    const set = byPattern.get(r.path) ?? new Set<string>();
    set.add(r.method.toUpperCase());
    byPattern.set(r.path, set);
  }
  return byPattern;
}

/** The methods every registered pattern matching `path` serves (HEAD comes with GET). */
function expectedAllow(path: string, table: Map<string, Set<string>>): string[] {
  const out = new Set<string>();
  for (const [pattern, methods] of table) {
    const re = new RegExp(`^${pattern.replace(/[.]/g, "\\.").replace(/:[A-Za-z_]\w*/g, "[^/]+")}$`);
    if (re.test(path)) for (const m of methods) out.add(m);
  }
  if (out.has("GET")) out.add("HEAD");
  return [...out].sort();
}

const concrete = (pattern: string) => pattern.replace(/:[A-Za-z_]\w*/g, (p) => (p === ":uploadId" ? "f_0000000000000000000000000" : "r_0000000000000000000000000"));

describe("every error is JSON", () => {
  it("walks every registered route: a method it does not serve is 405 JSON with Allow listing the ones it does", async () => {
    const table = endpoints();
    const patterns = [...table.keys()];
    // The walk covers the whole class: the non-API endpoints and the API alike.
    expect(patterns).toEqual(expect.arrayContaining(["/health", "/stats", "/signalr/health", "/hubs/chat/negotiate", "/hubs/chat", "/peerjs/:key/id", "/api/rooms/:id/ws"]));
    expect(patterns.filter((p) => !p.startsWith("/api/")).length).toBeGreaterThanOrEqual(9);
    for (const pattern of patterns) {
      const path = concrete(pattern);
      const allow = expectedAllow(path, table);
      for (const method of METHODS.filter((m) => !allow.includes(m))) {
        const res = await call(method, path);
        const what = `${method} ${path}`;
        expect(res.status, `${what}: ${res.text.slice(0, 120)}`).toBe(405);
        expectJsonError(res, what);
        expect(res.json.error.code, what).toBe("method_not_allowed");
        expect(sortedAllow(res.allow), `${what}: Allow`).toEqual(allow);
      }
    }
  });

  it("answers the issue's examples with 405 JSON and the right Allow, before any authentication", async () => {
    const cases: [string, string, string[]][] = [
      ["POST", "/health", ["GET", "HEAD"]],
      ["PUT", "/stats", ["GET", "HEAD"]],
      ["DELETE", "/signalr/health", ["GET", "HEAD"]],
      ["POST", "/signalr/health", ["GET", "HEAD"]],
      ["GET", "/hubs/chat/negotiate", ["POST"]],
      ["PUT", "/hubs/chat/negotiate", ["POST"]],
      ["POST", "/hubs/chat", ["GET", "HEAD"]],
      ["POST", "/peerjs/peerjs/id", ["GET", "HEAD"]],
      ["DELETE", "/peerjs/peerjs/peers", ["GET", "HEAD"]],
      ["POST", "/peerjs/peerjs", ["GET", "HEAD"]],
      ["POST", "/peerjs", ["GET", "HEAD"]],
      // Connect: unary and server-streaming methods are POST only.
      ["GET", "/hearth.v1.ChatService/SendMessage", ["POST"]],
      ["PUT", "/hearth.v1.ChatService/StreamMessages", ["POST"]],
      ["DELETE", "/hearth.v1.ChatService/GetStats", ["POST"]],
      // API routes behind a bearer check: the method is refused first.
      ["DELETE", "/api/me", ["GET", "HEAD", "PATCH"]],
      ["GET", "/api/auth/login", ["POST"]],
      ["PATCH", "/api/rooms", ["GET", "HEAD", "POST"]],
      ["DELETE", "/api/rooms/r_x/messages", ["GET", "HEAD", "POST"]],
      ["GET", "/api/rooms/r_x/uploads/f_x", ["PUT"]],
      ["POST", "/api/rooms/r_x/ws", ["GET", "HEAD"]],
      ["PUT", "/api/openapi.json", ["GET", "HEAD"]],
    ];
    for (const [method, path, allow] of cases) {
      const res = await call(method, path);
      const what = `${method} ${path}`;
      expect(res.status, `${what}: ${res.text.slice(0, 120)}`).toBe(405);
      expectJsonError(res, what);
      expect(sortedAllow(res.allow), `${what}: Allow`).toEqual(allow);
    }
  });

  it("answers unknown paths under the server's prefixes with 404 JSON", async () => {
    for (const [method, path] of [
      ["GET", "/api/nothing-here"],
      ["POST", "/api/nothing-here"],
      ["GET", "/peerjs/peerjs/id/extra"],
      ["GET", "/peerjs/a/b/c"],
      ["GET", "/hubs/other"],
      ["POST", "/hubs/other/negotiate"],
      ["GET", "/signalr/other"],
      ["POST", "/hearth.v1.ChatService/NoSuchMethod"],
      ["GET", "/hearth.v1.ChatService/NoSuchMethod"],
    ]) {
      const res = await call(method!, path!);
      const what = `${method} ${path}`;
      expect(res.status, `${what}: ${res.text.slice(0, 120)}`).toBe(404);
      expectJsonError(res, what);
      expect(res.json.error.code, what).toBe("not_found");
    }
  });

  it("keeps the upgrade paths' own JSON errors for a plain GET", async () => {
    for (const [path, status] of [
      ["/hubs/chat", 400],
      ["/peerjs/peerjs", 400],
      ["/api/rooms/r_0000000000000000000000000/ws", 400],
    ] as const) {
      const res = await call("GET", path);
      expect(res.status, `${path}: ${res.text}`).toBe(status);
      expectJsonError(res, path);
      expect(res.json.error.code).not.toBe("method_not_allowed");
    }
  });

  /** The worker with a stand-in for the static client (the test build has none). */
  async function withAssets(assets: (req: Request) => Response, method: string, path: string) {
    const ctx = createExecutionContext();
    const res = await app.fetch(new Request(`${BASE}${path}`, { method }), { ...env, ASSETS: { fetch: async (r: Request) => assets(r) } }, ctx);
    await waitOnExecutionContext(ctx);
    return res;
  }

  it("still serves the single-page app for GET of a client path, and refuses other methods there with 405 JSON", async () => {
    const spa = () => new Response("<!doctype html><title>Hearth</title>", { headers: { "content-type": "text/html; charset=utf-8" } });
    for (const path of ["/", "/rooms/r_123", "/login", "/health/extra"]) {
      const res = await withAssets(spa, "GET", path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get("content-type"), path).toContain("text/html");
      expect(await res.text()).toContain("<title>Hearth</title>");
    }
    for (const method of ["POST", "PUT", "DELETE"]) {
      const res = await withAssets(spa, method, "/rooms/r_123");
      expect(res.status, method).toBe(405);
      expect(res.headers.get("content-type")).toMatch(/^application\/json/);
      expect(sortedAllow(res.headers.get("allow"))).toEqual(["GET", "HEAD"]);
      expect(((await res.json()) as any).error.code).toBe("method_not_allowed");
    }
  });

  it("turns a non-JSON error from anywhere (here the static assets) into the JSON shape, keeping the status", async () => {
    for (const [status, body, type] of [
      [404, "Not Found", "text/plain"],
      [500, "<h1>boom</h1>", "text/html"],
      [416, "", "text/plain"],
    ] as const) {
      const headers: Record<string, string> = { "content-type": type, ...(status === 416 ? { "content-range": "bytes */1234" } : {}) };
      const res = await withAssets(() => new Response(body, { status, headers }), "GET", "/assets/missing.js");
      expect(res.status).toBe(status);
      // A 416 keeps the header that says how long the resource is.
      if (status === 416) expect(res.headers.get("content-range")).toBe("bytes */1234");
      expect(res.headers.get("content-type")).toMatch(/^application\/json/);
      const json = (await res.json()) as any;
      expect(typeof json.error.code).toBe("string");
      expect(typeof json.error.message).toBe("string");
      expect(json.error.message).not.toContain("<h1>");
    }
  });
});
