import { createRoute, z } from "@hono/zod-openapi";
import { issueTicket, verifyTicket } from "../auth/tokens";
import { createRouter } from "../lib/app";
import { ApiError } from "../lib/errors";
import { UPGRADE_HEADERS } from "../room/RoomObject";
import { RoomIdParam, errorResponses, jsonResponse } from "../schemas";
import { requireUser } from "../auth/middleware";
import * as store from "./store";

/** Socket access: a short-lived ticket (REST, bearer token) and the upgrade that spends it. */
export const socketRoutes = createRouter();

socketRoutes.use("/rooms/:id/ticket", requireUser);
socketRoutes.openapi(
  createRoute({
    method: "post",
    path: "/rooms/{id}/ticket",
    tags: ["real time"],
    security: [{ bearer: [] }],
    summary: "A 60-second ticket to open this room's WebSocket (keeps the session token out of URLs)",
    description: "Then open `GET /api/rooms/{id}/ws?ticket=…&since=…` as a WebSocket; frames are in docs/protocol.md.",
    request: { params: RoomIdParam },
    responses: {
      200: jsonResponse(z.object({ ticket: z.string(), expiresAt: z.string() }), "The ticket"),
      ...errorResponses(401, 403, 404),
    },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    await store.requireMembership(c.env.DB, id, c.var.user.id);
    const { token, expiresAt } = await issueTicket(c.env.JWT_SECRET, c.var.user, id);
    return c.json({ ticket: token, expiresAt }, 200);
  },
);

socketRoutes.openapi(
  createRoute({
    method: "get",
    path: "/rooms/{id}/ws",
    tags: ["real time"],
    summary: "Upgrade to the room's WebSocket (101); see docs/protocol.md",
    request: {
      params: RoomIdParam,
      query: z.object({
        ticket: z.string().optional().openapi({ description: "from POST /api/rooms/{id}/ticket (required)" }),
        since: z.coerce.number().int().min(0).optional().openapi({ description: "replay every message after this seq" }),
      }),
    },
    responses: { 101: { description: "Switching protocols" }, ...errorResponses(400, 401, 403, 404, 503) },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    const { ticket, since } = c.req.valid("query");
    if (c.req.header("Upgrade")?.toLowerCase() !== "websocket") {
      throw new ApiError(400, "bad_request", "this endpoint only accepts a WebSocket upgrade");
    }
    const user = ticket ? await verifyTicket(c.env.JWT_SECRET, ticket, id) : null;
    if (!user) throw new ApiError(401, "invalid_ticket", "the ticket is missing, expired or for another room");
    // Membership is checked again: the user may have left since the ticket was issued.
    await store.requireMembership(c.env.DB, id, user.id);

    const url = new URL("https://room.internal/ws");
    if (since !== undefined) url.searchParams.set("since", String(since));
    const headers = new Headers({ Upgrade: "websocket" });
    headers.set(UPGRADE_HEADERS.roomId, id);
    headers.set(UPGRADE_HEADERS.userId, user.id);
    headers.set(UPGRADE_HEADERS.username, user.username);
    return c.env.ROOMS.getByName(id).fetch(new Request(url, { headers }));
  },
);
