import { createRoute, z } from "@hono/zod-openapi";
import { issueTicket } from "../auth/tokens";
import { socketAuth } from "../auth/bearer";
import { createRouter } from "../lib/app";
import { ApiError } from "../lib/errors";
import { openRoomSocket } from "../gateway/room-socket";
import { SUBPROTOCOL, SUBPROTOCOL_V2 } from "../contract/wire";
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
      "Then open `GET /api/rooms/{id}/ws?ticket=…&since=…` (and `&v=2` for subprotocol version 2's compact message frames) as a WebSocket. Clients that can set subprotocols skip this request and offer `hearth.v2` and/or `hearth.v1` and `bearer.<token>` instead; frames are in docs/protocol.md.",
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
      "Authenticate with `Sec-WebSocket-Protocol: hearth.v2, hearth.v1, bearer.<session JWT>` or with `?ticket=` from `POST /api/rooms/{id}/ticket`. The 101 names the version the socket speaks: `hearth.v2` when offered (compact `message` and `update` frames: no `roomId`, no `kind` when it is `text`, `clientId` only to the author's sockets), else `hearth.v1`. A ticket socket offers no subprotocol and speaks version 1 unless it asks `v=2`. Frames: docs/protocol.md.",
    request: {
      params: RoomIdParam,
      query: z.object({
        ticket: z.string().optional().openapi({ description: "from POST /api/rooms/{id}/ticket, when the token is not offered as a subprotocol" }),
        v: z
          .enum(["1", "2"])
          .optional()
          .openapi({ description: "the subprotocol version, for a socket that offers no `hearth.*` subprotocol (a ticket's): `2` for compact message frames (docs/protocol.md \"Version 2\"); default 1" }),
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
    const { ticket, since, sinceChange, v } = c.req.valid("query");
    const resume = since === undefined ? {} : { since: Number(since), ...(sinceChange === undefined ? {} : { sinceChange: Number(sinceChange) }) };
    return upgradeRoomSocket(c.env, c.req.raw, id, ticket, v === "2", resume);
  },
);

/**
 * The upgrade: authenticate (ticket or `bearer.` subprotocol), check membership, hand the socket
 * to the room. The subprotocol named in the 101 sets the version; `askedV2` (`v=2`) counts only
 * when no `hearth.*` one was offered.
 */
async function upgradeRoomSocket(
  env: Env,
  request: Request,
  id: string,
  ticket: string | undefined,
  askedV2: boolean,
  resume: { since?: number; sinceChange?: number },
): Promise<Response> {
  const { user, subprotocol } = await socketAuth(env, request, ticket, id, [SUBPROTOCOL_V2, SUBPROTOCOL]);
  const wire = subprotocol === SUBPROTOCOL_V2 || (subprotocol === undefined && askedV2) ? 2 : undefined;
  // Membership is checked at every upgrade (the user may have left since the ticket was
  // issued), from a one-minute cache; the room refuses anyone who left since (RoomObject.fetch).
  const refused = await membershipRefusal(env.DB, id, user.id, "cached");
  if (refused) throw refusalError(refused);
  return openRoomSocket(env, id, { roomId: id, user, subprotocol, wire, ...resume });
}
