import { createRoute, z } from "@hono/zod-openapi";
import { requireUser } from "../auth/middleware";
import type { Context } from "hono";
import type { Member, Room } from "../contract/rest";
import { createRouter, type AppEnv } from "../lib/app";
import { ApiError } from "../lib/errors";
import { MAX_BODY_CHARS } from "../contract/wire";
import { errorResponse, errorResponses, jsonBody, jsonResponse, MemberSchema, MessageSchema, nameText, PublicRoomSchema, RoomDetailSchema, RoomIdParam, RoomSchema, Username, userText } from "../schemas";
import * as store from "../db/rooms";
import { avatarSigner, present, presentAll, presentRoom } from "../people/profile";
import { messageRoutes } from "./message-routes";
import { webhookRoutes } from "./webhook-routes";
import { memberView } from "./room-view";
import { moderationRoutes } from "./moderation-routes";
import { settingsRoutes } from "./settings-routes";
import { endMembership, notArchived } from "./moderation-checks";

/**
 * REST for rooms: create, list, join, leave, members, DMs, read marks; messages are in
 * message-routes.ts, incoming webhooks in webhook-routes.ts, a room's settings in
 * settings-routes.ts and the moderation of its members in moderation-routes.ts, mounted here
 * behind the same sign-in (a webhook's secret URL, under /hooks, takes none).
 */
export const roomRoutes = createRouter();
roomRoutes.use("/rooms", requireUser);
roomRoutes.use("/rooms/*", requireUser);
roomRoutes.use("/dms", requireUser);
roomRoutes.route("/", messageRoutes);
roomRoutes.route("/", webhookRoutes);
roomRoutes.route("/", settingsRoutes);
roomRoutes.route("/", moderationRoutes);

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
    responses: {
      201: jsonResponse(RoomSchema, "The new room; the creator is its owner"),
      ...errorResponses(400, 401),
      409: errorResponse("A public room already has this name, case aside (`room_name_taken`)"),
    },
  }),
  async (c) => {
    const id = await store.createRoom(c.env.DB, c.var.user.id, c.req.valid("json"));
    const room = await memberView(c, id, c.var.user.id);
    tellAdded(c, c.var.user, room);
    return c.json(room, 201);
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
  async (c) => {
    const signer = avatarSigner(c);
    const rooms = await store.listRoomsOf(c.env.DB, c.var.user.id);
    return c.json({ rooms: await Promise.all(rooms.map((room) => presentRoom(signer, room))) }, 200);
  },
);

roomRoutes.openapi(
  createRoute({
    method: "get",
    path: "/rooms/public",
    tags,
    security,
    summary: "Public rooms anyone can join (newest first, at most 200; archived rooms are left out)",
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
    const room = await memberView(c, id, c.var.user.id);
    return c.json({ ...room, members: await presentAll(avatarSigner(c), await store.listMembers(c.env.DB, id, c.var.user.id)) }, 200);
  },
);

roomRoutes.openapi(
  createRoute({
    method: "post",
    path: "/rooms/{id}/join",
    tags,
    security,
    summary: "Join a public room",
    description: "403 `private_room` for a private room, `banned` for someone banned from it, `room_archived` for an archived one.",
    request: { params: RoomIdParam },
    responses: { 200: jsonResponse(RoomSchema, "The room, now joined"), ...errorResponses(400, 401, 403, 404) },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    const found = await store.roomPlace(c.env.DB, id, c.var.user.id);
    if (!found) throw store.noSuchRoom();
    if (found.role) return c.json(await memberView(c, id, c.var.user.id), 200);
    if (found.visibility !== "public") throw new ApiError(403, "private_room", "a private room is joined by invitation only");
    if (found.banned) throw store.bannedHere();
    notArchived(found);
    await store.addMember(c.env.DB, id, c.var.user.id);
    const room = await memberView(c, id, c.var.user.id);
    tellAdded(c, c.var.user, room);
    return c.json(room, 200);
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
    // The room first, then D1, then the call and the user's channel (endMembership says why).
    await endMembership(c, id, c.var.user.id, "left", () => store.removeMember(c.env.DB, id, c.var.user.id));
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
    description: "403 `banned` for a user banned from the room, `room_archived` for an archived room.",
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
    notArchived(room);
    const { username } = c.req.valid("json");
    const user = await store.findUser(c.env.DB, username);
    if (!user) throw new ApiError(404, "user_not_found", `no user \`${username}\``);
    if ((await store.roomPlace(c.env.DB, id, user.id))?.banned) throw new ApiError(403, "banned", `${user.username} is banned from this room`);
    if (!(await store.addMember(c.env.DB, id, user.id))) throw new ApiError(409, "already_member", `${user.username} is already a member`);
    tellAdded(c, user, await memberView(c, id, user.id));
    return c.json({ member: await present<Member>(avatarSigner(c), { ...user, role: "member" as const }) }, 201);
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
    const room = await memberView(c, id, c.var.user.id);
    // Both see the DM in their lists at once (telling someone of a DM they have is harmless).
    tellAdded(c, c.var.user, room);
    tellAdded(c, other, await memberView(c, id, other.id));
    return c.json(room, 200);
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
    const seq = Math.min(c.req.valid("json").seq, latest);
    await store.markRead(c.env.DB, id, c.var.user.id, seq);
    // The user's other devices clear the room's badge (their channel hears it from the room).
    const receipt = (await store.sendsReceipt(c.env.DB, id, c.var.user.id)) ? { username: c.var.user.username } : null;
    await c.env.ROOMS.getByName(id).channel(id, { op: "read", userId: c.var.user.id, seq, receipt });
    return c.body(null, 204);
  },
);

/** Tells `user`'s per-user channel (if open) that they are now a member of `room`; never fails the request. */
function tellAdded(c: Context<AppEnv>, user: { id: string; username: string }, room: Room): void {
  c.executionCtx.waitUntil(c.env.USERS.getByName(user.id).roomAdded(user.id, room, user.username).catch((err) => console.error("telling a user channel failed", err)));
}
