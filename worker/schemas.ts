import { z } from "@hono/zod-openapi";
import type * as rest from "./contract/rest";
import { RESERVED_USERNAMES } from "./contract/mentions";
import { cleanName, isWellFormed, malformedText } from "./lib/text";

/** Shapes shared by the REST routes; they generate the OpenAPI document. */

export const ErrorSchema = z
  .object({ error: z.object({ code: z.string(), message: z.string() }) })
  .openapi("Error", { example: { error: { code: "not_a_member", message: "you are not a member of this room" } } });

/** What everyone sees of a person besides the username. */
const profileFields = {
  displayName: z.string().optional().openapi({ description: "1-64 characters, shown with the username; absent when not set" }),
  avatarUrl: z.string().optional().openapi({ description: "their 256 px picture; a new URL when it changes; absent when none" }),
};

export const UserSchema = z
  .object({
    id: z.string(),
    username: z.string(),
    ...profileFields,
    createdAt: z.string().optional(),
    readReceipts: z.boolean().optional().openapi({ description: "my own account only: whether I send (and see) read receipts" }),
    role: z.enum(["admin", "member", "bot"]).optional().openapi({ description: "my own account (and administrators' user list): admin, member or bot" }),
  })
  .openapi("User");

export const UserIdParam = z.object({
  id: z.string().min(1).max(64).openapi({ param: { name: "id", in: "path" }, example: "u_k3j9q0..." }),
});

export const RoomIdParam = z.object({
  id: z.string().min(1).max(64).openapi({ param: { name: "id", in: "path" }, example: "r_k3j9q0..." }),
});

export const RoleSchema = z.enum(["owner", "moderator", "member"]).openapi("Role", { description: "a member's role in the room (docs/admin.md)" });

export const RoomSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    topic: z.string(),
    visibility: z.enum(["public", "private", "dm"]),
    createdAt: z.string(),
    lastSeq: z.number().int(),
    lastMessageAt: z.string().nullable(),
    unread: z.number().int(),
    role: RoleSchema,
    notify: z.enum(["all", "mentions", "muted"]).openapi({ description: "my push setting for this room" }),
    archived: z.literal(true).optional().openapi({ description: "present when the room is archived: read-only, not in Browse" }),
    dmWith: z.object({ id: z.string(), username: z.string(), ...profileFields }).optional(),
  })
  .openapi("Room");

export const MemberSchema = z
  .object({
    id: z.string(),
    username: z.string(),
    ...profileFields,
    role: RoleSchema,
    lastReadSeq: z
      .number()
      .int()
      .optional()
      .openapi({ description: "how far this member has read: in a DM or a room of at most 20 members, when both they and I send read receipts" }),
  })
  .openapi("Member");

export const RoomDetailSchema = RoomSchema.extend({ members: z.array(MemberSchema) }).openapi("RoomDetail");

export const PublicRoomSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    topic: z.string(),
    visibility: z.literal("public"),
    createdAt: z.string(),
    memberCount: z.number().int(),
    joined: z.boolean(),
  })
  .openapi("PublicRoom");

export const BanSchema = z
  .object({
    userId: z.string(),
    username: z.string(),
    bannedBy: z.string().openapi({ description: "the user id of who banned them" }),
    createdAt: z.string(),
  })
  .openapi("Ban");

export const MessageSchema = z
  .object({
    roomId: z.string(),
    seq: z.number().int().openapi({ description: "Per-room sequence number, from 1, without gaps" }),
    ts: z.number().int().openapi({ description: "Milliseconds since the Unix epoch" }),
    userId: z.string(),
    username: z.string(),
    kind: z.enum(["text", "image", "file", "audio"]),
    body: z.string(),
    clientId: z.string(),
    attachment: z
      .object({
        id: z.string(),
        name: z.string(),
        size: z.number().int(),
        type: z.string().openapi({ description: "sniffed from the bytes" }),
        width: z.number().int().optional(),
        height: z.number().int().optional(),
        duration: z.number().optional(),
      })
      .optional()
      .openapi("Attachment"),
    editedAt: z.number().int().optional().openapi({ description: "When the body was last edited (ms since the epoch); absent if never" }),
    deleted: z.literal(true).optional().openapi({ description: "A tombstone: body empty; no attachment, reactions or replyTo" }),
    reactions: z
      .array(z.object({ emoji: z.string(), count: z.number().int(), userIds: z.array(z.string()) }).openapi("Reaction"))
      .optional()
      .openapi({ description: "In the order each emoji was first used; absent when none" }),
    replyTo: z
      .object({
        seq: z.number().int(),
        userId: z.string(),
        username: z.string(),
        excerpt: z.string().openapi({ description: "The original's first 100 characters as it is now; empty once deleted" }),
        deleted: z.boolean(),
      })
      .optional()
      .openapi("ReplyRef", { description: "The message this one answers" }),
    mentionsRoom: z.literal(true).optional().openapi({ description: "Its `@room` mentions every member (written by the room's owner)" }),
    bot: z.literal(true).optional().openapi({ description: "Written by a bot or an incoming webhook (docs/bots.md)" }),
  })
  .openapi("Message");

