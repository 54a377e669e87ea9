import type { MiddlewareHandler } from "hono";
import { TrieRouter } from "hono/router/trie-router";
import { errorResponse } from "./errors";

/**
 * Method handling and the JSON error floor, from the app's own route table (Hono's
 * `app.routes`), so that every route registered anywhere is covered without a list here:
 *
 * - a known path asked with a method it does not serve answers 405 with `Allow`;
 * - any 4xx or 5xx that is not JSON (static assets, a platform or library response, an
 *   empty body) becomes `{"error":{"code","message"}}` with the same status.
 */

interface RouteEntry {
  method: string;
  path: string;
}

/** The methods every route matching a path serves, and the path prefixes the server owns. */
export interface RouteTable {
  /** Sorted; HEAD comes with GET (Hono answers HEAD with the GET handler). Empty: no route has this path. */
  allowed(path: string): string[];
  /** Whether the path is under a prefix the server owns (`/api`, `/peerjs`, `/hubs`, …): never the client's. */
  isServerPath(path: string): boolean;
}

export function routeTable(routes: readonly RouteEntry[]): RouteTable {
  const router = new TrieRouter<string>();
  const prefixes = new Set<string>();
  for (const r of routes) {
    // Prefixes come from every route (catch-alls included): the first segment of any path
    // with more than one. Single-segment routes (/health, /stats) claim no prefix.
    const segments = r.path.split("/").filter(Boolean);
    if (segments.length > 1 && !segments[0]!.includes("*") && !segments[0]!.startsWith(":")) prefixes.add(`/${segments[0]}`);
    // Middleware (`use`) and catch-alls are registered for ALL: they are not endpoints.
    if (r.method === "ALL") continue;
    router.add("ALL", r.path, r.method.toUpperCase());
  }
  return {
    allowed(path) {
      const methods = new Set(router.match("GET", path)[0].map(([m]) => m));
      if (methods.has("GET")) methods.add("HEAD");
      return [...methods].sort();
    },
    isServerPath(path) {
      for (const p of prefixes) if (path === p || path.startsWith(`${p}/`)) return true;
      return false;
    },
  };
}

/** The route table of `routes()`, built on first use (once every route is registered) and kept. */
export function lazyRouteTable(routes: () => readonly RouteEntry[]): () => RouteTable {
  let table: RouteTable | undefined;
  return () => (table ??= routeTable(routes()));
}

export function methodNotAllowed(method: string, path: string, allowed: string[]): Response {
  return errorResponse(405, "method_not_allowed", `${method} is not served at ${path}; use ${allowed.join(", ")}`, { Allow: allowed.join(", ") });
}

/**
 * Refuses a method a known path does not serve with 405 before any other middleware (a
 * bearer check) runs.
 */
export function methodGuard(table: () => RouteTable): MiddlewareHandler {
  return async (c, next) => {
    const allowed = table().allowed(c.req.path);
    if (allowed.length > 0 && !allowed.includes(c.req.method.toUpperCase())) return methodNotAllowed(c.req.method, c.req.path, allowed);
    await next();
  };
}

const CODES: Record<number, string> = {
  400: "bad_request",
  401: "unauthorized",
  403: "forbidden",
  404: "not_found",
  405: "method_not_allowed",
  406: "not_acceptable",
  408: "request_timeout",
  409: "conflict",
  410: "gone",
  411: "length_required",
  412: "precondition_failed",
  413: "too_large",
  414: "uri_too_long",
  415: "unsupported_media_type",
  416: "range_not_satisfiable",
  426: "upgrade_required",
  429: "rate_limited",
  500: "internal",
  501: "not_implemented",
  502: "bad_gateway",
  503: "unavailable",
  504: "gateway_timeout",
};

const isJson = (type: string) => /^application\/([\w.+-]+\+)?json\s*(;|$)/i.test(type);

/**
 * Replaces any 4xx/5xx response whose body is not JSON with the JSON error shape, keeping
 * the status and headers (Allow, Retry-After, …). A short plain-text body becomes the
 * message; anything else (HTML, binary) is not echoed.
 */
export function jsonErrors(table: () => RouteTable): MiddlewareHandler {
  return async (c, next) => {
    await next();
    const res = c.res;
    if (res.status < 400 || isJson(res.headers.get("content-type") ?? "")) return;
    let message = res.statusText || `request refused (${res.status})`;
    if ((res.headers.get("content-type") ?? "").toLowerCase().startsWith("text/plain")) {
      const text = (await res.text()).trim();
      if (text && text.length <= 200) message = text;
    } else {
      await res.body?.cancel();
    }
    const headers = new Headers(res.headers);
    // Content-Range stays: on a 416 it says how long the resource is (RFC 9110 §15.5.17).
    for (const h of ["content-type", "content-length", "content-encoding", "content-disposition", "etag", "last-modified"]) headers.delete(h);
    if (res.status === 405 && !headers.has("allow")) {
      const allowed = table().allowed(c.req.path);
      headers.set("Allow", (allowed.length > 0 ? allowed : ["GET", "HEAD"]).join(", "));
    }
    c.res = undefined as unknown as Response; // lets Hono replace the response and its headers wholesale
    c.res = errorResponse(res.status, CODES[res.status] ?? (res.status >= 500 ? "internal" : "http_error"), message, headers);
  };
}
