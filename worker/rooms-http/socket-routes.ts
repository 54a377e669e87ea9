import { createRoute, z } from "@hono/zod-openapi";
import { issueTicket } from "../auth/tokens";
import { socketAuth } from "../auth/bearer";
import { createRouter } from "../lib/app";
import { ApiError } from "../lib/errors";
import { openRoomSocket } from "../gateway/room-socket";
import { RoomIdParam, errorResponses, jsonResponse } from "../schemas";
import { requireUser } from "../auth/middleware";
import { membershipRefusal } from "../gateway/membership";
import { refusalError } from "./refusals";
import type { Env } from "../env";

/** Socket access: a short-lived ticket (REST, bearer token) and the upgrade that spends it. */
export const socketRoutes = createRouter();

socketRoutes.use("/rooms/:id/ticket", requireUser);
socketRoutes.openapi(
  createRoute({
    method: "post",
    path: "/rooms/{id}/ticket",
    tags: ["real time"],
    security: [{ bearer: [] }],
    summary: "A 60-second ticket to open this room's WebSocket, for clients that cannot set subprotocols",
    description:
      "Then open `GET /api/rooms/{id}/ws?ticket=…&since=…` as a WebSocket. Clients that can set subprotocols skip this request and offer `hearth.v1` and `bearer.<token>` instead; frames are in docs/protocol.md.",
    request: { params: RoomIdParam },
    responses: {
      200: jsonResponse(z.object({ ticket: z.string(), expiresAt: z.string() }), "The ticket"),
      ...errorResponses(400, 401, 403, 404),
    },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    const refused = await membershipRefusal(c.env.DB, id, c.var.user.id);
    if (refused) throw refusalError(refused);
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
    description:
      "Authenticate with `Sec-WebSocket-Protocol: hearth.v1, bearer.<session JWT>` (the 101 names `hearth.v1`) or with `?ticket=` from `POST /api/rooms/{id}/ticket`.",
    request: {
      params: RoomIdParam,
      query: z.object({
        ticket: z.string().optional().openapi({ description: "from POST /api/rooms/{id}/ticket, when the token is not offered as a subprotocol" }),
        // Digits only: z.coerce would read "" as 0 and "1e3" as 1000.
        since: z
          .string()
          .regex(/^\d{1,15}$/, "since must be an integer ≥ 0")
          .optional()
          .openapi({ description: "replay every message after this seq (an integer ≥ 0)", example: "42" }),
        sinceChange: z
          .string()
          .regex(/^\d{1,15}$/, "sinceChange must be an integer ≥ 0")
          .optional()
          .openapi({
            description:
              "with `since`: replay only the changes (edits, deletions, reactions) after this change seq, the newest the client has seen (`hello.lastChangeSeq`, `update.changeSeq`). Without it, every change made since message `since` was the newest is replayed.",
            example: "7",
          }),
      }),
    },
    responses: { 101: { description: "Switching protocols" }, ...errorResponses(400, 401, 403, 404, 503) },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    const { ticket, since, sinceChange } = c.req.valid("query");
    const resume = since === undefined ? {} : { since: Number(since), ...(sinceChange === undefined ? {} : { sinceChange: Number(sinceChange) }) };
    return upgradeRoomSocket(c.env, c.req.raw, id, ticket, resume);
  },
);

/** The upgrade: authenticate (ticket or `bearer.` subprotocol), check membership, hand the socket to the room. */
async function upgradeRoomSocket(
  env: Env,
  request: Request,
  id: string,
  ticket: string | undefined,
  resume: { since?: number; sinceChange?: number },
): Promise<Response> {
  const { user, subprotocol } = await socketAuth(env, request, ticket, id);
  // Membership is checked at every upgrade (the user may have left since the ticket was
  // issued), from a one-minute cache; the room refuses anyone who left since (RoomObject.fetch).
  const refused = await membershipRefusal(env.DB, id, user.id, "cached");
  if (refused) throw refusalError(refused);
  return openRoomSocket(env, id, { roomId: id, user, subprotocol, ...resume });
}
