import { accountRole } from "../auth/account";
import { roomPlace } from "../db/rooms";
import { authorityIn, moderates } from "../gateway/authority";
import type { Author } from "../gateway/draft";

/**
 * Who leads the room, asked of D1 only when a message needs it (docs/admin.md "Rooms and
 * moderation"): a body that says `@room`, or a deletion of someone else's message. The rule
 * itself is gateway/authority.ts, the one the REST routes use.
 */
export class RoomRoles {
  constructor(
    private readonly env: { DB: D1Database; ADMIN_USERNAMES?: string },
    private readonly roomId: () => string | null,
  ) {}

  /** The owner or a moderator: their `@room` mentions every member. */
  async leads(userId: string): Promise<boolean> {
    const place = await roomPlace(this.env.DB, this.roomId()!, userId);
    return place?.role === "owner" || place?.role === "moderator";
  }

  /** The owner, a moderator, or an administrator in a public room: they delete anyone's message. */
  async moderate(actor: Author): Promise<boolean> {
    const place = await roomPlace(this.env.DB, this.roomId()!, actor.id);
    if (!place) return false;
    if (moderates(authorityIn(place))) return true;
    // The account's role costs a read more, asked only where it can matter.
    return place.visibility === "public" && moderates(authorityIn(place, await accountRole(this.env, actor)));
  }
}
