import { createRoute, z } from "@hono/zod-openapi";
import { createRouter } from "../lib/app";
import { MAX_BODY_CHARS, MAX_REACTIONS_PER_MESSAGE } from "../contract/wire";
import { errorResponses, jsonBody, jsonResponse, MessageSchema, RoomIdParam, userText } from "../schemas";
import type { ChangeInput } from "../gateway/change";
import { changeMessage } from "../gateway/change-message";
import { HISTORY_DEFAULT_LIMIT, HISTORY_MAX_LIMIT, historyPage } from "../gateway/history";
import { postMessage } from "../gateway/post";
import type { Context } from "hono";
import type { AppEnv } from "../lib/app";
import { refusalError } from "./refusals";

/**
 * REST for messages: post, history pages, and changes (edit, delete, reactions), as thin
 * translations onto the gateway (worker/gateway/). Mounted by routes.ts behind its sign-in.
 */
export const messageRoutes = createRouter();

const security = [{ bearer: [] }];
const tags = ["messages"];
const seqText = (what: string) =>
  z
    .string()
    .regex(/^\d{1,15}$/, `${what} must be a whole number`)
    .transform(Number);
const MessageParams = RoomIdParam.extend({ seq: seqText("seq").openapi({ param: { name: "seq", in: "path" }, example: "42" }) });
const ReactionParams = MessageParams.extend({
  emoji: z.string().openapi({ param: { name: "emoji", in: "path" }, description: "one emoji, URL-encoded", example: "%F0%9F%91%8D" }),
});

const PostMessage = z
  .object({
    body: userText("body")
      .optional()
      .openapi({ description: `1-${MAX_BODY_CHARS} characters after trimming; for media an optional caption`, example: "hello 👋" }),
    clientId: z.string().openapi({ description: "1-64 chars of A-Z a-z 0-9 _ - . : ; a retry with the same clientId is stored once" }),
    kind: z.enum(["text", "image", "file", "audio"]).optional().openapi({ description: "default text" }),
    attachment: z
      .object({
        uploadId: z.string(),
        width: z.number().int().optional(),
        height: z.number().int().optional(),
        duration: z.number().optional().openapi({ description: "seconds, for audio" }),
      })
      .optional()
      .openapi({ description: "for image, file and audio: an upload of yours into this room (POST /api/rooms/{id}/uploads)" }),
    replyTo: z.number().int().optional().openapi({ description: "the seq of the message this one answers, in this room (404 message_not_found otherwise)" }),
  })
  .openapi("PostMessage");

