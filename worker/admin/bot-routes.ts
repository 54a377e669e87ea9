import { createRoute, z } from "@hono/zod-openapi";
import { mintBotToken } from "../auth/bot-tokens";
import { newWebhookNonce, webhookSecret } from "../bots/signing";
import { insertBot, listBots, revokeBot, setBotToken, setBotWebhook, type BotRow } from "../db/bots";
import { endSessions } from "./end-sessions";
import { createRouter, type AppEnv } from "../lib/app";
import { ApiError } from "../lib/errors";
import { newId } from "../lib/ids";
import { isPublicHttpsUrl } from "../lib/public-url";
import { errorResponses, jsonBody, jsonResponse, newUsername } from "../schemas";

/**
 * Bots, for administrators (docs/bots.md): create one (its token shown once), list them, rotate
 * a token, revoke a bot, set its outgoing webhook (the signing secret shown once). Mounted by
 * admin/routes.ts behind its administrator check.
 */
export const botAdminRoutes = createRouter();

const security = [{ bearer: [] }];
const tags = ["bots"];

const BotIdParam = z.object({ botId: z.string().min(1).max(64).openapi({ param: { name: "botId", in: "path" } }) });

const BotSchema = z
  .object({
    id: z.string(),
    username: z.string(),
    createdAt: z.string(),
    webhookUrl: z.string().nullable().openapi({ description: "where mentions of the bot and DMs to it are POSTed; null: none" }),
    deactivated: z.boolean().openapi({ description: "deactivated by an administrator (POST /api/admin/users/{userId}/deactivate): its token is refused until reactivated" }),
  })
  .openapi("Bot");

const TokenDescription = "the bot's token, shown this once: send it as `Authorization: Bearer <token>` (or any protocol's session token)";

const toBot = (r: BotRow) => ({
  id: r.id,
  username: r.username,
  createdAt: new Date(r.created_at).toISOString(),
  webhookUrl: r.webhook_url,
  deactivated: r.deactivated_at !== null,
});

const noSuchBot = () => new ApiError(404, "bot_not_found", "no such bot (or revoked)");


botAdminRoutes.openapi(
  createRoute({
    method: "get",
    path: "/admin/bots",
    tags,
    security,
    summary: "The bots (revoked ones left out), by name",
    responses: { 200: jsonResponse(z.object({ bots: z.array(BotSchema) }), "Bots"), ...errorResponses(401, 403) },
  }),
  async (c) => c.json({ bots: (await listBots(c.env.DB)).map(toBot) }, 200),
);

botAdminRoutes.openapi(
  createRoute({
    method: "post",
    path: "/admin/bots",
    tags,
    security,
    summary: "Create a bot: an account of role bot, signed in by a token instead of a password",
    description: "The name follows the username rules and shares their namespace (409 username_taken). Add the bot to rooms like a person (POST /api/rooms/{id}/members), or open a DM with it.",
    request: { body: jsonBody(z.object({ name: newUsername("name").openapi({ example: "deploy-bot" }) })) },
    responses: {
      201: jsonResponse(z.object({ bot: BotSchema, token: z.string().openapi({ description: TokenDescription }) }), "The bot and its token"),
      ...errorResponses(400, 401, 403, 409),
    },
  }),
  async (c) => {
    const { name } = c.req.valid("json");
    const id = newId("u");
    const { token, hash } = await mintBotToken(id);
    const createdAt = Date.now();
    if (!(await insertBot(c.env.DB, { id, username: name, tokenHash: hash, createdBy: c.var.user.id, createdAt }))) {
      throw new ApiError(409, "username_taken", `the username \`${name}\` is taken`);
    }
    return c.json({ bot: toBot({ id, username: name, created_at: createdAt, webhook_url: null, deactivated_at: null }), token }, 201);
  },
);

botAdminRoutes.openapi(
  createRoute({
    method: "delete",
    path: "/admin/bots/{botId}",
    tags,
    security,
    summary: "Revoke a bot: its token stops at once and its open sockets close (4001); its messages stay, its name stays taken",
    request: { params: BotIdParam },
    responses: { 204: { description: "Revoked" }, ...errorResponses(401, 403, 404) },
  }),
  async (c) => {
    const { botId } = c.req.valid("param");
    if (!(await revokeBot(c.env.DB, botId, Date.now()))) throw noSuchBot();
    endSessions(c, botId, "session ended; sign in again");
    return c.body(null, 204);
  },
);

botAdminRoutes.openapi(
  createRoute({
    method: "post",
    path: "/admin/bots/{botId}/token",
    tags,
    security,
    summary: "Rotate a bot's token: the old one stops at once and its open sockets close (4001)",
    request: { params: BotIdParam },
    responses: { 200: jsonResponse(z.object({ token: z.string().openapi({ description: TokenDescription }) }), "The new token"), ...errorResponses(401, 403, 404) },
  }),
  async (c) => {
    const { botId } = c.req.valid("param");
    const { token, hash } = await mintBotToken(botId);
    if (!(await setBotToken(c.env.DB, botId, hash))) throw noSuchBot();
    endSessions(c, botId, "session ended; sign in again");
    return c.json({ token }, 200);
  },
);

botAdminRoutes.openapi(
  createRoute({
    method: "put",
    path: "/admin/bots/{botId}/webhook",
    tags,
    security,
    summary: "Set or clear a bot's outgoing webhook",
    description:
      "An https URL on a public host name (not an IP address, localhost or a local name such as .local or .internal), the rule push endpoints follow; null or \"\" clears it. Each URL set gets a new signing secret, shown this once (docs/bots.md).",
    request: { params: BotIdParam, body: jsonBody(z.object({ url: z.string().max(2000).nullable() })) },
    responses: {
      200: jsonResponse(
        z.object({
          url: z.string().nullable(),
          secret: z.string().optional().openapi({ description: "the webhook's signing secret, shown this once (absent when cleared)" }),
        }),
        "The webhook now",
      ),
      ...errorResponses(400, 401, 403, 404),
    },
  }),
  async (c) => {
    const { botId } = c.req.valid("param");
    const url = c.req.valid("json").url?.trim() || null;
    if (url !== null && !isPublicHttpsUrl(url)) {
      throw new ApiError(400, "validation_error", "url must be an https URL on a public host name, not an IP address, localhost or a local name");
    }
    const nonce = url === null ? null : newWebhookNonce();
    if (!(await setBotWebhook(c.env.DB, botId, url, nonce))) throw noSuchBot();
    if (nonce === null) return c.json({ url: null }, 200);
    return c.json({ url, secret: await webhookSecret(c.env.JWT_SECRET, botId, nonce) }, 200);
  },
);
