import type { Context } from "hono";
import type { Role } from "../contract/rest";
import type { RemovalReason } from "../contract/wire";
import { noSuchRoom, refusedMembership, roomArchived, roomPlace, type RoomPlace } from "../db/rooms";
import { authorityIn, mayActOn, moderates, type Authority } from "../gateway/authority";
import { forgetMembership } from "../gateway/membership";
import type { AppEnv } from "../lib/app";
import { ApiError } from "../lib/errors";

/**
 * The checks every room-settings and moderation route makes (docs/admin.md "Rooms and
 * moderation"), by the one rule in gateway/authority.ts, each with its REST refusal; and the
 * end of a membership (leave, removal, ban) in the order that keeps every cache right.
 */

type Ctx = Context<AppEnv>;

/** The caller's place and authority in the room: 404 `room_not_found`; 403 `not_a_member` (or `banned`) for anyone without a say in it. */
export async function actorIn(c: Ctx, roomId: string): Promise<{ place: RoomPlace; authority: Authority }> {
  const place = await roomPlace(c.env.DB, roomId, c.var.user.id);
  if (!place) throw noSuchRoom();
  const authority = authorityIn(place, c.var.user.role);
  if (authority === "none") throw refusedMembership(place.banned ? "banned" : "not_a_member");
  return { place, authority };
}

/** 403 `dm_fixed`: a DM has no owner, settings, moderators or bans. */
function notInDm(place: RoomPlace): void {
  if (place.visibility === "dm") throw new ApiError(403, "dm_fixed", "a direct message has no owner, settings, moderators or bans");
}

/** 403 `not_owner` unless the caller owns the room. */
export function requireOwner(authority: Authority): void {
  if (authority !== "owner") throw new ApiError(403, "not_owner", "only the room's owner can do this");
}

/** 403 `not_moderator` unless the caller moderates the room (its owner, a moderator, an administrator in a public room). */
function requireModerator(authority: Authority): void {
  if (!moderates(authority)) throw new ApiError(403, "not_moderator", "only the room's owner or a moderator can do this");
}

/** 403 `outranked` unless the caller may remove or ban someone of role `target` (null: not a member). */
export function requireOutranks(authority: Authority, target: Role | null): void {
  if (mayActOn(authority, target)) return;
  const why = target === "owner" ? "nobody can remove or ban the room's owner" : "only the owner or an administrator can remove or ban a moderator";
  throw new ApiError(403, "outranked", why);
}

/** The caller must own the room (and it is no DM): `actorIn`'s refusals, 403 `dm_fixed`, 403 `not_owner`. */
export async function asOwner(c: Ctx, roomId: string): Promise<void> {
  const { place, authority } = await actorIn(c, roomId);
  notInDm(place);
  requireOwner(authority);
}

/** The caller must moderate the room (and it is no DM): `actorIn`'s refusals, 403 `dm_fixed`, 403 `not_moderator`. Their authority. */
export async function asModerator(c: Ctx, roomId: string): Promise<Authority> {
  const { place, authority } = await actorIn(c, roomId);
  notInDm(place);
  requireModerator(authority);
  return authority;
}

/** 400 `validation_error` when the caller names themselves where only others may be named. */
export function notSelf(c: Ctx, userId: string, instead: string): void {
  if (userId === c.var.user.id) throw new ApiError(400, "validation_error", instead);
}

/** 403 `room_archived`: nobody joins or is added to an archived room. */
export function notArchived(place: { archived: boolean }): void {
  if (place.archived) throw roomArchived();
}

/**
 * Ends `userId`'s membership of `roomId`: they left, were removed or were banned. The room
 * first: it records the departure (which refuses every isolate's cached "member" answer,
 * Departures.stillMember) and closes the user's sockets with the code for `reason`. Only then
 * `writeD1` (deletes the membership, or bans), so a failure anywhere leaves a member who can be
 * removed again, never an ex-member whom a stale cache still lets in. The call object checks
 * D1 itself (and forgets the user's peer ids): after the write, so no new id is issued in
 * between. The user's channel hears it last, never failing the request.
 */
export async function endMembership(c: Ctx, roomId: string, userId: string, reason: Exclude<RemovalReason, "deleted">, writeD1: () => Promise<unknown>): Promise<void> {
  await c.env.ROOMS.getByName(roomId).removeMember(roomId, userId, reason);
  await writeD1();
  forgetMembership(roomId, userId);
  await c.env.CALLS.getByName(roomId).removeMember(roomId, userId, reason);
  c.executionCtx.waitUntil(c.env.USERS.getByName(userId).roomRemoved(userId, roomId, reason).catch((err) => console.error("telling a user channel failed", err)));
}
