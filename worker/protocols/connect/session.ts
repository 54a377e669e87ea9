import { Code, ConnectError, type HandlerContext } from "@connectrpc/connect";
import { ACCOUNT_DEACTIVATED } from "../../auth/account";
import { bearerToken, SEND_BEARER, sessionFrom, TOKEN_INVALID } from "../../auth/bearer";
import type { SessionUser } from "../../lib/session-user";
import type { Env } from "../../env";

/** The caller of a ChatService method, from `Authorization: Bearer <session JWT>`; `unauthenticated` without a valid one. */
export async function authenticate(env: Env, ctx: HandlerContext): Promise<SessionUser> {
  const user = await sessionFrom(env, bearerToken(ctx.requestHeader.get("Authorization")));
  if (user === "deactivated") throw new ConnectError(ACCOUNT_DEACTIVATED, Code.PermissionDenied);
  if (typeof user === "string") throw new ConnectError(user === "missing" ? SEND_BEARER : TOKEN_INVALID, Code.Unauthenticated);
  return user;
}
