import { createRoute, z } from "@hono/zod-openapi";
import { requireUser } from "../auth/middleware";
import type { User } from "../contract/rest";
import { SEARCH_LIMIT, searchPeople, userById } from "../db/users";
import { createRouter } from "../lib/app";
import { ApiError } from "../lib/errors";
import { errorResponses, jsonResponse, UserIdParam, UserSchema, userText } from "../schemas";
import { avatarSigner, presentAll, presentUser } from "./profile";

/**
 * People (issue #18): one user's profile, and finding people by the start of their username or
 * display name (the DM and invite dialogs). Signed-in users only. The avatar's routes are in
 * avatar-routes.ts.
 */
export const peopleRoutes = createRouter();
peopleRoutes.use("/users", requireUser);
peopleRoutes.use("/users/:id", requireUser);

const tags = ["people"];
const security = [{ bearer: [] }];
/** The longest query: a username is at most 32 characters, a display name 64. */
export const MAX_QUERY_CHARS = 64;

peopleRoutes.openapi(
  createRoute({
    method: "get",
    path: "/users",
    tags,
    security,
    summary: `Find people whose username or display name starts with q (ignoring case); at most ${SEARCH_LIMIT}`,
    description: "Username matches first, then display-name matches, each in alphabetical order. Each part is a range over an index: no query scans the users.",
    request: {
      query: z.object({
        q: userText("q")
          .trim()
          .min(1, "q must not be empty")
          .max(MAX_QUERY_CHARS, `q must be at most ${MAX_QUERY_CHARS} characters`)
          .openapi({ example: "ali" }),
      }),
    },
    responses: { 200: jsonResponse(z.object({ users: z.array(UserSchema) }), "The people found"), ...errorResponses(400, 401) },
  }),
  async (c) => {
    const people = await searchPeople(c.env.DB, c.req.valid("query").q);
    return c.json({ users: await presentAll<User>(avatarSigner(c), people) }, 200);
  },
);

peopleRoutes.openapi(
  createRoute({
    method: "get",
    path: "/users/{id}",
    tags,
    security,
    summary: "A user with their profile (display name, avatar)",
    request: { params: UserIdParam },
    responses: { 200: jsonResponse(UserSchema, "The user"), ...errorResponses(400, 401, 404) },
  }),
  async (c) => {
    const row = await userById(c.env.DB, c.req.valid("param").id);
    if (!row) throw new ApiError(404, "user_not_found", "no such user");
    return c.json(await presentUser(avatarSigner(c), row), 200);
  },
);
