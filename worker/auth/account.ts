import { accountState, type AccountRole } from "../db/accounts";

/**
 * Whether a verified session's account may still act, and its role now (docs/admin.md). Asked
 * on every request and socket upgrade, after the token verifies: a deactivated account's
 * tokens stop working at the next request, without a list of revoked tokens. One indexed D1
 * read by primary key.
 */

/** Usernames named administrators by ADMIN_USERNAMES (lower case). */
export function adminNames(env: { ADMIN_USERNAMES?: string }): Set<string> {
  return new Set((env.ADMIN_USERNAMES ?? "").split(",").map((n) => n.trim().toLowerCase()).filter(Boolean));
}

/** The account's role, or "deactivated" / "gone". ADMIN_USERNAMES makes an administrator whatever the row says. */
export async function accountRole(env: { DB: D1Database; ADMIN_USERNAMES?: string }, user: { id: string; username: string }): Promise<AccountRole | "deactivated" | "gone"> {
  const state = await accountState(env.DB, user.id);
  if (!state) return "gone";
  if (state.deactivated) return "deactivated";
  return effectiveRole(env, user.username, state.role);
}

/** An account's role as it counts: ADMIN_USERNAMES makes a person (not a bot) an administrator whatever is stored. */
export function effectiveRole(env: { ADMIN_USERNAMES?: string }, username: string, stored: AccountRole): AccountRole {
  return stored !== "bot" && adminNames(env).has(username.toLowerCase()) ? "admin" : stored;
}

export const ACCOUNT_DEACTIVATED = "this account is deactivated; an administrator can reactivate it";
