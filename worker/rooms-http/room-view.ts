import type { Context } from "hono";
import type { Room } from "../contract/rest";
import { requireMember } from "../db/rooms";
import type { AppEnv } from "../lib/app";
import { avatarSigner, presentRoom } from "../people/profile";

/** The room as `userId` sees it (requireMember's 404 and 403), its DM partner's avatar signed. */
export async function memberView(c: Context<AppEnv>, roomId: string, userId: string): Promise<Room> {
  return presentRoom(avatarSigner(c), await requireMember(c.env.DB, roomId, userId));
}
