import { createRoute, z } from "@hono/zod-openapi";
import { matchesHash, secretHash } from "../auth/bot-tokens";
import { MAX_BODY_CHARS } from "../contract/wire";
import * as store from "../db/rooms";
import { countRoomWebhooks, deleteRoomWebhook, insertRoomWebhook, listRoomWebhooks, MAX_ROOM_WEBHOOKS, roomWebhook, webhookForPost, type RoomWebhookRow } from "../db/bots";
import { createRouter } from "../lib/app";
import { toBase64Url } from "../lib/encoding";
import { ApiError } from "../lib/errors";
import { newId } from "../lib/ids";
import { errorResponses, jsonBody, jsonResponse, MessageSchema, newUsername, RoomIdParam, userText } from "../schemas";
import { refusalError } from "./refusals";

/**
 * Incoming webhooks (docs/bots.md): a room's members make secret URLs that post into the room
 * without a bearer token, as a named integration (`bot: true`), under the room's rate limit
 * like a user. Only a hash of each URL's secret is kept. Mounted by routes.ts: the room routes
 * sit behind its sign-in, the secret URL (`/hooks/…`) takes none.
 */
export const webhookRoutes = createRouter();

const security = [{ bearer: [] }];
const tags = ["webhooks"];

const WebhookSchema = z
  .object({
    id: z.string(),
    name: z.string().openapi({ description: "the author name its messages carry" }),
    createdAt: z.string(),
    createdBy: z.object({ id: z.string(), username: z.string() }),
  })
  .openapi("Webhook");

const HookParams = RoomIdParam.extend({ hookId: z.string().min(1).max(64).openapi({ param: { name: "hookId", in: "path" } }) });

const toWebhook = (r: RoomWebhookRow) => ({
  id: r.id,
  name: r.name,
  createdAt: new Date(r.created_at).toISOString(),
  createdBy: { id: r.created_by, username: r.creator ?? "" },
});

/** A webhook's room, if `userId` is a member of it and it is not a DM (a DM stays between its two). */
async function hookRoom(db: D1Database, roomId: string, userId: string) {
  const room = await store.requireMembership(db, roomId, userId);
  if (room.visibility === "dm") throw new ApiError(403, "dm_no_webhooks", "a direct message has no webhooks");
  return room;
}

