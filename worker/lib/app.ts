import { OpenAPIHono } from "@hono/zod-openapi";
import type { Env } from "../env";
import type { SessionUser } from "./session-user";
import { errorBody } from "./errors";

export type AppEnv = { Bindings: Env; Variables: { user: SessionUser } };

/** An OpenAPIHono whose validation failures answer 400 `validation_error` with the first problem. */
export function createRouter() {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result, c) => {
      if (!result.success) {
        const issue = result.error.issues[0];
        const where = issue?.path.length ? `${issue.path.join(".")}: ` : "";
        return c.json(errorBody("validation_error", `${where}${issue?.message ?? "invalid input"}`), 400);
      }
    },
  });
}
