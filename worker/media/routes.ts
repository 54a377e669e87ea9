import { createRoute, z } from "@hono/zod-openapi";
import { AwsClient } from "aws4fetch";
import { requireUser } from "../auth/middleware";
import type { Env } from "../env";
import { numberVar } from "../config";
import { createRouter } from "../lib/app";
import { ApiError, errorResponse } from "../lib/errors";
import { newId } from "../lib/ids";
import { cleanName } from "../lib/text";
import * as store from "../db/rooms";
import { errorResponse as errorDoc, errorResponses, jsonBody, jsonResponse, RoomIdParam, userText } from "../schemas";
import {
  DOWNLOAD_URL_TTL_SECONDS,
  UPLOAD_URL_TTL_SECONDS,
  mediaKey,
  parseSignedCount,
  refuseSignature,
  signDownload,
  signUpload,
  verifyDownload,
  verifyUpload,
} from "./signing";
import { SNIFF_BYTES, classify, servedInline } from "./sniff";

export const DEFAULT_MAX_UPLOAD_BYTES = 25 * 1024 * 1024;
export const DEFAULT_ORPHAN_SECONDS = 60 * 60;

const maxUploadBytes = (env: Env) => numberVar(env.MAX_UPLOAD_BYTES, DEFAULT_MAX_UPLOAD_BYTES);

/**
 * Media: upload grants, the signed upload route that streams into R2, signed download URLs
 * for members, and the signed download route. Mounted before the room routes, whose bearer
 * check must not apply to the two signed routes (their signature is their authorisation).
 */
export const mediaRoutes = createRouter();

const UploadParams = RoomIdParam.extend({ uploadId: z.string().regex(/^f_[0-9a-z]{25}$/).openapi({ param: { name: "uploadId", in: "path" } }) });

// ---- 1. ask for an upload URL ---------------------------------------------------------------

