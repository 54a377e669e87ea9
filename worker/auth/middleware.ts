import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../lib/app";
import { ApiError } from "../lib/errors";
import { bearerToken, SEND_BEARER, sessionFrom, TOKEN_INVALID } from "./bearer";

/** Requires `Authorization: Bearer <session JWT>` and puts the user in `c.var.user`. */
export const requireUser: MiddlewareHandler<AppEnv> = async (c, next) => {
  const user = await sessionFrom(c.env.JWT_SECRET, bearerToken(c.req.header("Authorization")));
  if (user === "missing") throw new ApiError(401, "unauthorized", SEND_BEARER);
  if (user === "invalid") throw new ApiError(401, "invalid_token", TOKEN_INVALID);
  c.set("user", user);
  await next();
};
