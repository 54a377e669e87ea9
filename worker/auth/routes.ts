import { createRoute } from "@hono/zod-openapi";
import { z } from "@hono/zod-openapi";
import { insertUser, setReadReceipts, userById, userByName, type UserRow } from "../db/users";
import { createRouter } from "../lib/app";
import { ApiError } from "../lib/errors";
import { newId } from "../lib/ids";
import { Credentials, SignupCredentials, errorResponse, errorResponses, jsonBody, jsonResponse, UserSchema } from "../schemas";
import { clearFailures, MAX_FAILURES, reserveAttempt } from "./login-guard";
import { requireUser } from "./middleware";
import { hashPassword, verifyPassword } from "./password";
import { issueSession } from "./tokens";

/** Accounts: signup, log-in (behind the password-guessing guard) and the logged-in user. */

const Session = z.object({ token: z.string(), user: UserSchema }).openapi("Session");

const toUser = (r: Pick<UserRow, "id" | "username" | "created_at"> & { read_receipts?: number }) => ({
  id: r.id,
  username: r.username,
  createdAt: new Date(r.created_at).toISOString(),
  ...(r.read_receipts === undefined ? {} : { readReceipts: r.read_receipts === 1 }),
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
    responses: { 201: jsonResponse(Session, "The new account and a session token (7 days)"), ...errorResponses(400, 409) },
  }),
  async (c) => {
    const { username, password } = c.req.valid("json");
    const { hash, salt } = await hashPassword(password);
    const user = { id: newId("u"), username, created_at: Date.now() };
    if (!(await insertUser(c.env.DB, { ...user, password_hash: hash, salt }))) throw new ApiError(409, "username_taken", `the username \`${username}\` is taken`);
    const { token } = await issueSession(c.env.JWT_SECRET, user);
    return c.json({ token, user: toUser({ ...user, read_receipts: 1 }) }, 201);
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
    await clearFailures(c.env.DB, username);
    const { token } = await issueSession(c.env.JWT_SECRET, row);
    return c.json({ token, user: toUser(row) }, 200);
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
    const row = await userById(c.env.DB, c.var.user.id);
    if (!row) throw new ApiError(401, "invalid_token", "this account no longer exists");
    return c.json({ user: toUser(row) }, 200);
  },
);

authRoutes.openapi(
  createRoute({
    method: "patch",
    path: "/me",
    tags: ["accounts"],
    summary: "Change my settings: read receipts (off: I send none and see no one else's)",
    security: [{ bearer: [] }],
    request: { body: jsonBody(z.object({ readReceipts: z.boolean().optional() }).strict()) },
    responses: { 200: jsonResponse(z.object({ user: UserSchema }), "The user with the new settings"), ...errorResponses(400, 401) },
  }),
  async (c) => {
    const { readReceipts } = c.req.valid("json");
    if (readReceipts !== undefined) await setReadReceipts(c.env.DB, c.var.user.id, readReceipts);
    const row = await userById(c.env.DB, c.var.user.id);
    if (!row) throw new ApiError(401, "invalid_token", "this account no longer exists");
    return c.json({ user: toUser(row) }, 200);
  },
);
