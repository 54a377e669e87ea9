import { createRoute, z } from "@hono/zod-openapi";
import { requireUser } from "../auth/middleware";
import { createRouter } from "../lib/app";
import { ApiError } from "../lib/errors";
import * as store from "../db/rooms";
import { RoomIdParam, errorResponses, jsonResponse } from "../schemas";
import { CALL_UPGRADE_HEADERS } from "./CallObject";
import { iceServersFor } from "./ice";
import { MAX_CALL_PEERS, MAX_TOKEN_CHARS, PEERJS_KEY, PEERJS_PATH, PEERJS_SERVER, REFUSALS, errorFrame, refusal, roomOfPeerId } from "./peerjs";

/**
 * Calls: a member's peer id over REST (bearer token), who is in the call, and the PeerJS
 * signaling server under /peerjs for the stock `peerjs` client. Mounted at the root, since
 * /peerjs is not under /api. docs/calls.md describes the flow.
 */
export const callRoutes = createRouter();

const IceServerSchema = z
  .object({ urls: z.union([z.string(), z.array(z.string())]), username: z.string().optional(), credential: z.string().optional() })
  .openapi("IceServer");

const PeerGrantSchema = z
  .object({
    peerId: z.string().openapi({ description: "This peer's id for `new Peer(peerId, …)`; valid for one room" }),
    key: z.literal(PEERJS_KEY),
    path: z.literal(PEERJS_PATH),
    iceServers: z.array(IceServerSchema).openapi({ description: "Pass as `config: { iceServers }`; empty unless configured" }),
    expiresAt: z.string().openapi({ description: "Open the socket before this; the id stays usable while open and 10 minutes after it closes" }),
    maxPeers: z.number().int(),
  })
  .openapi("PeerGrant");

const ParticipantSchema = z
  .object({ peerId: z.string(), userId: z.string(), username: z.string(), joinedAt: z.string() })
  .openapi("CallParticipant");

callRoutes.use("/api/rooms/:id/calls", requireUser);
callRoutes.use("/api/rooms/:id/calls/*", requireUser);

