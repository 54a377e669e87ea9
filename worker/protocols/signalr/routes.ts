import { createRoute, z } from "@hono/zod-openapi";
import { ACCOUNT_DEACTIVATED, accountRole } from "../../auth/account";
import { bearerToken, sessionFrom, TOKEN_INVALID } from "../../auth/bearer";
import type { SessionUser } from "../../lib/session-user";
import type { Env } from "../../env";
import { createRouter } from "../../lib/app";
import { ApiError } from "../../lib/errors";
import { errorResponses, jsonResponse } from "../../schemas";
import { createConnection, newConnectionKey, takeConnection } from "./connection-tokens";
import { HubConnection } from "./hub";
import { queryParam } from "./names";
import { negotiateResponse, negotiateVersion } from "./negotiate";

/** The SignalR-compatible hub at /hubs/chat, and its health check at /signalr/health. */
export const signalrRoutes = createRouter();

/** A bearer token from the header, or `access_token` (what browsers' SignalR clients send on WebSockets). */
async function bearer(env: Env, req: Request): Promise<SessionUser> {
  const token = bearerToken(req.headers.get("Authorization")) ?? queryParam(req.url, "access_token");
  const user = await sessionFrom(env, token);
  if (user === "missing") throw new ApiError(401, "unauthorized", "send the session token (accessTokenFactory)");
  if (user === "invalid") throw new ApiError(401, "invalid_token", TOKEN_INVALID);
  if (user === "deactivated") throw new ApiError(403, "account_deactivated", ACCOUNT_DEACTIVATED);
  return user;
}

signalrRoutes.openapi(
  createRoute({
    method: "post",
    path: "/hubs/chat/negotiate",
    tags: ["signalr"],
    security: [{ bearer: [] }],
    summary: "SignalR negotiate (versions 0 and 1): WebSockets transport, JSON hub protocol",
    description:
      "Without `negotiateVersion` the answer is version 0: a `connectionId` to connect with (`?id=`). From version 1 it adds a secret `connectionToken`, which is the `id` to connect with. Either opens one connection within 60 seconds.",
    request: { query: z.object({ negotiateVersion: z.string().optional() }) },
    responses: {
      200: jsonResponse(
        z.union([
          z.object({
            negotiateVersion: z.number(),
            connectionId: z.string(),
            connectionToken: z.string().optional(),
            availableTransports: z.array(z.object({ transport: z.string(), transferFormats: z.array(z.string()) })),
          }),
          z.object({ error: z.string() }),
        ]),
        "How to connect (or why not)",
      ),
      ...errorResponses(401),
    },
  }),
  async (c) => {
    const user = await bearer(c.env, c.req.raw);
    const negotiated = negotiateVersion(queryParam(c.req.url, "negotiateVersion"));
    if ("error" in negotiated) return c.json({ error: negotiated.error }, 200);
    // As in ASP.NET Core: version 0 connects with the connectionId, version 1 with a separate secret token.
    const connectionId = newConnectionKey();
    const connectionToken = negotiated.version >= 1 ? newConnectionKey() : connectionId;
    await createConnection(c.env.DB, connectionToken, user);
    return c.json(negotiateResponse(negotiated.version, connectionId, connectionToken), 200);
  },
);

signalrRoutes.get("/hubs/chat", async (c) => {
  if (c.req.header("Upgrade")?.toLowerCase() !== "websocket") {
    throw new ApiError(400, "bad_request", "this hub only speaks the WebSockets transport; negotiate first");
  }
  const id = queryParam(c.req.url, "id");
  let user: SessionUser | null;
  if (id) {
    // A negotiated connection opens once: a second socket, or an unknown or expired id, gets 404 as in ASP.NET Core.
    user = await takeConnection(c.env.DB, id);
    if (!user) throw new ApiError(404, "no_connection", "No Connection with that ID (unknown, expired or already used); negotiate again");
    // The account as it is now (deactivated since negotiate?), and its role: a bot's messages say so.
    const role = await accountRole(c.env, user);
    if (role === "deactivated" || role === "gone") throw new ApiError(403, "account_deactivated", ACCOUNT_DEACTIVATED);
    user = { ...user, role };
  } else {
    user = await bearer(c.env, c.req.raw); // skipNegotiation clients
  }
  const { 0: client, 1: server } = new WebSocketPair();
  server.accept();
  new HubConnection(c.env, user, server);
  return new Response(null, { status: 101, webSocket: client });
});

signalrRoutes.openapi(
  createRoute({
    method: "get",
    path: "/signalr/health",
    tags: ["system"],
    summary: "SignalR hub liveness",
    responses: {
      200: jsonResponse(z.object({ status: z.literal("healthy"), service: z.literal("signalr"), hub: z.string(), timestamp: z.string() }), "Healthy"),
    },
  }),
  (c) => c.json({ status: "healthy" as const, service: "signalr" as const, hub: "/hubs/chat", timestamp: new Date().toISOString() }, 200),
);
