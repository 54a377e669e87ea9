import { createRoute, z } from "@hono/zod-openapi";
import { createRouter } from "../lib/app";
import { errorResponse, errorResponses, jsonBody, jsonResponse, nameText, RoomIdParam, RoomSchema } from "../schemas";
import { noSuchRoom, roomExists } from "../db/rooms";
import { deleteRoomRows, memberIds, setArchived, updateRoom } from "../db/moderation";
import { forgetMembership } from "../gateway/membership";
import { actorIn, asOwner, requireOwner } from "./moderation-checks";
import { memberView } from "./room-view";

/**
 * REST for a room's own settings (docs/admin.md "Rooms and moderation"): its name, topic and
 * visibility, its archive, and its deletion. Mounted by routes.ts behind its sign-in.
 */
export const settingsRoutes = createRouter();

const security = [{ bearer: [] }];
const tags = ["room settings"];
const nameTaken = errorResponse("A public room already has this name, case aside (`room_name_taken`)");

settingsRoutes.openapi(
  createRoute({
    method: "patch",
    path: "/rooms/{id}",
    tags,
    security,
    summary: "Rename a room, change its topic, make it public or private (its owner)",
    description:
      "Any subset of the fields. Public room names are unique, compared ignoring case: a clash answers 409 `room_name_taken` (also when a private room is made public). A DM has no settings (403 `dm_fixed`); anyone but the owner: 403 `not_owner` (non-members `not_a_member`).",
    request: {
      params: RoomIdParam,
      body: jsonBody(
        z
          .object({
            name: nameText("name", 1, 64).optional(),
            topic: nameText("topic", 0, 200).optional(),
            visibility: z.enum(["public", "private"]).optional(),
          })
          .refine((b) => b.name !== undefined || b.topic !== undefined || b.visibility !== undefined, "give at least one of name, topic, visibility")
          .openapi("RoomSettings"),
      ),
    },
    responses: { 200: jsonResponse(RoomSchema, "The room as it is now"), ...errorResponses(400, 401, 403, 404), 409: nameTaken },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    await asOwner(c, id);
    await updateRoom(c.env.DB, id, c.req.valid("json"));
    return c.json(await memberView(c, id, c.var.user.id), 200);
  },
);

for (const archive of [true, false]) {
  settingsRoutes.openapi(
    createRoute({
      method: archive ? "post" : "delete",
      path: "/rooms/{id}/archive",
      tags,
      security,
      summary: archive
        ? "Archive a room (its owner): read-only, left out of Browse; members keep it and its history"
        : "Unarchive a room (its owner): it takes messages again and is back in Browse if public",
      description: archive
        ? "While archived, every send, edit, deletion and reaction, on every protocol, answers 403 `room_archived` (a socket: an `error` frame), and nobody joins or is added. Archiving an archived room changes nothing."
        : "Unarchiving a room that is not archived changes nothing.",
      request: { params: RoomIdParam },
      responses: { 200: jsonResponse(RoomSchema, "The room as it is now"), ...errorResponses(401, 403, 404) },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      await asOwner(c, id);
      // The room first (it refuses writes from now on), then D1, as for a leave.
      await c.env.ROOMS.getByName(id).setArchived(id, archive);
      await setArchived(c.env.DB, id, archive ? Date.now() : null);
      return c.json(await memberView(c, id, c.var.user.id), 200);
    },
  );
}

settingsRoutes.openapi(
  createRoute({
    method: "delete",
    path: "/rooms/{id}",
    tags,
    security,
    summary: "Delete a room for everyone (its owner, or an administrator: any room, DMs too)",
    description:
      "Its messages (the room's log and D1's copy, with their search index), its uploads' bytes in R2 and its call go. Every socket of the room closes with 4005, call sockets too; every member's per-user channel gets `room-removed` with `reason: \"deleted\"`.",
    request: { params: RoomIdParam },
    responses: { 204: { description: "Deleted" }, ...errorResponses(401, 403, 404) },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    // An administrator deletes any room; anyone else only a room they own.
    if (c.var.user.role !== "admin") requireOwner((await actorIn(c, id)).authority);
    else if (!(await roomExists(c.env.DB, id))) throw noSuchRoom();
    const members = await memberIds(c.env.DB, id);
    // The room first (closes its sockets, refuses writes and stale cached members, empties its
    // storage, deletes its uploads' bytes), then the call, then D1: the room's row goes last,
    // so a deletion that failed halfway can be asked again.
    await c.env.ROOMS.getByName(id).deleteRoom(id);
    await c.env.CALLS.getByName(id).removeMember(id, null, "deleted");
    await deleteRoomRows(c.env.DB, id);
    for (const userId of members) {
      forgetMembership(id, userId);
      c.executionCtx.waitUntil(c.env.USERS.getByName(userId).roomRemoved(userId, id, "deleted").catch((err) => console.error("telling a user channel failed", err)));
    }
    return c.body(null, 204);
  },
);
