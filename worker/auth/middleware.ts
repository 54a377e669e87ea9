import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../lib/app";
import { ApiError } from "../lib/errors";
import { verifySession } from "./tokens";

/** Requires `Authorization: Bearer <session JWT>` and puts the user in `c.var.user`. */
export const requireUser: MiddlewareHandler<AppEnv> = async (c, next) => {
  const header = c.req.header("Authorization") ?? "";
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match) throw new ApiError(401, "unauthorized", "send `Authorization: Bearer <token>` (from /api/auth/login)");
  const user = await verifySession(c.env.JWT_SECRET, match[1]!);
  if (!user) throw new ApiError(401, "invalid_token", "the token is invalid or expired; log in again");
  c.set("user", user);
  await next();
};
