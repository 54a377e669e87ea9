import { createRoute, z } from "@hono/zod-openapi";
import { requireUser } from "../auth/middleware";
import type { Context } from "hono";
import { swapAvatar, userById } from "../db/users";
import { createRouter, type AppEnv } from "../lib/app";
import { toBase64Url } from "../lib/encoding";
import { ApiError } from "../lib/errors";
import {
  avatarKey,
  parseSignedCount,
  refuseSignature,
  signAvatarUpload,
  UPLOAD_URL_TTL_SECONDS,
  verifyAvatar,
  verifyAvatarUpload,
} from "../media/signing";
import { classify, INLINE_IMAGE_TYPES, SNIFF_BYTES } from "../media/sniff";
import { errorResponse, errorResponses, jsonBody, jsonResponse, UserIdParam, UserSchema } from "../schemas";
import { AVATAR_MAX_AGE_SECONDS, avatarSigner, presentUser } from "./profile";

/**
 * A user's avatar (issue #18 "People"; docs/media.md "Avatars"): the client resizes the picture
 * to 256 px, asks for an upload URL of its own (it names the user, not a room), PUTs the bytes
 * there, and the avatar is theirs. Its bytes are stored under their hash, so a new picture has a
 * new URL and a URL's bytes never change: served with a long, immutable cache lifetime.
 */
export const avatarRoutes = createRouter();

/** The largest avatar accepted: a 256 × 256 PNG without compression is about 256 KiB. */
export const AVATAR_MAX_BYTES = 512 * 1024;
const IMAGE_TYPES = [...INLINE_IMAGE_TYPES] as [string, ...string[]];
const tags = ["people"];
const security = [{ bearer: [] }];

const AvatarParams = UserIdParam.extend({
  version: z.string().regex(/^[A-Za-z0-9_-]{22}$/).openapi({ param: { name: "version", in: "path" }, description: "the hash of the avatar's bytes" }),
});

/** Someone's account as others see it, or `gone` when it no longer exists. */
async function userAnswer(c: Context<AppEnv>, userId: string, gone: () => ApiError) {
  const row = await userById(c.env.DB, userId);
  if (!row) throw gone();
  return presentUser(avatarSigner(c), row);
}

const accountGone = () => new ApiError(401, "invalid_token", "this account no longer exists");

// ---- 1. ask for an upload URL ---------------------------------------------------------------

avatarRoutes.use("/me/avatar", requireUser);
avatarRoutes.openapi(
  createRoute({
    method: "post",
    path: "/me/avatar",
    tags,
    security,
    summary: "Get a 15-minute URL to upload my avatar (a PNG, JPEG, WebP or GIF of at most 512 KiB)",
    description: "Then `PUT` the bytes to `uploadUrl` with the returned headers. The URL is for my account only; the picture becomes my avatar once stored.",
    request: {
      body: jsonBody(
        z.object({
          type: z.enum(IMAGE_TYPES, `type must be one of ${IMAGE_TYPES.join(", ")}`),
          size: z.number().int().min(1, "size must be at least 1 byte"),
        }),
      ),
    },
    responses: {
      201: jsonResponse(
        z.object({
          uploadUrl: z.string(),
          method: z.literal("PUT"),
          headers: z.record(z.string(), z.string()),
          expiresAt: z.string(),
          maxBytes: z.number(),
        }),
        "Where and how to send the bytes",
      ),
      413: errorResponse(`Larger than ${AVATAR_MAX_BYTES} bytes (too_large)`),
      ...errorResponses(400, 401),
    },
  }),
  async (c) => {
    const { type, size } = c.req.valid("json");
    if (size > AVATAR_MAX_BYTES) throw new ApiError(413, "too_large", `avatars are limited to ${AVATAR_MAX_BYTES} bytes`);
    const userId = c.var.user.id;
    const exp = Math.floor(Date.now() / 1000) + UPLOAD_URL_TTL_SECONDS;
    const sig = await signAvatarUpload(c.env.JWT_SECRET, { userId, size, type, exp });
    const q = new URLSearchParams({ size: String(size), type, exp: String(exp), sig });
    return c.json(
      {
        uploadUrl: `${new URL(c.req.url).origin}/api/users/${encodeURIComponent(userId)}/avatar?${q}`,
        method: "PUT" as const,
        headers: { "Content-Type": type },
        expiresAt: new Date(exp * 1000).toISOString(),
        maxBytes: AVATAR_MAX_BYTES,
      },
      201,
    );
  },
);

// ---- 2. the signed upload route -------------------------------------------------------------

