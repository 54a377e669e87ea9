import { createRoute, z } from "@hono/zod-openapi";
import { createRouter } from "../lib/app";
import { ApiError } from "../lib/errors";
import { BanSchema, errorResponses, jsonBody, jsonResponse, MemberSchema, RoleSchema, RoomIdParam } from "../schemas";
import { ban, listBans, memberRole, setMemberRole, transferOwnership, unban } from "../db/moderation";
import { removeMember } from "../db/rooms";
import { storedProfile, userById } from "../db/users";
import type { Member } from "../contract/rest";
import { avatarSigner, present } from "../people/profile";
import { asModerator, asOwner, endMembership, notSelf, requireOutranks } from "./moderation-checks";

/**
 * REST for moderating a room's members (docs/admin.md "Rooms and moderation"): roles and
 * ownership (the owner), removals and bans (the owner, moderators, administrators in public
 * rooms; gateway/authority.ts says whom). Mounted by routes.ts behind its sign-in.
 */
export const moderationRoutes = createRouter();

const security = [{ bearer: [] }];
const tags = ["moderation"];
const MemberParams = RoomIdParam.extend({ userId: z.string().min(1).max(64).openapi({ param: { name: "userId", in: "path" }, example: "u_3nq..." }) });
const memberNotFound = () => new ApiError(404, "member_not_found", "that user is not a member of this room");

moderationRoutes.openapi(
  createRoute({
    method: "put",
    path: "/rooms/{id}/members/{userId}",
    tags,
    security,
    summary: "Set a member's role (the owner): moderator, member, or owner (transfers ownership)",
    description:
      "`owner` makes the member the room's owner and the previous owner a moderator. The owner's own role changes only by a transfer (400). Anyone but the owner: 403 `not_owner`; a DM: 403 `dm_fixed`; not a member: 404 `member_not_found`.",
    request: { params: MemberParams, body: jsonBody(z.object({ role: RoleSchema })) },
    responses: { 200: jsonResponse(MemberSchema, "The member with their new role"), ...errorResponses(400, 401, 403, 404) },
  }),
  async (c) => {
    const { id, userId } = c.req.valid("param");
    const { role } = c.req.valid("json");
    await asOwner(c, id);
    notSelf(c, userId, "the owner's role changes only by transferring ownership to another member");
    const changed = role === "owner" ? await transferOwnership(c.env.DB, id, c.var.user.id, userId) : await setMemberRole(c.env.DB, id, userId, role);
    const user = changed ? await userById(c.env.DB, userId) : null;
    if (!user) throw memberNotFound();
    return c.json(await present<Member>(avatarSigner(c), { id: user.id, username: user.username, role, ...storedProfile(user) }), 200);
  },
);

moderationRoutes.openapi(
  createRoute({
    method: "delete",
    path: "/rooms/{id}/members/{userId}",
    tags,
    security,
    summary: "Remove a member (the owner, a moderator, or an administrator in a public room); their sockets close with 4003",
    description:
      "They may join again (public rooms) or be added again: to keep them out, ban them. A moderator removes members only; nobody removes the owner (403 `outranked`). To leave yourself, use POST /api/rooms/{id}/leave (400).",
    request: { params: MemberParams },
    responses: { 204: { description: "Removed" }, ...errorResponses(400, 401, 403, 404) },
  }),
  async (c) => {
    const { id, userId } = c.req.valid("param");
    const authority = await asModerator(c, id);
    notSelf(c, userId, "to leave the room yourself, use POST /api/rooms/{id}/leave");
    const target = await memberRole(c.env.DB, id, userId);
    if (!target) throw memberNotFound();
    requireOutranks(authority, target);
    await endMembership(c, id, userId, "removed", () => removeMember(c.env.DB, id, userId));
    return c.body(null, 204);
  },
);

moderationRoutes.openapi(
  createRoute({
    method: "put",
    path: "/rooms/{id}/bans/{userId}",
    tags,
    security,
    summary: "Ban a user (the owner, a moderator, or an administrator in a public room): removed, and kept out until unbanned",
    description:
      "A member's sockets close with 4004. A banned user cannot join, be added or open a socket (403 `banned`). Anyone may be banned before they ever joined. The same rule as removing says whom (403 `outranked`). Banning someone banned already changes nothing.",
    request: { params: MemberParams },
    responses: { 204: { description: "Banned" }, ...errorResponses(400, 401, 403, 404) },
  }),
  async (c) => {
    const { id, userId } = c.req.valid("param");
    const authority = await asModerator(c, id);
    notSelf(c, userId, "you cannot ban yourself");
    if (!(await userById(c.env.DB, userId))) throw new ApiError(404, "user_not_found", "no such user");
    const target = await memberRole(c.env.DB, id, userId);
    requireOutranks(authority, target);
    const banIt = () => ban(c.env.DB, id, userId, c.var.user.id);
    if (target) await endMembership(c, id, userId, "banned", banIt);
    else await banIt();
    return c.body(null, 204);
  },
);

moderationRoutes.openapi(
  createRoute({
    method: "delete",
    path: "/rooms/{id}/bans/{userId}",
    tags,
    security,
    summary: "Lift a ban (the owner, a moderator, or an administrator in a public room); they may join or be added again",
    request: { params: MemberParams },
    responses: { 204: { description: "Unbanned" }, ...errorResponses(401, 403, 404) },
  }),
  async (c) => {
    const { id, userId } = c.req.valid("param");
    await asModerator(c, id);
    if (!(await unban(c.env.DB, id, userId))) throw new ApiError(404, "not_banned", "that user is not banned from this room");
    return c.body(null, 204);
  },
);

moderationRoutes.openapi(
  createRoute({
    method: "get",
    path: "/rooms/{id}/bans",
    tags,
    security,
    summary: "Who is banned from the room, newest first (the owner, moderators, administrators in a public room)",
    request: { params: RoomIdParam },
    responses: { 200: jsonResponse(z.object({ bans: z.array(BanSchema) }), "The bans"), ...errorResponses(401, 403, 404) },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    await asModerator(c, id);
    return c.json({ bans: await listBans(c.env.DB, id) }, 200);
  },
);