callRoutes.openapi(
  createRoute({
    method: "post",
    path: "/api/rooms/{id}/calls/peer",
    tags: ["calls"],
    security: [{ bearer: [] }],
    summary: "A peer id for this room's call, with the PeerJS options and ICE servers to use",
    description:
      "Then `new Peer(peerId, { host, port, path, key, config: { iceServers } })` with the stock peerjs client; see docs/calls.md. 409 `call_full` when the call already has its maximum number of people.",
    request: { params: RoomIdParam },
    responses: { 200: jsonResponse(PeerGrantSchema, "The peer id"), ...errorResponses(400, 401, 403, 404, 409) },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    await store.requireMembership(c.env.DB, id, c.var.user.id);
    const issued = await c.env.CALLS.getByName(id).issuePeer(id, c.var.user);
    if (!issued.ok) throw new ApiError(409, issued.code, issued.message);
    const iceServers = await iceServersFor(c.env);
    return c.json({ peerId: issued.peerId, ...PEERJS_SERVER, iceServers, expiresAt: issued.expiresAt, maxPeers: MAX_CALL_PEERS }, 200);
  },
);

callRoutes.openapi(
  createRoute({
    method: "get",
    path: "/api/rooms/{id}/calls",
    tags: ["calls"],
    security: [{ bearer: [] }],
    summary: "Who is in this room's call now (an empty list when nobody is)",
    request: { params: RoomIdParam },
    responses: {
      200: jsonResponse(
        z.object({ roomId: z.string(), maxPeers: z.number().int(), participants: z.array(ParticipantSchema) }),
        "The call's participants, in the order they joined",
      ),
      ...errorResponses(400, 401, 403, 404),
    },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    await store.requireMembership(c.env.DB, id, c.var.user.id);
    const participants = await c.env.CALLS.getByName(id).participants(id);
    return c.json({ roomId: id, maxPeers: MAX_CALL_PEERS, participants }, 200);
  },
);

// ---- the PeerJS server (`path: "/peerjs"`) -----------------------------------------------------

callRoutes.openapi(
  createRoute({
    method: "get",
    path: PEERJS_PATH,
    tags: ["calls"],
    summary: "PeerJS server description (as the reference server's root)",
    responses: { 200: jsonResponse(z.object({ name: z.string(), description: z.string(), website: z.string() }), "About") },
  }),
  (c) =>
    c.json(
      {
        name: "Hearth PeerJS server",
        description: "PeerJS signaling for Hearth calls. Peer ids come from POST /api/rooms/{roomId}/calls/peer.",
        website: "https://peerjs.com/",
      },
      200,
    ),
);

callRoutes.openapi(
  createRoute({
    method: "get",
    path: `${PEERJS_PATH}/{key}/id`,
    tags: ["calls"],
    summary: "Anonymous peer ids are not handed out (403): use POST /api/rooms/{id}/calls/peer",
    request: { params: z.object({ key: z.string().openapi({ param: { name: "key", in: "path" } }) }) },
    responses: { ...errorResponses(403) },
  }),
  (c) =>
    c.json(
      {
        error: {
          code: "peer_id_required",
          message: "Hearth does not hand out anonymous peer ids: get one from POST /api/rooms/{roomId}/calls/peer and pass it to new Peer(id, …)",
        },
      },
      403,
    ),
);

callRoutes.openapi(
  createRoute({
    method: "get",
    path: `${PEERJS_PATH}/{key}/peers`,
    tags: ["calls"],
    summary: "Peer discovery is off (401, as the reference server without allow_discovery)",
    request: { params: z.object({ key: z.string().openapi({ param: { name: "key", in: "path" } }) }) },
    responses: { ...errorResponses(401) },
  }),
  (c) => c.json({ error: { code: "discovery_disabled", message: "peer discovery is off; see GET /api/rooms/{roomId}/calls" } }, 401),
);

callRoutes.openapi(
  createRoute({
    method: "get",
    path: `${PEERJS_PATH}/peerjs`,
    tags: ["calls"],
    summary: "The PeerJS signaling WebSocket (101); refusals are ERROR / ID-TAKEN frames on the socket",
    description: "Opened by the stock client as `{path}peerjs?key=…&id=…&token=…&version=…`. Frames are in docs/calls.md.",
    request: {
      query: z.object({
        key: z.string().optional().openapi({ description: `must be \`${PEERJS_KEY}\`` }),
        id: z.string().optional().openapi({ description: "from POST /api/rooms/{id}/calls/peer" }),
        token: z.string().optional().openapi({ description: "the client's own random token; binds the id to this client" }),
        version: z.string().optional(),
      }),
    },
    responses: { 101: { description: "Switching protocols" }, ...errorResponses(400) },
  }),
  async (c) => {
    if (c.req.header("Upgrade")?.toLowerCase() !== "websocket") {
      throw new ApiError(400, "bad_request", "this endpoint only accepts a WebSocket upgrade (the PeerJS signaling socket)");
    }
    const { key, id, token } = c.req.valid("query");
    if (!key || !id || !token) return refusal(errorFrame(REFUSALS.missingParameters));
    if (key !== PEERJS_KEY) return refusal(errorFrame(REFUSALS.invalidKey));
    if (token.length > MAX_TOKEN_CHARS) return refusal(errorFrame(REFUSALS.invalidToken));
    const roomId = roomOfPeerId(id);
    // Checked here so that a made-up id never creates a call object.
    if (!roomId || !(await store.roomExists(c.env.DB, roomId))) return refusal(errorFrame(REFUSALS.unknownId));

    const url = new URL("https://calls.internal/peerjs");
    url.searchParams.set("id", id);
    url.searchParams.set("token", token);
    const headers = new Headers({ Upgrade: "websocket" });
    headers.set(CALL_UPGRADE_HEADERS.roomId, roomId);
    return c.env.CALLS.getByName(roomId).fetch(new Request(url, { headers }));
  },
);
