import { expect } from "vitest";

/** REST helpers for the end-to-end tests, which talk to a real `wrangler dev` at `baseUrl`. */

export interface User {
  id: string;
  username: string;
  token: string;
}

/** GET without a body, POST with one (JSON); the status and the parsed JSON (null if none). */
export async function call(baseUrl: string, path: string, token?: string, body?: unknown) {
  const res = await fetch(`${baseUrl}${path}`, {
    method: body === undefined ? "GET" : "POST",
    headers: { "content-type": "application/json", ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json().catch(() => null)) as any };
}

let made = 0;
/** A new account, named `<prefix>_<n>_<time>`. */
export async function signup(baseUrl: string, prefix: string): Promise<User> {
  made += 1;
  const res = await call(baseUrl, "/api/auth/signup", undefined, { username: `${prefix}_${made}_${Date.now().toString(36)}`, password: "password123" });
  expect(res.status).toBe(201);
  return { ...res.json.user, token: res.json.token };
}

/** Polls `get` every 20 ms until it returns something, or fails after `ms` naming `what`. */
export async function until<T>(get: () => T | undefined, what: string, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = get();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
