import type { MiddlewareHandler } from "hono";
import type { Env } from "../env";

/**
 * The client's Content-Security-Policy: scripts only from Hearth's origin, no plugins, no
 * framing. Styles allow inline attributes (Preact's `style=` and the emoji picker's shadow
 * styles); user text is never rendered as HTML in the first place.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "media-src 'self' blob:",
  "connect-src 'self' ws: wss:",
  "font-src 'self'",
  "worker-src 'self'",
  "manifest-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'self'",
].join("; ");

/**
 * The policy for this deployment: when uploads go straight to R2 with S3 presigned URLs
 * (docs/media.md), the browser must be allowed to PUT to R2's S3 endpoint.
 */
export function contentSecurityPolicy(env: Partial<Env>): string {
  if (!env.R2_ACCESS_KEY_ID || !env.R2_SECRET_ACCESS_KEY || !env.R2_ACCOUNT_ID || !env.R2_BUCKET_NAME) return CONTENT_SECURITY_POLICY;
  if (!/^[0-9a-f]{32}$/i.test(env.R2_ACCOUNT_ID)) return CONTENT_SECURITY_POLICY;
  return CONTENT_SECURITY_POLICY.replace("connect-src 'self' ws: wss:", `connect-src 'self' ws: wss: https://${env.R2_ACCOUNT_ID}.r2.cloudflarestorage.com`);
}

/** Adds security headers to every response that is not a WebSocket upgrade. */
export const securityHeaders: MiddlewareHandler<{ Bindings: Env }> = async (c, next) => {
  await next();
  if (c.res.status === 101) return;
  // Responses from fetch() (static assets, Durable Objects) have immutable headers.
  const res = new Response(c.res.body, c.res);
  const h = res.headers;
  h.set("X-Content-Type-Options", "nosniff");
  h.set("Referrer-Policy", "no-referrer");
  h.set("X-Frame-Options", "DENY");
  h.set("Cross-Origin-Opener-Policy", "same-origin");
  h.set("Permissions-Policy", "camera=(self), microphone=(self), geolocation=(), payment=()");
  if (new URL(c.req.url).protocol === "https:") h.set("Strict-Transport-Security", "max-age=31536000; includeSubDomains");
  const type = h.get("content-type") ?? "";
  // Documents and scripts (a service worker's policy comes with its script) get the app's policy.
  if (type.includes("text/html") || type.includes("javascript")) h.set("Content-Security-Policy", contentSecurityPolicy(c.env));
  // Anything else (JSON, media, client files) is never a document: if opened as one, it runs nothing.
  else h.set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'; sandbox");
  c.res = res;
};
