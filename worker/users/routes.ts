import { createRoute, z } from "@hono/zod-openapi";
import { requireUser } from "../auth/middleware";
import { socketAuth } from "../auth/bearer";
import { issueTicket } from "../auth/tokens";
import { roomUpgradeRequest } from "../gateway/room-upgrade";
import { createRouter } from "../lib/app";
import { errorResponses, jsonResponse } from "../schemas";

/**
 * The per-user channel (docs/protocol.md "The per-user channel"): a ticket for clients that
 * cannot set subprotocols, and the upgrade, handed to the user's own object. The path names no
 * user: a session opens its own channel and no other.
 */
export const userChannelRoutes = createRouter();

/** A ticket's scope for the channel (room tickets name a room id, which never looks like this). */
export const CHANNEL_TICKET_SCOPE = "~me";

userChannelRoutes.use("/me/ticket", requireUser);
userChannelRoutes.openapi(
  createRoute({
    method: "post",
    path: "/me/ticket",
    tags: ["real time"],
    security: [{ bearer: [] }],
    summary: "A 60-second ticket to open my per-user channel, for clients that cannot set subprotocols",
    description: "Then open `GET /api/me/ws?ticket=…` as a WebSocket (one socket per ticket).",
    responses: { 200: jsonResponse(z.object({ ticket: z.string(), expiresAt: z.string() }), "The ticket"), ...errorResponses(401) },
  }),
  async (c) => {
    const { token, expiresAt } = await issueTicket(c.env.JWT_SECRET, c.var.user, CHANNEL_TICKET_SCOPE);
    return c.json({ ticket: token, expiresAt }, 200);
  },
);

userChannelRoutes.openapi(
  createRoute({
    method: "get",
    path: "/me/ws",
    tags: ["real time"],
    summary: "Upgrade to my per-user channel (101): counts, rings, membership and presence for every room I am in",
    description:
      "Authenticate with `Sec-WebSocket-Protocol: hearth.v1, bearer.<session JWT>` (the 101 names `hearth.v1`) or with `?ticket=` from `POST /api/me/ticket`. Frames: docs/protocol.md, \"The per-user channel\".",
    request: { query: z.object({ ticket: z.string().optional().openapi({ description: "from POST /api/me/ticket" }) }) },
    responses: { 101: { description: "Switching protocols" }, ...errorResponses(400, 401) },
  }),
  async (c) => {
    const { ticket } = c.req.valid("query");
    const { user, subprotocol } = await socketAuth(c.env, c.req.raw, ticket, CHANNEL_TICKET_SCOPE);
    return c.env.USERS.getByName(user.id).fetch(roomUpgradeRequest({ roomId: CHANNEL_TICKET_SCOPE, user, subprotocol }));
  },
);
