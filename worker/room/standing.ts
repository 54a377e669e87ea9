import { NO_SUCH_ROOM, ROOM_ARCHIVED, type RefusalCode } from "../contract/errors";
import type { RoomMeta } from "./meta";

/**
 * Whether the room takes writes (docs/admin.md "Rooms and moderation"): open, archived by its
 * owner (read-only: every protocol's send and change is refused with `room_archived`), or
 * deleted (its log is wiped; whatever still reaches the object is refused as `room_not_found`).
 * One value in the room's meta (`standing`), mirrored in memory; the worker sets it (RPC)
 * before it writes the same to D1, so the room never takes a write D1 would call read-only.
 */
export type Standing = "open" | "archived" | "deleted";

export class RoomStanding {
  private value: Standing;

  constructor(private readonly meta: RoomMeta) {
    this.value = (meta.get("standing") as Standing | null) ?? "open";
  }

  get current(): Standing {
    return this.value;
  }

  get deleted(): boolean {
    return this.value === "deleted";
  }

  /** Archives or unarchives the room, or marks it deleted (for good: a deleted room stays so). */
  set(standing: Standing): void {
    if (this.value === "deleted") return;
    this.value = standing;
    this.meta.set("standing", standing);
  }

  /** Why nothing may be written now (a message or a change), or null when the room is open. */
  refusal(): { code: Extract<RefusalCode, "room_archived" | "room_not_found">; message: string } | null {
    if (this.value === "archived") return { code: "room_archived", message: ROOM_ARCHIVED };
    if (this.value === "deleted") return { code: "room_not_found", message: NO_SUCH_ROOM };
    return null;
  }
}
