import { createRoute, z } from "@hono/zod-openapi";
import { requireAdmin, requireUser } from "../auth/middleware";
import { effectiveRole } from "../auth/account";
import { activeAdmins, accountState, insertInvite, listAccounts, listInvites, revokeInvite, setDeactivated, setRole, type InviteRow } from "../db/accounts";
import { createRouter } from "../lib/app";
import { toBase64Url } from "../lib/encoding";
import { ApiError } from "../lib/errors";
import { errorResponses, jsonBody, jsonResponse } from "../schemas";
import { endSessions } from "./end-sessions";
import { setSignupMode, signupMode, SIGNUP_MODES } from "./signup-policy";
import { botAdminRoutes } from "./bot-routes";

/**
 * The administrator's REST API (docs/admin.md): users (list, role, deactivation), the sign-up
 * mode, invites, and bots (bot-routes.ts; docs/bots.md). Every route answers 403 `not_admin`
 * to anyone else.
 */
export const adminRoutes = createRouter();
adminRoutes.use("/admin/*", requireUser, requireAdmin);
adminRoutes.route("/", botAdminRoutes);

const security = [{ bearer: [] }];
const tags = ["admin"];
/** Longest an invite may live, and most uses. */
export const INVITE_MAX_DAYS = 30;
export const INVITE_MAX_USES = 1000;

const UserIdParam = z.object({ userId: z.string().min(1).max(64).openapi({ param: { name: "userId", in: "path" } }) });

const AdminUserSchema = z
  .object({
    id: z.string(),
    username: z.string(),
    role: z.enum(["admin", "member", "bot"]),
    createdAt: z.string(),
    deactivated: z.boolean(),
  })
  .openapi("AdminUser");

const InviteSchema = z
  .object({
    code: z.string(),
    url: z.string().openapi({ description: "the sign-up page with the code filled in" }),
    createdAt: z.string(),
    expiresAt: z.string(),
    maxUses: z.number().int(),
    uses: z.number().int(),
  })
  .openapi("Invite");

const toInvite = (r: InviteRow, origin: string) => ({
  code: r.code,
  url: `${origin}/signup?invite=${encodeURIComponent(r.code)}`,
  createdAt: new Date(r.created_at).toISOString(),
  expiresAt: new Date(r.expires_at).toISOString(),
  maxUses: r.max_uses,
  uses: r.uses,
});

adminRoutes.openapi(
  createRoute({
    method: "get",
    path: "/admin/users",
    tags,
    security,
    summary: "Every account, by username, in pages of up to 200",
    request: { query: z.object({ after: z.string().max(32).default("").openapi({ description: "the last username of the previous page" }), limit: z.coerce.number().int().min(1).max(200).default(100) }) },
    responses: { 200: jsonResponse(z.object({ users: z.array(AdminUserSchema) }), "Accounts"), ...errorResponses(400, 401, 403) },
  }),
  async (c) => {
    const { after, limit } = c.req.valid("query");
    const rows = await listAccounts(c.env.DB, after, limit);
    return c.json(
      {
        users: rows.map((r) => ({
          id: r.id,
          username: r.username,
          role: effectiveRole(c.env, r.username, r.role),
          createdAt: new Date(r.created_at).toISOString(),
          deactivated: r.deactivated_at !== null,
        })),
      },
      200,
    );
  },
);

/** Refuses what would leave the server without an active administrator. */
async function keepAnAdmin(db: D1Database, userId: string): Promise<void> {
  const state = await accountState(db, userId);
  if (state?.role === "admin" && !state.deactivated && (await activeAdmins(db)) <= 1) {
    throw new ApiError(409, "last_admin", "this is the last administrator: make someone else one first");
  }
}

adminRoutes.openapi(
  createRoute({
    method: "put",
    path: "/admin/users/{userId}/role",
    tags,
    security,
    summary: "Make an account an administrator, or a member again",
    description: "The last active administrator cannot step down (409 last_admin). Names in ADMIN_USERNAMES stay administrators whatever this says. Bots keep their role.",
    request: { params: UserIdParam, body: jsonBody(z.object({ role: z.enum(["admin", "member"]) })) },
    responses: { 200: jsonResponse(z.object({ role: z.enum(["admin", "member"]) }), "The new role"), ...errorResponses(400, 401, 403, 404, 409) },
  }),
  async (c) => {
    const { userId } = c.req.valid("param");
    const { role } = c.req.valid("json");
    if (role === "member") await keepAnAdmin(c.env.DB, userId);
    if (!(await setRole(c.env.DB, userId, role))) throw new ApiError(404, "user_not_found", "no such user (or a bot, whose role does not change)");
    return c.json({ role }, 200);
  },
);