avatarRoutes.openapi(
  createRoute({
    method: "put",
    path: "/users/{id}/avatar",
    tags,
    summary: "Send my avatar's bytes (the signed URL from POST /api/me/avatar; no bearer token)",
    request: {
      params: UserIdParam,
      query: z.object({ size: z.string(), type: z.string(), exp: z.string(), sig: z.string() }),
    },
    responses: {
      200: jsonResponse(UserSchema, "Stored: the user with the new avatarUrl"),
      411: errorResponse("Content-Length missing"),
      413: errorResponse("More bytes than granted"),
      415: errorResponse("The bytes are not a PNG, JPEG, WebP or GIF image (type_mismatch)"),
      ...errorResponses(400, 403, 404),
    },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    const q = c.req.valid("query");
    const size = parseSignedCount(q.size);
    const exp = parseSignedCount(q.exp);
    if (size === null || exp === null) refuseSignature("invalid");
    const verdict = await verifyAvatarUpload(c.env.JWT_SECRET, { userId: id, size, type: q.type, exp }, q.sig);
    if (verdict !== "ok") refuseSignature(verdict);

    const length = c.req.header("Content-Length");
    if (length === undefined) throw new ApiError(411, "length_required", "send Content-Length");
    if (Number(length) > size) throw new ApiError(413, "too_large", `this upload was granted for ${size} bytes`);
    // At most 512 KiB (the grant's limit): read whole, to name the file by its hash.
    const bytes = new Uint8Array(await c.req.arrayBuffer());
    if (bytes.byteLength !== size) throw new ApiError(400, "size_mismatch", `this upload was granted for exactly ${size} bytes`);
    const kind = classify(q.type, bytes.subarray(0, SNIFF_BYTES));
    if (kind?.family !== "image") throw new ApiError(415, "type_mismatch", "the bytes are not a PNG, JPEG, WebP or GIF image");

    const version = toBase64Url(await crypto.subtle.digest("SHA-256", bytes)).slice(0, 22);
    const key = avatarKey(id, version);
    await c.env.MEDIA.put(key, bytes, { httpMetadata: { contentType: kind.type } });
    const replaced = await swapAvatar(c.env.DB, id, version);
    if (replaced === undefined) {
      await c.env.MEDIA.delete(key);
      throw new ApiError(404, "user_not_found", "this account no longer exists");
    }
    if (replaced && replaced !== version) await c.env.MEDIA.delete(avatarKey(id, replaced));
    return c.json(await userAnswer(c, id, () => new ApiError(404, "user_not_found", "this account no longer exists")), 200);
  },
);

// ---- 3. removing it -------------------------------------------------------------------------

avatarRoutes.openapi(
  createRoute({
    method: "delete",
    path: "/me/avatar",
    tags,
    security,
    summary: "Remove my avatar (an initial is drawn instead)",
    responses: { 200: jsonResponse(UserSchema, "The user, without avatarUrl"), ...errorResponses(401) },
  }),
  async (c) => {
    const replaced = await swapAvatar(c.env.DB, c.var.user.id, null);
    if (replaced === undefined) throw accountGone();
    if (replaced) await c.env.MEDIA.delete(avatarKey(c.var.user.id, replaced));
    return c.json(await userAnswer(c, c.var.user.id, accountGone), 200);
  },
);

// ---- 4. the signed avatar -------------------------------------------------------------------

avatarRoutes.openapi(
  createRoute({
    method: "get",
    path: "/users/{id}/avatar/{version}",
    tags,
    summary: "An avatar's bytes (the signed avatarUrl of a User, Member or dmWith)",
    description: `The URL is signed for signed-in users, valid 7 to 14 days, and the same text all week; its bytes never change (the version is their hash), so it is served with \`Cache-Control: private, max-age=${AVATAR_MAX_AGE_SECONDS}, immutable\`.`,
    request: { params: AvatarParams, query: z.object({ exp: z.string(), sig: z.string() }) },
    responses: {
      200: { description: "The image" },
      ...errorResponses(400, 403),
      404: errorResponse("The avatar was replaced or removed since the URL was issued (not_found)"),
    },
  }),
  async (c) => {
    const { id, version } = c.req.valid("param");
    const q = c.req.valid("query");
    const exp = parseSignedCount(q.exp);
    if (exp === null) refuseSignature("invalid");
    const verdict = await verifyAvatar(c.env.JWT_SECRET, { userId: id, version, exp }, q.sig);
    if (verdict !== "ok") refuseSignature(verdict);
    const object = await c.env.MEDIA.get(avatarKey(id, version));
    if (!object) throw new ApiError(404, "not_found", "this avatar was replaced or removed");
    const type = object.httpMetadata?.contentType ?? "";
    return new Response(object.body, {
      headers: {
        // Only what the upload sniffed as an image is ever stored here; anything else is not shown inline.
        "Content-Type": INLINE_IMAGE_TYPES.has(type) ? type : "application/octet-stream",
        "Content-Length": String(object.size),
        "Cache-Control": `private, max-age=${AVATAR_MAX_AGE_SECONDS}, immutable`,
        "Content-Security-Policy": "default-src 'none'; sandbox",
        ETag: object.httpEtag,
      },
    });
  },
);