webhookRoutes.openapi(
  createRoute({
    method: "post",
    path: "/rooms/{id}/webhooks",
    tags,
    security,
    summary: "Create an incoming webhook: a secret URL that posts into this room",
    description: `Any member of a room (not a DM) may. The URL is shown this once; POST \`{"body"}\` or Slack's \`{"text"}\` to it. A room has at most ${MAX_ROOM_WEBHOOKS}.`,
    request: { params: RoomIdParam, body: jsonBody(z.object({ name: newUsername("name").openapi({ example: "ci" }) })) },
    responses: {
      201: jsonResponse(WebhookSchema.extend({ url: z.string().openapi({ description: "the secret URL, shown this once" }) }), "The webhook"),
      ...errorResponses(400, 401, 403, 404, 409),
    },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    await hookRoom(c.env.DB, id, c.var.user.id);
    if ((await countRoomWebhooks(c.env.DB, id)) >= MAX_ROOM_WEBHOOKS) throw new ApiError(409, "too_many_webhooks", `a room has at most ${MAX_ROOM_WEBHOOKS} webhooks`);
    const hookId = newId("wh");
    const secret = toBase64Url(crypto.getRandomValues(new Uint8Array(32)));
    const row = { id: hookId, room_id: id, name: c.req.valid("json").name, created_by: c.var.user.id, creator: c.var.user.username, created_at: Date.now() };
    await insertRoomWebhook(c.env.DB, { id: hookId, roomId: id, name: row.name, secretHash: await secretHash(secret), createdBy: row.created_by, createdAt: row.created_at });
    return c.json({ ...toWebhook(row), url: `${new URL(c.req.url).origin}/api/hooks/${hookId}/${secret}` }, 201);
  },
);

webhookRoutes.openapi(
  createRoute({
    method: "get",
    path: "/rooms/{id}/webhooks",
    tags,
    security,
    summary: "The room's incoming webhooks (without their secret URLs)",
    request: { params: RoomIdParam },
    responses: { 200: jsonResponse(z.object({ webhooks: z.array(WebhookSchema) }), "Webhooks"), ...errorResponses(400, 401, 403, 404) },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    await hookRoom(c.env.DB, id, c.var.user.id);
    return c.json({ webhooks: (await listRoomWebhooks(c.env.DB, id)).map(toWebhook) }, 200);
  },
);

webhookRoutes.openapi(
  createRoute({
    method: "delete",
    path: "/rooms/{id}/webhooks/{hookId}",
    tags,
    security,
    summary: "Revoke an incoming webhook: its URL answers 404 from now on (its messages stay)",
    description: "Its creator, the room's owner or a moderator may (403 not_allowed for other members). A hook whose creator is no longer an active member of the room posts nothing (404).",
    request: { params: HookParams },
    responses: { 204: { description: "Revoked" }, ...errorResponses(400, 401, 403, 404) },
  }),
  async (c) => {
    const { id, hookId } = c.req.valid("param");
    const room = await hookRoom(c.env.DB, id, c.var.user.id);
    const hook = await roomWebhook(c.env.DB, id, hookId);
    if (!hook) throw new ApiError(404, "webhook_not_found", "no such webhook in this room");
    if (hook.created_by !== c.var.user.id && room.role === "member") {
      throw new ApiError(403, "not_allowed", "only the webhook's creator, the room's owner or a moderator can revoke it");
    }
    await deleteRoomWebhook(c.env.DB, id, hookId);
    return c.body(null, 204);
  },
);

const HookPost = z
  .object({
    body: userText("body").optional().openapi({ description: `the message, 1-${MAX_BODY_CHARS} characters after trimming` }),
    text: userText("text").optional().openapi({ description: "Slack's name for it: used when `body` is absent" }),
  })
  .refine((p) => p.body !== undefined || p.text !== undefined, "send `body` (or Slack's `text`)")
  .openapi("WebhookPost");

webhookRoutes.openapi(
  createRoute({
    method: "post",
    path: "/hooks/{hookId}/{secret}",
    tags,
    summary: "Post through an incoming webhook (no bearer token: the URL is the secret)",
    description:
      "The message's author is the webhook (its name as username, its id as userId) with `bot: true`; it calls no bot's webhook. Rate limited like a user (429 with Retry-After). An unknown or revoked webhook, or a wrong secret, answers 404.",
    request: {
      params: z.object({
        hookId: z.string().min(1).max(64).openapi({ param: { name: "hookId", in: "path" } }),
        secret: z.string().min(1).max(128).openapi({ param: { name: "secret", in: "path" } }),
      }),
      body: jsonBody(HookPost),
    },
    responses: { 201: jsonResponse(MessageSchema, "Posted"), ...errorResponses(400, 404, 429) },
  }),
  async (c) => {
    const { hookId, secret } = c.req.valid("param");
    const hook = await webhookForPost(c.env.DB, hookId);
    if (!hook || !(await matchesHash(secret, hook.secret_hash))) throw new ApiError(404, "webhook_not_found", "no such webhook (revoked, or a wrong URL)");
    const { body, text } = c.req.valid("json");
    const author = { id: hookId, username: hook.name, role: "bot" as const };
    const result = await c.env.ROOMS.getByName(hook.room_id).post(hook.room_id, author, { clientId: `hook.${crypto.randomUUID()}`, body: body ?? text }, "rest");
    if (!result.ok) throw refusalError(result, c);
    return c.json(result.message, 201);
  },
);
