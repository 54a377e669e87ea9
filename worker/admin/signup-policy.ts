import { adminNames } from "../auth/account";
import { claimFirstAccount, getSetting, putSetting, returnInvite, useInvite, type SignupMode } from "../db/accounts";
import type { Env } from "../env";
import { ApiError } from "../lib/errors";

/**
 * Who may sign up (docs/admin.md "Sign-up"): the mode an administrator set (stored in D1), else
 * SIGNUP_MODE, else `invite`: an open deployment belongs to whoever finds it first.
 * Administrators named by ADMIN_USERNAMES, and the first account of a fresh deployment (no
 * account at all) without ADMIN_USERNAMES, sign up in any mode and without an invite.
 */

export const SIGNUP_MODES: readonly SignupMode[] = ["open", "invite", "closed"];
const SETTING = "signup_mode";

export async function signupMode(env: Env): Promise<SignupMode> {
  const stored = await getSetting(env.DB, SETTING);
  const asked = stored ?? env.SIGNUP_MODE ?? "invite";
  return (SIGNUP_MODES as readonly string[]).includes(asked) ? (asked as SignupMode) : "invite";
}

export async function setSignupMode(env: Env, mode: SignupMode): Promise<void> {
  await putSetting(env.DB, SETTING, mode);
}

/** What a sign-up may become, once admitted: an administrator, or a member (who used `invite`). */
export type Admission = { role: "admin" | "member"; invite?: string };

/** Admits a sign-up or throws the 403 that says why not. An invite's use is taken here. */
export async function admitSignup(env: Env, username: string, invite: string | undefined): Promise<Admission> {
  const named = adminNames(env);
  if (named.has(username)) return { role: "admin" };
  if (named.size === 0 && (await claimFirstAccount(env.DB, username))) return { role: "admin" };
  const mode = await signupMode(env);
  if (mode === "open") return { role: "member" };
  if (mode === "closed") throw new ApiError(403, "signup_closed", "sign-up is closed on this server; ask an administrator for an account");
  if (!invite) throw new ApiError(403, "invite_required", "sign-up on this server needs an invite: open the invite link you were given");
  if (!(await useInvite(env.DB, invite, Date.now()))) {
    throw new ApiError(403, "invalid_invite", "this invite is unknown, expired, revoked or used up; ask for a new one");
  }
  return { role: "member", invite };
}

/** The sign-up admitted with `admission` did not happen (the name was taken): its invite use goes back. */
export async function signupFailed(env: Env, admission: Admission): Promise<void> {
  if (admission.invite) await returnInvite(env.DB, admission.invite);
}
