import { createRoute, z } from "@hono/zod-openapi";
import { requireUser } from "../auth/middleware";
import { createRouter } from "../lib/app";
import { ApiError } from "../lib/errors";
import { MAX_BODY_CHARS } from "../contract/wire";
import { errorResponses, jsonBody, jsonResponse, MemberSchema, MessageSchema, nameText, PublicRoomSchema, RoomDetailSchema, RoomIdParam, RoomSchema, Username, userText } from "../schemas";
import * as store from "../db/rooms";
import { HISTORY_DEFAULT_LIMIT, HISTORY_MAX_LIMIT, historyPage } from "../gateway/history";
import { forgetMembership } from "../gateway/membership";
import { postMessage } from "../gateway/post";
import { refusalError } from "./refusals";

/**
 * REST for rooms: create, list, join, leave, members, DMs, read marks; and messages (post and
 * history) as thin translations onto the gateway (worker/gateway/).
 */
export const roomRoutes = createRouter();
roomRoutes.use("/rooms", requireUser);
roomRoutes.use("/rooms/*", requireUser);
roomRoutes.use("/dms", requireUser);

const security = [{ bearer: [] }];
const tags = ["rooms"];

roomRoutes.openapi(
  createRoute({
    method: "post",
    path: "/rooms",
    tags,
    security,
    summary: "Create a public or private room",
    request: {
      body: jsonBody(
        z.object({
          name: nameText("name", 1, 64),
          topic: nameText("topic", 0, 200).default(""),
          visibility: z.enum(["public", "private"]),
        }),
      ),
    },
    responses: { 201: jsonResponse(RoomSchema, "The new room; the creator is its owner"), ...errorResponses(400, 401) },
  }),
  async (c) => {
    const id = await store.createRoom(c.env.DB, c.var.user.id, c.req.valid("json"));
    return c.json(await store.requireMember(c.env.DB, id, c.var.user.id), 201);
  },
);

roomRoutes.openapi(
  createRoute({
    method: "get",
    path: "/rooms",
    tags,
    security,
    summary: "The rooms and DMs I am a member of, most recent activity first, with unread counts",
    responses: { 200: jsonResponse(z.object({ rooms: z.array(RoomSchema) }), "My rooms"), ...errorResponses(401) },
  }),
  async (c) => c.json({ rooms: await store.listRoomsOf(c.env.DB, c.var.user.id) }, 200),
);

roomRoutes.openapi(
  createRoute({
    method: "get",
    path: "/rooms/public",
    tags,
    security,
    summary: "Public rooms anyone can join (newest first, at most 200)",
    responses: { 200: jsonResponse(z.object({ rooms: z.array(PublicRoomSchema) }), "Public rooms"), ...errorResponses(401) },
  }),
  async (c) => c.json({ rooms: await store.listPublicRooms(c.env.DB, c.var.user.id) }, 200),
);

