import type { Role, Visibility } from "../contract/rest";

/**
 * Who may moderate a room, and whom (docs/admin.md "Rooms and moderation"): one rule for the
 * REST routes and for the room itself (deleting someone else's message). Pure: callers read
 * the member's role and the room's visibility from D1, and the account's role from the session.
 */

/**
 * Someone's standing in a room, highest first: its owner; an administrator (in a public room,
 * unless they own it); a moderator; a member; anyone else (`none`).
 */
export type Authority = "owner" | "admin" | "moderator" | "member" | "none";

export function authorityIn(place: { role: Role | null; visibility: Visibility }, accountRole?: string): Authority {
  if (place.role === "owner") return "owner";
  if (accountRole === "admin" && place.visibility === "public") return "admin";
  return place.role ?? "none";
}

/** Whether `authority` moderates: removes and bans members, deletes anyone's message. */
export function moderates(authority: Authority): boolean {
  return authority === "owner" || authority === "admin" || authority === "moderator";
}

/**
 * Whether `actor` may remove or ban someone whose role in the room is `target` (null: not a
 * member, as a ban of someone who is not in the room): nobody acts on the owner, only the
 * owner and administrators act on moderators, and every moderating authority on members.
 */
export function mayActOn(actor: Authority, target: Role | null): boolean {
  if (!moderates(actor) || target === "owner") return false;
  return target !== "moderator" || actor === "owner" || actor === "admin";
}