for (const [action, at] of [
  ["deactivate", () => Date.now()],
  ["reactivate", () => null],
] as const) {
  adminRoutes.openapi(
    createRoute({
      method: "post",
      path: `/admin/users/{userId}/${action}`,
      tags,
      security,
      summary:
        action === "deactivate"
          ? "Deactivate an account: its sessions stop working at the next request and its open sockets close (4001), it cannot log in; its messages stay"
          : "Reactivate a deactivated account (it logs in again)",
      request: { params: UserIdParam },
      responses: { 204: { description: "Done" }, ...errorResponses(401, 403, 404, 409) },
    }),
    async (c) => {
      const { userId } = c.req.valid("param");
      if (action === "deactivate") await keepAnAdmin(c.env.DB, userId);
      if (!(await setDeactivated(c.env.DB, userId, at()))) throw new ApiError(404, "user_not_found", "no such user");
      // Its requests are refused from now on (auth/account.ts); its open sockets close too.
      if (action === "deactivate") endSessions(c, userId, "this account is deactivated");
      return c.body(null, 204);
    },
  );
}

const Settings = z.object({ signupMode: z.enum(["open", "invite", "closed"]) }).openapi("AdminSettings");

adminRoutes.openapi(
  createRoute({
    method: "get",
    path: "/admin/settings",
    tags,
    security,
    summary: "The server's settings: who may sign up",
    responses: { 200: jsonResponse(Settings, "Settings"), ...errorResponses(401, 403) },
  }),
  async (c) => c.json({ signupMode: await signupMode(c.env) }, 200),
);

adminRoutes.openapi(
  createRoute({
    method: "put",
    path: "/admin/settings",
    tags,
    security,
    summary: `Change who may sign up: ${SIGNUP_MODES.join(", ")} (stored; it wins over SIGNUP_MODE)`,
    request: { body: jsonBody(Settings) },
    responses: { 200: jsonResponse(Settings, "Settings as they are now"), ...errorResponses(400, 401, 403) },
  }),
  async (c) => {
    await setSignupMode(c.env, c.req.valid("json").signupMode);
    return c.json({ signupMode: await signupMode(c.env) }, 200);
  },
);

adminRoutes.openapi(
  createRoute({
    method: "post",
    path: "/admin/invites",
    tags,
    security,
    summary: "Create an invite link for sign-up in invite mode",
    description: `expiresAt: at most ${INVITE_MAX_DAYS} days ahead (default 7 days); maxUses: 1-${INVITE_MAX_USES} (default 1).`,
    request: {
      body: jsonBody(
        z.object({
          expiresAt: z.string().datetime({ offset: true }).optional().openapi({ description: "ISO 8601 time, in the future" }),
          maxUses: z.number().int().min(1).max(INVITE_MAX_USES).default(1),
        }),
      ),
    },
    responses: { 201: jsonResponse(InviteSchema, "The invite"), ...errorResponses(400, 401, 403) },
  }),
  async (c) => {
    const { expiresAt, maxUses } = c.req.valid("json");
    const now = Date.now();
    const expires = expiresAt === undefined ? now + 7 * 86_400_000 : Date.parse(expiresAt);
    if (expires <= now || expires > now + INVITE_MAX_DAYS * 86_400_000) {
      throw new ApiError(400, "validation_error", `expiresAt must be in the future and at most ${INVITE_MAX_DAYS} days ahead`);
    }
    const row: InviteRow = {
      code: toBase64Url(crypto.getRandomValues(new Uint8Array(12))),
      created_by: c.var.user.id,
      created_at: now,
      expires_at: expires,
      max_uses: maxUses,
      uses: 0,
      revoked_at: null,
    };
    await insertInvite(c.env.DB, row);
    return c.json(toInvite(row, new URL(c.req.url).origin), 201);
  },
);

adminRoutes.openapi(
  createRoute({
    method: "get",
    path: "/admin/invites",
    tags,
    security,
    summary: "Invites not revoked, newest first (used-up and expired ones included, to see their uses)",
    responses: { 200: jsonResponse(z.object({ invites: z.array(InviteSchema) }), "Invites"), ...errorResponses(401, 403) },
  }),
  async (c) => {
    const origin = new URL(c.req.url).origin;
    return c.json({ invites: (await listInvites(c.env.DB)).map((r) => toInvite(r, origin)) }, 200);
  },
);

adminRoutes.openapi(
  createRoute({
    method: "delete",
    path: "/admin/invites/{code}",
    tags,
    security,
    summary: "Revoke an invite: it signs no one up any more",
    request: { params: z.object({ code: z.string().min(1).max(64).openapi({ param: { name: "code", in: "path" } }) }) },
    responses: { 204: { description: "Revoked" }, ...errorResponses(401, 403, 404) },
  }),
  async (c) => {
    if (!(await revokeInvite(c.env.DB, c.req.valid("param").code, Date.now()))) throw new ApiError(404, "invite_not_found", "no such invite (or revoked already)");
    return c.body(null, 204);
  },
);