roomRoutes.openapi(
  createRoute({
    method: "get",
    path: "/rooms/{id}",
    tags,
    security,
    summary: "A room I am a member of, with its members",
    request: { params: RoomIdParam },
    responses: { 200: jsonResponse(RoomDetailSchema, "The room"), ...errorResponses(400, 401, 403, 404) },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    const room = await store.requireMember(c.env.DB, id, c.var.user.id);
    return c.json({ ...room, members: await store.listMembers(c.env.DB, id) }, 200);
  },
);

roomRoutes.openapi(
  createRoute({
    method: "post",
    path: "/rooms/{id}/join",
    tags,
    security,
    summary: "Join a public room",
    request: { params: RoomIdParam },
    responses: { 200: jsonResponse(RoomSchema, "The room, now joined"), ...errorResponses(400, 401, 403, 404) },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    const found = await store.roomExists(c.env.DB, id);
    if (!found) throw store.noSuchRoom();
    const already = await store.roomForMember(c.env.DB, id, c.var.user.id);
    if (already) return c.json(already, 200);
    if (found.visibility !== "public") throw new ApiError(403, "private_room", "a private room is joined by invitation only");
    await store.addMember(c.env.DB, id, c.var.user.id);
    return c.json(await store.requireMember(c.env.DB, id, c.var.user.id), 200);
  },
);

roomRoutes.openapi(
  createRoute({
    method: "post",
    path: "/rooms/{id}/leave",
    tags,
    security,
    summary: "Leave a room; my open sockets to it are closed with 1008",
    request: { params: RoomIdParam },
    responses: { 204: { description: "Left" }, ...errorResponses(400, 401, 403, 404) },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    await store.requireMembership(c.env.DB, id, c.var.user.id);
    // The room first: it records the departure (which refuses every isolate's cached "member"
    // answer, Departures.stillMember) and closes the user's sockets. Only then is the
    // membership deleted, so a failure anywhere leaves a member who can simply leave again,
    // never an ex-member whom a stale cache still lets in.
    await c.env.ROOMS.getByName(id).removeMember(id, c.var.user.id);
    await store.removeMember(c.env.DB, id, c.var.user.id);
    forgetMembership(id, c.var.user.id);
    // The call object checks D1 itself (and forgets the user's peer ids): after the delete, so
    // no new id can be issued in between.
    await c.env.CALLS.getByName(id).removeMember(id, c.var.user.id);
    return c.body(null, 204);
  },
);

roomRoutes.openapi(
  createRoute({
    method: "post",
    path: "/rooms/{id}/members",
    tags,
    security,
    summary: "Add a user to a room I am in (how private rooms are joined)",
    request: { params: RoomIdParam, body: jsonBody(Username) },
    responses: {
      201: jsonResponse(z.object({ member: MemberSchema }), "The new member"),
      ...errorResponses(400, 401, 403, 404, 409),
    },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    const room = await store.requireMembership(c.env.DB, id, c.var.user.id);
    if (room.visibility === "dm") throw new ApiError(403, "dm_members_fixed", "a direct message has exactly two members");
    const { username } = c.req.valid("json");
    const user = await store.findUser(c.env.DB, username);
    if (!user) throw new ApiError(404, "user_not_found", `no user \`${username}\``);
    if (!(await store.addMember(c.env.DB, id, user.id))) throw new ApiError(409, "already_member", `${user.username} is already a member`);
    return c.json({ member: { ...user, role: "member" as const } }, 201);
  },
);

roomRoutes.openapi(
  createRoute({
    method: "post",
    path: "/dms",
    tags,
    security,
    summary: "Open the direct-message room with a user (created on first use; one per pair)",
    request: { body: jsonBody(Username) },
    responses: { 200: jsonResponse(RoomSchema, "The DM room"), ...errorResponses(400, 401, 404) },
  }),
  async (c) => {
    const { username } = c.req.valid("json");
    const other = await store.findUser(c.env.DB, username);
    if (!other) throw new ApiError(404, "user_not_found", `no user \`${username}\``);
    if (other.id === c.var.user.id) throw new ApiError(400, "validation_error", "you cannot open a DM with yourself");
    const id = await store.openDm(c.env.DB, c.var.user.id, other.id);
    return c.json(await store.requireMember(c.env.DB, id, c.var.user.id), 200);
  },
);

const PostMessage = z
  .object({
    body: userText("body")
      .optional()
      .openapi({ description: `1-${MAX_BODY_CHARS} characters after trimming; for media an optional caption`, example: "hello 👋" }),
    clientId: z.string().openapi({ description: "1-64 chars of A-Z a-z 0-9 _ - . : ; a retry with the same clientId is stored once" }),
    kind: z.enum(["text", "image", "file", "audio"]).optional().openapi({ description: "default text" }),
    attachment: z
      .object({
        uploadId: z.string(),
        width: z.number().int().optional(),
        height: z.number().int().optional(),
        duration: z.number().optional().openapi({ description: "seconds, for audio" }),
      })
      .optional()
      .openapi({ description: "for image, file and audio: an upload of yours into this room (POST /api/rooms/{id}/uploads)" }),
  })
  .openapi("PostMessage");

roomRoutes.openapi(
  createRoute({
    method: "post",
    path: "/rooms/{id}/messages",
    tags: ["messages"],
    security,
    summary: "Send a message (for bots and scripts; the same rules as the socket)",
    request: { params: RoomIdParam, body: jsonBody(PostMessage) },
    responses: {
      201: jsonResponse(MessageSchema, "Stored and delivered"),
      200: jsonResponse(MessageSchema, "This clientId was already stored: the original message"),
      ...errorResponses(400, 401, 403, 404, 429),
    },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    const result = await postMessage(c.env, id, c.var.user, c.req.valid("json"), "rest");
    if (!result.ok) throw refusalError(result, c);
    return c.json(result.message, result.duplicate ? 200 : 201);
  },
);

roomRoutes.openapi(
  createRoute({
    method: "get",
    path: "/rooms/{id}/messages",
    tags: ["messages"],
    security,
    summary: "History, newest first: the newest page, or the page before a seq",
    request: {
      params: RoomIdParam,
      query: z.object({
        before: z.coerce.number().int().min(1).optional().openapi({ description: "only messages with a smaller seq" }),
        limit: z.coerce.number().int().min(1).max(HISTORY_MAX_LIMIT).default(HISTORY_DEFAULT_LIMIT),
      }),
    },
    responses: {
      200: jsonResponse(z.object({ messages: z.array(MessageSchema) }), "Messages, newest first"),
      ...errorResponses(400, 401, 403, 404),
    },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    const page = await historyPage(c.env, id, c.var.user.id, c.req.valid("query"));
    if (!page.ok) throw refusalError(page, c);
    // The room wrote the page's JSON (RoomObject.historyJson); it goes out as it is.
    return c.body(`{"messages":${page.json}}`, 200, { "content-type": "application/json" }) as never;
  },
);

roomRoutes.openapi(
  createRoute({
    method: "post",
    path: "/rooms/{id}/read",
    tags: ["messages"],
    security,
    summary: "Mark the room read up to a seq (drives unread counts)",
    request: { params: RoomIdParam, body: jsonBody(z.object({ seq: z.number().int().min(0) })) },
    responses: { 204: { description: "Marked" }, ...errorResponses(400, 401, 403, 404) },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    await store.requireMembership(c.env.DB, id, c.var.user.id);
    const latest = await c.env.ROOMS.getByName(id).latestSeq(id);
    await store.markRead(c.env.DB, id, c.var.user.id, Math.min(c.req.valid("json").seq, latest));
    return c.body(null, 204);
  },
);
