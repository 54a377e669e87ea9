import { createRoute, z } from "@hono/zod-openapi";
import { requireUser } from "../auth/middleware";
import { createRouter } from "../lib/app";
import { ApiError } from "../lib/errors";
import * as rooms from "../db/rooms";
import { RoomIdParam, errorResponses, jsonBody, jsonResponse } from "../schemas";
import { isPublicHost } from "../lib/public-url";
import { countOtherDevices, deleteSubscription, saveSubscription, setNotify } from "../db/push";

/** Devices per user; the oldest stays until it is unsubscribed or its push service forgets it. */
export const MAX_DEVICES = 20;

export const pushRoutes = createRouter();
pushRoutes.use("/push/*", requireUser);
pushRoutes.use("/rooms/:id/notifications", requireUser);

const security = [{ bearer: [] }];
const tags = ["push"];

pushRoutes.openapi(
  createRoute({
    method: "get",
    path: "/push/key",
    tags,
    security,
    summary: "The VAPID public key for pushManager.subscribe (applicationServerKey)",
    responses: { 200: jsonResponse(z.object({ publicKey: z.string() }), "The key"), ...errorResponses(401, 503) },
  }),
  (c) => {
    if (!c.env.VAPID_PUBLIC_KEY || !c.env.VAPID_PRIVATE_KEY) {
      throw new ApiError(503, "push_not_configured", "this Hearth has no VAPID keys; see `npm run vapid`");
    }
    return c.json({ publicKey: c.env.VAPID_PUBLIC_KEY }, 200);
  },
);

const SubscriptionBody = z.object({
  endpoint: z
    .string()
    .max(2000)
    .url()
    .refine((u) => u.startsWith("https://"), "endpoint must be an https URL")
    .refine(isPublicHost, "endpoint must be a push service's public host name, not an IP address or a local name"),
  expirationTime: z.number().nullable().optional(),
  keys: z.object({
    p256dh: z.string().regex(/^[A-Za-z0-9_-]{80,100}=*$/, "keys.p256dh must be a base64url P-256 public key"),
    auth: z.string().regex(/^[A-Za-z0-9_-]{16,32}=*$/, "keys.auth must be a base64url 16-byte secret"),
  }),
});

pushRoutes.openapi(
  createRoute({
    method: "post",
    path: "/push/subscriptions",
    tags,
    security,
    summary: "Register this device's push subscription (PushSubscription.toJSON())",
    request: { body: jsonBody(SubscriptionBody) },
    responses: { 201: jsonResponse(z.object({ id: z.string() }), "Saved"), ...errorResponses(400, 401, 409) },
  }),
  async (c) => {
    const body = c.req.valid("json");
    if ((await countOtherDevices(c.env.DB, c.var.user.id, body.endpoint)) >= MAX_DEVICES) throw new ApiError(409, "too_many_devices", `at most ${MAX_DEVICES} devices per user; unsubscribe one`);
    const id = await saveSubscription(c.env.DB, c.var.user.id, { endpoint: body.endpoint, p256dh: body.keys.p256dh, auth: body.keys.auth });
    return c.json({ id }, 201);
  },
);

pushRoutes.openapi(
  createRoute({
    method: "delete",
    path: "/push/subscriptions",
    tags,
    security,
    summary: "Remove this device's push subscription",
    request: { body: jsonBody(z.object({ endpoint: z.string().max(2000) })) },
    responses: { 204: { description: "Removed" }, ...errorResponses(400, 401, 404) },
  }),
  async (c) => {
    if (!(await deleteSubscription(c.env.DB, c.var.user.id, c.req.valid("json").endpoint))) {
      throw new ApiError(404, "not_found", "no such subscription of yours");
    }
    return c.body(null, 204);
  },
);

pushRoutes.openapi(
  createRoute({
    method: "put",
    path: "/rooms/{id}/notifications",
    tags,
    security,
    summary: "This room's push setting for me: all messages, mentions only, or muted",
    request: { params: RoomIdParam, body: jsonBody(z.object({ mode: z.enum(["all", "mentions", "muted"]) })) },
    responses: { 200: jsonResponse(z.object({ mode: z.enum(["all", "mentions", "muted"]) }), "Saved"), ...errorResponses(400, 401, 403, 404) },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    await rooms.requireMembership(c.env.DB, id, c.var.user.id);
    const { mode } = c.req.valid("json");
    await setNotify(c.env.DB, id, c.var.user.id, mode);
    return c.json({ mode }, 200);
  },
);