/**
 * User text in a request body (lib/text.ts, "one rule for text"): well-formed Unicode, or 400
 * `validation_error` naming the field. Text is then kept as sent.
 */
export function userText(field: string) {
  return z.string().refine(isWellFormed, malformedText(field));
}

/**
 * A name or topic: well-formed Unicode (or 400 naming the field), then stored without control
 * characters and bidi overrides/isolates, trimmed, and `min`-`max` characters long.
 */
export function nameText(field: string, min: number, max: number) {
  const text = userText(field).overwrite(cleanName).trim();
  const bounded = text.max(max, `${field} must be at most ${max} characters`);
  return min > 0 ? bounded.min(min, `${field} must not be empty`) : bounded;
}

/**
 * A name that may be cleared (a display name): null, "" or only spaces clear it; otherwise
 * nameText's rule with 1-`max` characters. Text that is nothing but control and bidi characters
 * is refused rather than taken as a clear (docs/protocol.md "Text": a name empty once stripped
 * is refused).
 */
export function clearableNameText(field: string, max: number) {
  return userText(field)
    .refine((t) => t.trim() === "" || cleanName(t).trim() !== "", `${field} must have a character other than control and bidi characters`)
    .pipe(nameText(field, 0, max))
    .nullable();
}

export const USERNAME_PATTERN = /^[a-z0-9_-]{3,32}$/;

export const Credentials = z
  .object({
    username: z
      .string()
      .trim()
      .toLowerCase()
      .regex(USERNAME_PATTERN, "username must be 3-32 characters of a-z 0-9 _ -")
      .openapi({ example: "alice" }),
    password: z.string().min(8, "password must be at least 8 characters").max(128, "password must be at most 128 characters"),
  })
  .openapi("Credentials");

/**
 * The name of a new account, a person's or a bot's (they share one namespace): the username
 * rule, and no name that means something in a message (`@room`; contract/mentions.ts).
 */
export function newUsername(field: string) {
  return z
    .string()
    .trim()
    .toLowerCase()
    .regex(USERNAME_PATTERN, `${field} must be 3-32 characters of a-z 0-9 _ -`)
    .refine((name) => !RESERVED_USERNAMES.includes(name), `${field} must not be one of ${RESERVED_USERNAMES.join(", ")}: they mean something in a message`);
}

/** Sign-up's credentials: a new username (newUsername) and, in invite mode, the invite. */
export const SignupCredentials = Credentials.extend({
  username: newUsername("username").openapi({ example: "alice" }),
  invite: z.string().max(64).optional().openapi({ description: "an invite code, needed when sign-up is by invite (docs/admin.md)" }),
}).openapi("SignupCredentials");

export const Username = z.object({
  username: z.string().trim().toLowerCase().regex(USERNAME_PATTERN, "username must be 3-32 characters of a-z 0-9 _ -"),
});

/** One error response with its own description, for a status that means something else on one route. */
export function errorResponse(description: string) {
  return { description, content: { "application/json": { schema: ErrorSchema } } };
}

export function errorResponses(...statuses: (400 | 401 | 403 | 404 | 409 | 429 | 503)[]) {
  const text: Record<number, string> = {
    400: "Invalid input",
    401: "Missing, invalid or expired token",
    403: "Not allowed (for example: not a member of the room)",
    404: "Not found",
    409: "Conflict",
    429: "Rate limited",
    503: "Unavailable",
  };
  return Object.fromEntries(
    statuses.map((s) => [s, errorResponse(text[s]!)]),
  );
}

export function jsonBody<T extends z.ZodType>(schema: T) {
  return { content: { "application/json": { schema } }, required: true };
}

export function jsonResponse<T extends z.ZodType>(schema: T, description: string) {
  return { description, content: { "application/json": { schema } } };
}

// One definition per contract: the zod schemas above must describe exactly the TypeScript types
// in contract/ that the client imports. A field added to one and not the other fails the typecheck.
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function agrees<_ extends true>(): void {}
agrees<Equal<z.infer<typeof UserSchema>, rest.User>>();
agrees<Equal<z.infer<typeof RoomSchema>, rest.Room>>();
agrees<Equal<z.infer<typeof MemberSchema>, rest.Member>>();
agrees<Equal<z.infer<typeof RoomDetailSchema>, rest.RoomDetails>>();
agrees<Equal<z.infer<typeof PublicRoomSchema>, rest.PublicRoom>>();
agrees<Equal<z.infer<typeof BanSchema>, rest.Ban>>();
agrees<Equal<z.infer<typeof MessageSchema>, rest.Message>>();
agrees<Equal<z.infer<typeof ErrorSchema>, rest.ErrorBody>>();