mediaRoutes.use("/rooms/:id/uploads", requireUser);
mediaRoutes.openapi(
  createRoute({
    method: "post",
    path: "/rooms/{id}/uploads",
    tags: ["media"],
    security: [{ bearer: [] }],
    summary: "Get a short-lived URL to upload one file into this room",
    description:
      "Then send the bytes with the returned method, URL and headers. By default the URL is Hearth's own signed route; when R2's S3 credentials are configured it is an S3 presigned URL straight to R2. Attach the upload to a message (kind image, file or audio) within the orphan time, or it is deleted.",
    request: {
      params: RoomIdParam,
      body: jsonBody(
        z.object({
          // One rule for text (lib/text.ts): refused unless well-formed; control characters and
          // bidi overrides stripped, so a name such as `evil\u202Egnp.png` cannot disguise a type.
          name: userText("name")
            .regex(/^[^\n\r\u0000/\\]+$/, "name must not contain slashes or line breaks")
            .overwrite(cleanName)
            .trim()
            .min(1)
            .max(200),
          type: z
            .string()
            .max(100)
            .regex(/^[\w.+-]+\/[\w.+-]+( ?; ?[\w.+-]+=[\w.+,"-]+)*$/, "type must be a MIME type such as image/png"),
          size: z.number().int().min(1, "size must be at least 1 byte"),
        }),
      ),
    },
    responses: {
      201: jsonResponse(
        z.object({
          uploadId: z.string(),
          key: z.string(),
          uploadUrl: z.string(),
          method: z.literal("PUT"),
          headers: z.record(z.string(), z.string()),
          expiresAt: z.string(),
          maxBytes: z.number(),
        }),
        "Where and how to send the bytes",
      ),
      413: { description: "Larger than the maximum upload size", content: { "application/json": { schema: z.any() } } },
      ...errorResponses(400, 401, 403, 404),
    },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    // An archived room takes no messages, so no uploads for them either.
    if ((await store.requireMembership(c.env.DB, id, c.var.user.id)).archived) throw store.roomArchived();
    const { name, type, size } = c.req.valid("json");
    const max = maxUploadBytes(c.env);
    if (size > max) throw new ApiError(413, "too_large", `files are limited to ${max} bytes`);

    const uploadId = newId("f");
    const key = mediaKey(id, uploadId);
    const now = Date.now();
    const exp = Math.floor(now / 1000) + UPLOAD_URL_TTL_SECONDS;
    await c.env.ROOMS.getByName(id).createUpload(id, {
      id: uploadId,
      uploader: c.var.user.id,
      name,
      declaredType: type,
      size,
      createdAt: now,
      orphanAt: now + numberVar(c.env.UPLOAD_ORPHAN_SECONDS, DEFAULT_ORPHAN_SECONDS) * 1000,
    });

    let uploadUrl: string;
    const s3 = s3Client(c.env);
    if (s3) {
      const url = new URL(`https://${c.env.R2_ACCOUNT_ID}.r2.cloudflarestorage.com/${c.env.R2_BUCKET_NAME}/${key}`);
      url.searchParams.set("X-Amz-Expires", String(UPLOAD_URL_TTL_SECONDS));
      const signed = await s3.sign(new Request(url, { method: "PUT", headers: { "Content-Type": type } }), { aws: { signQuery: true } });
      uploadUrl = signed.url;
    } else {
      const grant = { roomId: id, uploadId, size, type, uploader: c.var.user.id, exp };
      const sig = await signUpload(c.env.JWT_SECRET, grant);
      const q = new URLSearchParams({ size: String(size), type, uploader: grant.uploader, exp: String(exp), sig });
      uploadUrl = `${new URL(c.req.url).origin}/api/rooms/${id}/uploads/${uploadId}?${q}`;
    }
    return c.json(
      {
        uploadId,
        key,
        uploadUrl,
        method: "PUT" as const,
        headers: { "Content-Type": type },
        expiresAt: new Date(exp * 1000).toISOString(),
        maxBytes: max,
      },
      201,
    );
  },
);

function s3Client(env: Env): AwsClient | null {
  if (!env.R2_ACCESS_KEY_ID || !env.R2_SECRET_ACCESS_KEY || !env.R2_ACCOUNT_ID || !env.R2_BUCKET_NAME) return null;
  return new AwsClient({ accessKeyId: env.R2_ACCESS_KEY_ID, secretAccessKey: env.R2_SECRET_ACCESS_KEY, service: "s3", region: "auto" });
}

// ---- 2. the signed upload route -------------------------------------------------------------

mediaRoutes.openapi(
  createRoute({
    method: "put",
    path: "/rooms/{id}/uploads/{uploadId}",
    tags: ["media"],
    summary: "Send an upload's bytes (the signed URL from POST /api/rooms/{id}/uploads; no bearer token)",
    request: {
      params: UploadParams,
      query: z.object({ size: z.string(), type: z.string(), uploader: z.string(), exp: z.string(), sig: z.string() }),
    },
    responses: {
      201: jsonResponse(z.object({ uploadId: z.string(), type: z.string(), size: z.number() }), "Stored"),
      411: { description: "Content-Length missing" },
      413: { description: "Larger than declared or allowed" },
      415: { description: "The bytes are not of the declared kind" },
      ...errorResponses(400, 403),
    },
  }),
  async (c) => {
    const { id, uploadId } = c.req.valid("param");
    const q = c.req.valid("query");
    // Signed counts are read only as issued (digits, no sign or padding): see parseSignedCount.
    const size = parseSignedCount(q.size);
    const exp = parseSignedCount(q.exp);
    if (size === null || exp === null) refuseSignature("invalid");
    const grant = { roomId: id, uploadId, size, type: q.type, uploader: q.uploader, exp };
    const verdict = await verifyUpload(c.env.JWT_SECRET, grant, q.sig);
    if (verdict !== "ok") refuseSignature(verdict);

    const length = c.req.header("Content-Length");
    if (length === undefined) throw new ApiError(411, "length_required", "send Content-Length");
    const declared = Number(length);
    if (declared > grant.size || declared > maxUploadBytes(c.env)) {
      throw new ApiError(413, "too_large", `this upload was granted for ${grant.size} bytes`);
    }
    if (declared !== grant.size) throw new ApiError(400, "size_mismatch", `this upload was granted for exactly ${grant.size} bytes`);
    const body = c.req.raw.body;
    if (!body) throw new ApiError(400, "size_mismatch", "the body is empty");
    // A second send of the same upload (a retried PUT) is refused before it can touch the
    // stored file, which a message may already show.
    const room = c.env.ROOMS.getByName(id);
    if ((await room.getUpload(id, uploadId))?.status !== "pending") throw uploadGone();

    // Read just enough to sniff the type, then stream the rest straight into R2.
    const { head, rest } = await peek(body, SNIFF_BYTES);
    const kind = classify(grant.type, head);
    if (!kind) {
      await rest.cancel();
      throw new ApiError(415, "type_mismatch", `the file's bytes are not a ${grant.type.split("/")[0]} Hearth accepts`);
    }
    const fixed = new FixedLengthStream(grant.size);
    const piping = rest.pipeTo(fixed.writable).catch(() => undefined);
    const key = mediaKey(id, uploadId);
    let stored: R2Object;
    try {
      // R2 makes an object visible only once all of it is written: a short body leaves nothing.
      stored = (await c.env.MEDIA.put(key, fixed.readable, { httpMetadata: { contentType: kind.type } }))!;
    } catch {
      throw new ApiError(400, "size_mismatch", `the body did not have exactly ${grant.size} bytes`);
    } finally {
      await piping;
    }
    if (!(await room.uploadStored(id, uploadId, kind.family, kind.type, stored.etag))) {
      // Sent twice at once: the other send stored it (same size, same checks), keep the file.
      // Removed meanwhile (expired): nothing refers to these bytes.
      if (!(await room.getUpload(id, uploadId))) await c.env.MEDIA.delete(key);
      throw uploadGone();
    }
    return c.json({ uploadId, type: kind.type, size: grant.size }, 201);
  },
);

function uploadGone(): ApiError {
  return new ApiError(403, "upload_gone", "this upload was already sent, or expired and was removed");
}

/** Splits a stream into its first `n` bytes (fewer if it is shorter) and a stream of everything. */
async function peek(stream: ReadableStream<Uint8Array>, n: number): Promise<{ head: Uint8Array; rest: ReadableStream<Uint8Array> }> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let have = 0;
  let done = false;
  while (have < n) {
    const r = await reader.read();
    if (r.done) {
      done = true;
      break;
    }
    chunks.push(r.value);
    have += r.value.byteLength;
  }
  const head = new Uint8Array(Math.min(have, n));
  let at = 0;
  for (const ch of chunks) {
    if (at >= head.length) break;
    head.set(ch.subarray(0, head.length - at), at);
    at += Math.min(ch.byteLength, head.length - at);
  }
  const rest = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const ch of chunks) controller.enqueue(ch);
      if (done) controller.close();
    },
    async pull(controller) {
      const r = await reader.read();
      if (r.done) controller.close();
      else controller.enqueue(r.value);
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
  return { head, rest };
}

// ---- 3. a download URL for members ----------------------------------------------------------

mediaRoutes.use("/rooms/:id/attachments/*", requireUser);
mediaRoutes.openapi(
  createRoute({
    method: "get",
    path: "/rooms/{id}/attachments/{uploadId}",
    tags: ["media"],
    security: [{ bearer: [] }],
    summary: "A signed download URL (10 minutes) for a file in this room; members only",
    request: { params: UploadParams },
    responses: {
      200: jsonResponse(z.object({ url: z.string(), expiresAt: z.string(), type: z.string(), inline: z.boolean() }), "The URL"),
      ...errorResponses(400, 401, 403, 404),
      410: errorDoc("The file's message was deleted (gone); its bytes are being deleted"),
    },
  }),
  async (c) => {
    const { id, uploadId } = c.req.valid("param");
    await store.requireMembership(c.env.DB, id, c.var.user.id);
    const upload = await c.env.ROOMS.getByName(id).getUpload(id, uploadId);
    if (!upload || upload.status === "pending" || !upload.type) throw new ApiError(404, "not_found", "no such file in this room");
    if (upload.status === "released") throw new ApiError(410, "gone", "this file was deleted with its message");
    const exp = Math.floor(Date.now() / 1000) + DOWNLOAD_URL_TTL_SECONDS;
    const grant = { roomId: id, uploadId, type: upload.type, name: upload.name, etag: upload.etag ?? "", exp };
    const sig = await signDownload(c.env.JWT_SECRET, grant);
    const q = new URLSearchParams({ type: grant.type, name: grant.name, v: grant.etag, exp: String(exp), sig });
    return c.json(
      {
        url: `${new URL(c.req.url).origin}/api/rooms/${id}/media/${uploadId}?${q}`,
        expiresAt: new Date(exp * 1000).toISOString(),
        type: upload.type,
        inline: servedInline(upload.type),
      },
      200,
    );
  },
);

// ---- 4. the signed download route -----------------------------------------------------------

mediaRoutes.openapi(
  createRoute({
    method: "get",
    path: "/rooms/{id}/media/{uploadId}",
    tags: ["media"],
    summary: "A file's bytes (signed URL; images, audio and video inline, everything else as an attachment)",
    request: {
      params: UploadParams,
      query: z.object({ type: z.string(), name: z.string(), v: z.string().optional(), exp: z.string(), sig: z.string() }),
    },
    responses: {
      200: { description: "The file" },
      206: { description: "A byte range" },
      ...errorResponses(400, 403, 404),
      410: { description: "The file was deleted with its message (gone), or its stored bytes are no longer the ones checked when it was sent (file_changed)" },
    },
  }),
  async (c) => {
    const { id, uploadId } = c.req.valid("param");
    const q = c.req.valid("query");
    const exp = parseSignedCount(q.exp);
    if (exp === null) refuseSignature("invalid");
    const grant = { roomId: id, uploadId, type: q.type, name: q.name, etag: q.v ?? "", exp };
    const verdict = await verifyDownload(c.env.JWT_SECRET, grant, q.sig);
    if (verdict !== "ok") refuseSignature(verdict);

    // Only the bytes that were checked: anything written over them since is not served.
    const object = await c.env.MEDIA.get(mediaKey(id, uploadId), {
      range: c.req.raw.headers,
      ...(grant.etag ? { onlyIf: { etagMatches: grant.etag } } : {}),
    });
    // The signature proves Hearth served this file: missing bytes were deleted (with their message, or as an orphan).
    if (!object) return errorResponse(410, "gone", "this file was deleted");
    if (!("body" in object)) return errorResponse(410, "file_changed", "this file was replaced after it was sent; it is not served");
    const inline = servedInline(grant.type);
    const headers = new Headers({
      "Content-Type": inline ? grant.type : "application/octet-stream",
      "Content-Disposition": `${inline ? "inline" : "attachment"}; filename*=UTF-8''${encodeURIComponent(cleanName(grant.name))}`,
      "Cache-Control": "private, max-age=600",
      "Accept-Ranges": "bytes",
      ETag: object.httpEtag,
    });
    const range = object.range as { offset?: number; length?: number } | undefined;
    if (range && c.req.header("Range")) {
      const offset = range.offset ?? 0;
      const length = range.length ?? object.size - offset;
      headers.set("Content-Range", `bytes ${offset}-${offset + length - 1}/${object.size}`);
      headers.set("Content-Length", String(length));
      return new Response(object.body, { status: 206, headers });
    }
    headers.set("Content-Length", String(object.size));
    return new Response(object.body, { status: 200, headers });
  },
);
