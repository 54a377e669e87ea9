import { createRoute, z } from "@hono/zod-openapi";
import { bearerToken, sessionFrom, TOKEN_INVALID } from "../../auth/bearer";
import { issueTicket, verifyTicket, type SessionUser } from "../../auth/tokens";
import type { Env } from "../../env";
import { createRouter } from "../../lib/app";
import { ApiError } from "../../lib/errors";
import { errorResponses, jsonResponse } from "../../schemas";
import { HubConnection } from "./hub";

/** The SignalR-compatible hub at /hubs/chat, and its health check at /signalr/health. */
export const signalrRoutes = createRouter();

const HUB = "hub:chat";

/** A bearer token from the header, or `access_token` (what browsers' SignalR clients send on WebSockets). */
async function bearer(env: Env, req: Request): Promise<SessionUser> {
  const token = bearerToken(req.headers.get("Authorization")) ?? new URL(req.url).searchParams.get("access_token");
  const user = await sessionFrom(env.JWT_SECRET, token);
  if (user === "missing") throw new ApiError(401, "unauthorized", "send the session token (accessTokenFactory)");
  if (user === "invalid") throw new ApiError(401, "invalid_token", TOKEN_INVALID);
  return user;
}

signalrRoutes.openapi(
  createRoute({
    method: "post",
    path: "/hubs/chat/negotiate",
    tags: ["signalr"],
    security: [{ bearer: [] }],
    summary: "SignalR negotiate (version 1): WebSockets transport, JSON hub protocol",
    request: { query: z.object({ negotiateVersion: z.string().optional() }) },
    responses: {
      200: jsonResponse(
        z.object({
          negotiateVersion: z.number(),
          connectionId: z.string(),
          connectionToken: z.string(),
          availableTransports: z.array(z.object({ transport: z.string(), transferFormats: z.array(z.string()) })),
        }),
        "How to connect",
      ),
      ...errorResponses(401),
    },
  }),
  async (c) => {
    const user = await bearer(c.env, c.req.raw);
    // The connection token is a 60-second ticket for this user: the socket needs no other secret.
    const { token } = await issueTicket(c.env.JWT_SECRET, user, HUB);
    return c.json(
      {
        negotiateVersion: 1,
        connectionId: crypto.randomUUID(),
        connectionToken: token,
        availableTransports: [{ transport: "WebSockets", transferFormats: ["Text"] }],
      },
      200,
    );
  },
);

signalrRoutes.get("/hubs/chat", async (c) => {
  if (c.req.header("Upgrade")?.toLowerCase() !== "websocket") {
    throw new ApiError(400, "bad_request", "this hub only speaks the WebSockets transport; negotiate first");
  }
  const id = c.req.query("id");
  let user: SessionUser | null;
  if (id) {
    user = await verifyTicket(c.env.JWT_SECRET, id, HUB);
    if (!user) throw new ApiError(401, "invalid_connection", "unknown or expired connection id; negotiate again");
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
