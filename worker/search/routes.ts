import { createRoute, z } from "@hono/zod-openapi";
import { requireUser } from "../auth/middleware";
import { NOT_A_MEMBER } from "../contract/errors";
import { userIdByName } from "../db/search";
import { lookupMembership } from "../db/rooms";
import { createRouter } from "../lib/app";
import { ApiError } from "../lib/errors";
import { errorResponses, jsonResponse } from "../schemas";
import { MAX_PHRASES, MAX_QUERY_CHARS, parseQuery } from "./query";
import { decodeCursor, search, SEARCH_DEFAULT_LIMIT, SEARCH_MAX_LIMIT } from "./search";

/**
 * REST for finding messages (docs/search.md): `GET /api/search` over every room and DM I am
 * in, and `GET /api/mentions`, the messages that mention me. Both answer a `SearchPage`.
 */
export const searchRoutes = createRouter();
searchRoutes.use("/search", requireUser);
searchRoutes.use("/mentions", requireUser);

const security = [{ bearer: [] }];
const tags = ["search"];

const SnippetSchema = z
  .object({
    text: z.string(),
    marks: z.array(z.tuple([z.number().int(), z.number().int()])).openapi({ description: "[start, end) of each match, UTF-16 offsets into text" }),
  })
  .openapi("Snippet", { description: "The message's text as it is now (a window around the first match when long, cut with …); never HTML" });

const SearchPageSchema = z
  .object({
    hits: z.array(
      z
        .object({
          roomId: z.string(),
          roomName: z.string().openapi({ description: "as my room list names it (a DM: the other person's username)" }),
          visibility: z.enum(["public", "private", "dm"]),
          seq: z.number().int(),
          userId: z.string(),
          username: z.string(),
          ts: z.number().int().openapi({ description: "when it was sent, ms since the epoch" }),
          kind: z.enum(["text", "image", "file", "audio"]),
          snippet: SnippetSchema,
        })
        .openapi("SearchHit"),
    ),
    nextCursor: z.string().nullable().openapi({ description: "pass as `cursor` for the next (older) page; null at the end" }),
  })
  .openapi("SearchPage");

const paging = {
  limit: z.coerce.number().int().min(1).max(SEARCH_MAX_LIMIT).default(SEARCH_DEFAULT_LIMIT),
  cursor: z.string().max(64).optional().openapi({ description: "nextCursor of the previous page" }),
};

/** A date filter as ms since the epoch: an ISO 8601 date (midnight UTC) or date and time. */
const isoDate = (field: string) =>
  z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:?\d{2})?)?$/, `${field} must be an ISO 8601 date such as 2026-12-01 or 2026-12-01T09:30:00Z`)
    .transform((text, ctx) => {
      const ms = Date.parse(/T| /.test(text) && !/(Z|[+-]\d{2}:?\d{2})$/.test(text) ? `${text}Z` : text);
      if (Number.isNaN(ms)) ctx.addIssue({ code: "custom", message: `${field} is not a real date` });
      return ms;
    });

function cursorOf(cursor: string | undefined): number | undefined {
  if (cursor === undefined) return undefined;
  const id = decodeCursor(cursor);
  if (id === null) throw new ApiError(400, "invalid_cursor", "cursor is not one this server gave: pass nextCursor as it came");
  return id;
}

searchRoutes.openapi(
  createRoute({
    method: "get",
    path: "/search",
    tags,
    security,
    summary: "Search messages in every room and DM I am in, newest first",
    description:
      `Words match case- and accent-insensitively, each as a prefix ("deplo" finds "deploy"); "quoted phrases" match whole words in order; all must match. ` +
      `No other syntax: * - : ( ) NEAR AND OR are text. Up to ${MAX_QUERY_CHARS} characters and ${MAX_PHRASES} words or phrases. ` +
      "Hits are checked against each room's messages as they are now; a page may hold fewer than `limit` hits while nextCursor is not null. " +
      "A message is found once its room's copy to D1 ran (docs/search.md, 'Fresh results').",
    request: {
      query: z.object({
        q: z.string().openapi({ description: `the query, 1-${MAX_QUERY_CHARS} characters`, example: "deplo \"release notes\"" }),
        room: z.string().min(1).max(64).optional().openapi({ description: "only this room (403 not_a_member when I am not in it, or it does not exist)" }),
        from: z.string().max(32).optional().openapi({ description: "only messages by this username" }),
        after: isoDate("after").optional().openapi({ type: "string", description: "sent at or after this date (UTC) or time" }),
        before: isoDate("before").optional().openapi({ type: "string", description: "sent before this date (UTC) or time" }),
        has: z.enum(["file", "image", "link"]).optional().openapi({ description: "file: any attachment; image; link: an http(s) URL in the text" }),
        ...paging,
      }),
    },
    responses: { 200: jsonResponse(SearchPageSchema, "Hits, newest first"), ...errorResponses(400, 401, 403) },
  }),
  async (c) => {
    const query = c.req.valid("query");
    const parsed = parseQuery(query.q);
    if (!parsed.ok) throw new ApiError(400, "invalid_query", parsed.message);
    const belowId = cursorOf(query.cursor);
    if (query.room !== undefined && typeof (await lookupMembership(c.env.DB, query.room, c.var.user.id)) === "string") {
      throw new ApiError(403, "not_a_member", NOT_A_MEMBER);
    }
    let fromUserId: string | undefined;
    if (query.from !== undefined) {
      const id = await userIdByName(c.env.DB, query.from.trim().toLowerCase());
      // No such user wrote anything: an empty page, as for any author with no hits.
      if (id === null) return c.json({ hits: [], nextCursor: null }, 200);
      fromUserId = id;
    }
    const page = await search(c.env, {
      user: c.var.user,
      find: { phrases: parsed.phrases },
      roomId: query.room,
      fromUserId,
      after: query.after,
      before: query.before,
      has: query.has,
      limit: query.limit,
      belowId,
    });
    return c.json(page, 200);
  },
);

searchRoutes.openapi(
  createRoute({
    method: "get",
    path: "/mentions",
    tags,
    security,
    summary: "Recent messages that mention me across my rooms, newest first",
    description: "By `@username`, or an `@room` written by the room's owner (docs/protocol.md 'Mentions'). Paged like search.",
    request: { query: z.object(paging) },
    responses: { 200: jsonResponse(SearchPageSchema, "Mentions, newest first"), ...errorResponses(400, 401) },
  }),
  async (c) => {
    const query = c.req.valid("query");
    const page = await search(c.env, { user: c.var.user, find: { mentions: true }, limit: query.limit, belowId: cursorOf(query.cursor) });
    return c.json(page, 200);
  },
);
