import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../lib/app";
import { ApiError } from "../lib/errors";
import { ACCOUNT_DEACTIVATED } from "./account";
import { bearerToken, SEND_BEARER, sessionFrom, TOKEN_INVALID } from "./bearer";

/**
 * Requires `Authorization: Bearer <session JWT>` of an account still active and puts the user,
 * with their role now, in `c.var.user`.
 */
export const requireUser: MiddlewareHandler<AppEnv> = async (c, next) => {
  const user = await sessionFrom(c.env, bearerToken(c.req.header("Authorization")));
  if (user === "missing") throw new ApiError(401, "unauthorized", SEND_BEARER);
  if (user === "invalid") throw new ApiError(401, "invalid_token", TOKEN_INVALID);
  if (user === "deactivated") throw new ApiError(403, "account_deactivated", ACCOUNT_DEACTIVATED);
  c.set("user", user);
  await next();
};

/** After requireUser: only administrators (403 `not_admin` for anyone else). */
export const requireAdmin: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (c.var.user.role !== "admin") throw new ApiError(403, "not_admin", "only an administrator can do this");
  await next();
};
