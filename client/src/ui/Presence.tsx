/**
 * Someone's status as a coloured dot, with the word for screen readers: online (a tab of theirs
 * is open and visible), away (open, all hidden), offline. Shared by the member list, the room
 * header and the DM list.
 */
import type { PresenceStatus } from "../../../worker/contract/user-wire";
import type { OnlineUser } from "../../../worker/contract/wire";

export type { PresenceStatus };

/** A user's status in a room's `presence` list (absent: offline). */
export function statusIn(online: readonly OnlineUser[], userId: string): PresenceStatus {
  const entry = online.find((u) => u.userId === userId);
  return entry ? (entry.status ?? "online") : "offline";
}

/** The dot; `spoken` adds ", online" (etc.) for screen readers, for when no other text says it. */
export function PresenceDot({ status, spoken = false }: { status: PresenceStatus; spoken?: boolean }) {
  return (
    <>
      <span class={`dot dot--${status}`} aria-hidden="true" data-status={status} />
      {spoken && <span class="sr-only">, {status}</span>}
    </>
  );
}
