import { createRoute } from "@hono/zod-openapi";
import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { User } from "../contract/rest";
import { insertUser, setDisplayName, setReadReceipts, storedProfile, userById, userByName, type ProfileColumns, type UserRow } from "../db/users";
import { createRouter, type AppEnv } from "../lib/app";
import { ApiError } from "../lib/errors";
import { newId } from "../lib/ids";
import { avatarSigner, present } from "../people/profile";
import { clearableNameText, Credentials, SignupCredentials, errorResponse, errorResponses, jsonBody, jsonResponse, UserSchema } from "../schemas";
import { clearFailures, MAX_FAILURES, reserveAttempt } from "./login-guard";
import { requireUser } from "./middleware";
import { hashPassword, verifyPassword } from "./password";
import { ACCOUNT_DEACTIVATED, effectiveRole } from "./account";
import { admitSignup, signupFailed } from "../admin/signup-policy";
import { issueSession } from "./tokens";

/** Accounts: signup, log-in (behind the password-guessing guard) and the logged-in user. */

const Session = z.object({ token: z.string(), user: UserSchema }).openapi("Session");

/** My own account as the API shows it: with my profile and my settings. */
const toUser = (
  c: Context<AppEnv>,
  r: Pick<UserRow, "id" | "username" | "created_at" | "read_receipts" | "role"> & Partial<ProfileColumns>,
  role = r.role,
): Promise<User> =>
  present<User>(avatarSigner(c), {
    id: r.id,
    username: r.username,
    ...storedProfile({ display_name: r.display_name ?? null, avatar_version: r.avatar_version ?? null }),
    createdAt: new Date(r.created_at).toISOString(),
    ...(r.read_receipts === undefined ? {} : { readReceipts: r.read_receipts === 1 }),
    ...(role === undefined ? {} : { role }),
  });

export const authRoutes = createRouter();

authRoutes.openapi(
  createRoute({
    method: "post",
    path: "/auth/signup",
    tags: ["accounts"],
    summary: "Create an account",
    description: "Usernames are 3-32 characters of a-z 0-9 _ - (input is lower-cased), unique ignoring case, and not room, everyone, here or channel; passwords 8-128 characters.",
    request: { body: jsonBody(SignupCredentials) },
    responses: {
      201: jsonResponse(Session, "The new account and a session token (7 days)"),
      ...errorResponses(400, 409),
      403: errorResponse("Sign-up is closed (`signup_closed`), needs an invite (`invite_required`), or the invite is no good (`invalid_invite`); docs/admin.md"),
    },
  }),
  async (c) => {
    const { username, password, invite } = c.req.valid("json");
    const admission = await admitSignup(c.env, username, invite);
    const { hash, salt } = await hashPassword(password);
    const user = { id: newId("u"), username, created_at: Date.now(), role: admission.role };
    if (!(await insertUser(c.env.DB, { ...user, password_hash: hash, salt }))) {
      await signupFailed(c.env, admission);
      throw new ApiError(409, "username_taken", `the username \`${username}\` is taken`);
    }
    const { token } = await issueSession(c.env.JWT_SECRET, user);
    return c.json({ token, user: await toUser(c, { ...user, read_receipts: 1 }) }, 201);
  },
);

authRoutes.openapi(
  createRoute({
    method: "post",
    path: "/auth/login",
    tags: ["accounts"],
    summary: "Log in",
    request: { body: jsonBody(Credentials) },
    description: `After ${MAX_FAILURES} wrong passwords for a username within 15 minutes, log-ins for it answer 429 until the window ends.`,
    responses: {
      200: jsonResponse(Session, "A session token (7 days)"),
      ...errorResponses(400, 429),
      401: errorResponse("Wrong username or password (`invalid_credentials`)"),
      403: errorResponse("The account is deactivated (`account_deactivated`)"),
    },
  }),
  async (c) => {
    const { username, password } = c.req.valid("json");
    const wait = await reserveAttempt(c.env.DB, username);
    if (wait > 0) {
      c.header("Retry-After", String(Math.ceil(wait / 1000)));
      throw new ApiError(429, "too_many_attempts", `too many wrong passwords; try again in ${Math.ceil(wait / 60000)} min`);
    }
    const row = await userByName(c.env.DB, username);
    // Hash even for unknown users so that timing does not tell which usernames exist.
    const ok = row
      ? await verifyPassword(password, { hash: row.password_hash, salt: row.salt })
      : (await hashPassword(password), false);
    // The attempt is already counted (reserveAttempt); a success clears the count.
    if (!row || !ok) throw new ApiError(401, "invalid_credentials", "wrong username or password");
    // Told only to someone who knows the password.
    if (row.deactivated_at != null) throw new ApiError(403, "account_deactivated", ACCOUNT_DEACTIVATED);
    await clearFailures(c.env.DB, username);
    const { token } = await issueSession(c.env.JWT_SECRET, row);
    return c.json({ token, user: await toUser(c, row, row.role && effectiveRole(c.env, row.username, row.role)) }, 200);
  },
);

authRoutes.use("/me", requireUser);
authRoutes.openapi(
  createRoute({
    method: "get",
    path: "/me",
    tags: ["accounts"],
    summary: "The logged-in user",
    security: [{ bearer: [] }],
    responses: { 200: jsonResponse(z.object({ user: UserSchema }), "The user"), ...errorResponses(401) },
  }),
  async (c) => {
    return c.json({ user: await me(c) }, 200);
  },
);

/** The signed-in account, or 401 when it no longer exists. */
async function me(c: Context<AppEnv>): Promise<User> {
  const row = await userById(c.env.DB, c.var.user.id);
  if (!row) throw new ApiError(401, "invalid_token", "this account no longer exists");
  // The role as the request's check read it (ADMIN_USERNAMES counted).
  return toUser(c, row, c.var.user.role);
}

authRoutes.openapi(
  createRoute({
    method: "patch",
    path: "/me",
    tags: ["accounts"],
    summary: "Change my profile and settings: display name, read receipts (off: I send none and see no one else's)",
    description:
      "`displayName`: 1-64 characters, shown with the username; control characters and bidi overrides/isolates are stripped and the rest trimmed (docs/protocol.md \"Text\"); `null` or `\"\"` clears it. The avatar has its own routes (`POST`/`DELETE /api/me/avatar`).",
    security: [{ bearer: [] }],
    request: {
      body: jsonBody(
        z
          .object({
            readReceipts: z.boolean().optional(),
            displayName: clearableNameText("displayName", 64).optional().openapi({ description: "1-64 characters; null or \"\" clears it", example: "Alice Liddell" }),
          })
          .strict(),
      ),
    },
    responses: { 200: jsonResponse(z.object({ user: UserSchema }), "The user with the new profile and settings"), ...errorResponses(400, 401) },
  }),
  async (c) => {
    const { readReceipts, displayName } = c.req.valid("json");
    if (readReceipts !== undefined) await setReadReceipts(c.env.DB, c.var.user.id, readReceipts);
    if (displayName !== undefined) await setDisplayName(c.env.DB, c.var.user.id, displayName || null);
    return c.json({ user: await me(c) }, 200);
  },
);
