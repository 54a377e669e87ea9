/**
 * A local stand-in for bots' webhook servers, for tests. It runs in Node (bound into the
 * workerd tests as the WEBHOOK_TRANSPORT service) and does what a bot's server does with
 * Hearth's calls: checks the signature (docs/bots.md, the same code as its Node sample), records
 * the call, and answers as its behaviour says.
 *
 * Control endpoints (https://bots.test/__…):
 *   POST /__hook?behaviour=B          → a new webhook {url}
 *   POST /__secret {url, secret}      → the signing secret Hearth gave for it
 *   GET  /__received                  → every call received
 * Webhooks: https://bots.test/hook/<id>, answering per behaviour:
 *   text → 200 text/plain "echo: <body>"; json → 200 {"body":"json reply"}; garbage → 200
 *   application/json that is not JSON; silent → 204; slow → 200 after 2 s (past the tests'
 *   timeout); fail → 500; flaky-N → 500 the first N times, then as `text`.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { Response, type Request } from "miniflare";

export interface ReceivedCall {
  hook: string;
  attempt: number;
  /** The signature checked out against the secret, with a timestamp within 5 minutes. */
  verified: boolean;
  delivery: string | null;
  payload: any;
}

interface Hook {
  behaviour: string;
  secret: string | null;
  attempts: number;
}

const hooks = new Map<string, Hook>();
const received: ReceivedCall[] = [];

/** docs/bots.md's verification, as a bot's server runs it. */
export function verifySignature(secret: string, timestamp: string, rawBody: string, signature: string): boolean {
  const expected = Buffer.from(`sha256=${createHmac("sha256", secret).update(`${timestamp}.${rawBody}`).digest("hex")}`);
  const given = Buffer.from(signature);
  const fresh = Math.abs(Date.now() / 1000 - Number(timestamp)) < 300;
  return fresh && given.length === expected.length && timingSafeEqual(given, expected);
}

/** The service binding's fetch handler. */
export async function webhookReceiver(request: Request): Promise<Response> {
  const url = new URL(request.url);
  if (url.pathname === "/__hook") {
    const id = randomBytes(9).toString("base64url");
    hooks.set(id, { behaviour: url.searchParams.get("behaviour") ?? "text", secret: null, attempts: 0 });
    return Response.json({ url: `https://bots.test/hook/${id}` });
  }
  if (url.pathname === "/__secret") {
    const { url: hookUrl, secret } = (await request.json()) as { url: string; secret: string };
    hooks.get(hookUrl.split("/").pop()!)!.secret = secret;
    return new Response(null, { status: 204 });
  }
  if (url.pathname === "/__received") return Response.json(received);
  const id = url.pathname.replace("/hook/", "");
  const hook = hooks.get(id);
  if (!hook) return new Response("no such hook", { status: 404 });
  hook.attempts += 1;
  const raw = await request.text();
  const verified =
    hook.secret !== null &&
    verifySignature(hook.secret, request.headers.get("x-hearth-timestamp") ?? "", raw, request.headers.get("x-hearth-signature") ?? "");
  const payload = JSON.parse(raw);
  received.push({ hook: id, attempt: hook.attempts, verified, delivery: request.headers.get("x-hearth-delivery"), payload });
  const flaky = /^flaky-(\d+)$/.exec(hook.behaviour);
  if (hook.behaviour === "fail" || (flaky && hook.attempts <= Number(flaky[1]))) return new Response("down", { status: 500 });
  if (hook.behaviour === "slow") await new Promise((r) => setTimeout(r, 2000));
  if (hook.behaviour === "json") return Response.json({ body: "json reply" });
  if (hook.behaviour === "garbage") return new Response("{not json", { headers: { "content-type": "application/json" } });
  if (hook.behaviour === "silent") return new Response(null, { status: 204 });
  return new Response(`echo: ${payload.message.body}`, { headers: { "content-type": "text/plain; charset=utf-8" } });
}
