import type { Context } from "hono";
import { roomIdsOf } from "../db/rooms";
import type { AppEnv } from "../lib/app";

/**
 * Closes an account's open sockets at once: in every room it is in (Hearth sockets, and the
 * rooms' subscriptions that carry its SignalR and Connect streams: 4001), its per-user channel
 * (4001) and its calls (their sockets close and its peer ids are forgotten). For a deactivated account, and a bot whose token was rotated or revoked: the token
 * those sockets were opened with no longer counts (docs/admin.md). In the background: the
 * answer does not wait, and one room that fails does not keep the others open.
 */
export function endSessions(c: Context<AppEnv>, userId: string, reason: string): void {
  const env = c.env;
  const end = async () => {
    const rooms = await roomIdsOf(env.DB, userId);
    await Promise.allSettled([
      env.USERS.getByName(userId).endSessions(reason),
      ...rooms.map((id) => env.ROOMS.getByName(id).endSessions(id, userId)),
      // Its call sockets close and its peer ids are forgotten: none opens again.
      ...rooms.map((id) => env.CALLS.getByName(id).removeMember(id, userId, "left")),
    ]);
  };
  c.executionCtx.waitUntil(end().catch((err) => console.error("closing an account's sockets failed", err)));
}
