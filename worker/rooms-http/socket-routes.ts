import { createRoute, z } from "@hono/zod-openapi";
import { issueTicket, verifyTicket } from "../auth/tokens";
import type { SessionUser } from "../lib/session-user";
import { sessionFrom, TOKEN_INVALID } from "../auth/bearer";
import { createRouter } from "../lib/app";
import { ApiError } from "../lib/errors";
import { roomUpgradeRequest } from "../gateway/room-upgrade";
import { BEARER_PREFIX, SUBPROTOCOL } from "../contract/wire";
import { RoomIdParam, errorResponses, jsonResponse } from "../schemas";
import { requireUser } from "../auth/middleware";
import { membershipRefusal } from "../gateway/membership";
import { refusalError } from "./refusals";
import type { Env } from "../env";

function subprotocols(header: string | undefined): string[] {
  return header ? header.split(",").map((p) => p.trim()).filter(Boolean) : [];
}

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

/** The session token as a subprotocol: `new WebSocket(url, ["hearth.v1", "bearer." + token])`. */
async function subprotocolUser(env: Env, offered: string[]): Promise<SessionUser> {
  const bearer = offered.find((p) => p.startsWith(BEARER_PREFIX));
  if (!bearer) throw new ApiError(401, "unauthorized", `offer the subprotocols "${SUBPROTOCOL}" and "${BEARER_PREFIX}<token>", or pass a ticket`);
  if (!offered.includes(SUBPROTOCOL)) throw new ApiError(400, "bad_request", `offer the subprotocol "${SUBPROTOCOL}" beside the token`);
  const user = await sessionFrom(env.JWT_SECRET, bearer.slice(BEARER_PREFIX.length));
  if (typeof user === "string") throw new ApiError(401, "invalid_token", TOKEN_INVALID);
  return user;
}

/** The upgrade: authenticate (ticket or `bearer.` subprotocol), check membership, hand the socket to the room. */
async function upgradeRoomSocket(
  env: Env,
  request: Request,
  id: string,
  ticket: string | undefined,
  resume: { since?: number; sinceChange?: number },
): Promise<Response> {
  if (request.headers.get("Upgrade")?.toLowerCase() !== "websocket") {
    throw new ApiError(400, "bad_request", "this endpoint only accepts a WebSocket upgrade");
  }
  const offered = subprotocols(request.headers.get("Sec-WebSocket-Protocol") ?? undefined);
  const user = ticket ? await verifyTicket(env.JWT_SECRET, ticket, id) : await subprotocolUser(env, offered);
  if (!user) throw new ApiError(401, "invalid_ticket", "the ticket is expired or for another room");
  // Membership is checked at every upgrade (the user may have left since the ticket was
  // issued), from a one-minute cache; the room refuses anyone who left since (RoomObject.fetch).
  const refused = await membershipRefusal(env.DB, id, user.id, "cached");
  if (refused) throw refusalError(refused);

  // The browser fails the handshake unless the 101 names one of the offered subprotocols.
  const subprotocol = offered.includes(SUBPROTOCOL) ? SUBPROTOCOL : undefined;
  return env.ROOMS.getByName(id).fetch(roomUpgradeRequest({ roomId: id, user, subprotocol, ...resume }));
}