messageRoutes.openapi(
  createRoute({
    method: "post",
    path: "/rooms/{id}/messages",
    tags,
    security,
    summary: "Send a message (for bots and scripts; the same rules as the socket)",
    request: { params: RoomIdParam, body: jsonBody(PostMessage) },
    responses: {
      201: jsonResponse(MessageSchema, "Stored and delivered"),
      200: jsonResponse(MessageSchema, "This clientId was already stored: the original message"),
      ...errorResponses(400, 401, 403, 404, 429),
    },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    const result = await postMessage(c.env, id, c.var.user, c.req.valid("json"), "rest");
    if (!result.ok) throw refusalError(result, c);
    return c.json(result.message, result.duplicate ? 200 : 201);
  },
);

messageRoutes.openapi(
  createRoute({
    method: "get",
    path: "/rooms/{id}/messages",
    tags,
    security,
    summary: "History, newest first: the newest page, or the page before, after or around a seq",
    description:
      "Every message in its current state (edits, reactions, replies; deleted ones as tombstones). At most one of before, after and around. " +
      "`around` answers about half older and half newer messages, the one asked for included (404 message_not_found when there is no such seq).",
    request: {
      params: RoomIdParam,
      query: z.object({
        before: z.coerce.number().int().min(1).optional().openapi({ description: "only messages with a smaller seq" }),
        after: z.coerce.number().int().min(0).optional().openapi({ description: "only messages with a greater seq (the page toward the newest)" }),
        around: z.coerce.number().int().min(1).optional().openapi({ description: "a page centred on this seq, it included (to jump to a message)" }),
        limit: z.coerce.number().int().min(1).max(HISTORY_MAX_LIMIT).default(HISTORY_DEFAULT_LIMIT),
      }),
    },
    responses: {
      200: jsonResponse(z.object({ messages: z.array(MessageSchema) }), "Messages, newest first"),
      ...errorResponses(400, 401, 403, 404),
    },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    const page = await historyPage(c.env, id, c.var.user.id, c.req.valid("query"));
    if (!page.ok) throw refusalError(page, c);
    // The room wrote the page's JSON (RoomObject.historyJson); it goes out as it is.
    return c.body(`{"messages":${page.json}}`, 200, { "content-type": "application/json" }) as never;
  },
);

/** Applies a change through the gateway and answers the message's new state. */
async function answerChange(c: Context<AppEnv>, roomId: string, input: ChangeInput) {
  const result = await changeMessage(c.env, roomId, c.var.user, input, "rest");
  if (!result.ok) throw refusalError(result, c);
  return c.json(result.message, 200);
}

const changeErrors = (...extra: (409 | 429)[]) => errorResponses(400, 401, 403, 404, ...extra, 429);

messageRoutes.openapi(
  createRoute({
    method: "patch",
    path: "/rooms/{id}/messages/{seq}",
    tags,
    security,
    summary: "Edit your message's text (or a media message's caption); it keeps its seq and gains editedAt",
    description: "Only the author (403 not_author). A deleted message or unknown seq: 404 message_not_found. Edits send no push.",
    request: {
      params: MessageParams,
      body: jsonBody(z.object({ body: userText("body").openapi({ description: `1-${MAX_BODY_CHARS} characters after trimming (a caption may be empty)` }) })),
    },
    responses: { 200: jsonResponse(MessageSchema, "The message as it is now"), ...changeErrors() },
  }),
  async (c) => {
    const { id, seq } = c.req.valid("param");
    return answerChange(c, id, { op: "edit", seq, body: c.req.valid("json").body });
  },
);

messageRoutes.openapi(
  createRoute({
    method: "delete",
    path: "/rooms/{id}/messages/{seq}",
    tags,
    security,
    summary: "Delete a message (yours, or any as the room's owner): a tombstone stays in its place",
    description:
      "The text is removed from the room and from D1, an attachment's bytes from R2 (its signed URLs then answer 410 gone). " +
      "Answers the tombstone: deleted true, body empty, no attachment, reactions or replyTo. A message already deleted: 404 message_not_found.",
    request: { params: MessageParams },
    responses: { 200: jsonResponse(MessageSchema, "The tombstone"), ...changeErrors() },
  }),
  async (c) => {
    const { id, seq } = c.req.valid("param");
    return answerChange(c, id, { op: "delete", seq });
  },
);

for (const [method, on] of [
  ["put", true],
  ["delete", false],
] as const) {
  messageRoutes.openapi(
    createRoute({
      method,
      path: "/rooms/{id}/messages/{seq}/reactions/{emoji}",
      tags,
      security,
      summary: on ? "React to a message with one emoji (idempotent)" : "Take your reaction back (idempotent)",
      description: on
        ? `Any member. One emoji: a single RGI emoji, skin tones and ZWJ sequences included (400 invalid_emoji otherwise). At most ${MAX_REACTIONS_PER_MESSAGE} different emoji per message: another one is 409 too_many_reactions.`
        : "Removing a reaction you have not made changes nothing and answers the message.",
      request: { params: ReactionParams },
      responses: { 200: jsonResponse(MessageSchema, "The message with its reactions"), ...changeErrors(...(on ? [409 as const] : [])) },
    }),
    async (c) => {
      const { id, seq, emoji } = c.req.valid("param");
      return answerChange(c, id, { op: "react", seq, emoji, on });
    },
  );
}
