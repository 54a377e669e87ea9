/**
 * One room in the sidebar, live from the per-user channel: unread and mention badges, a call
 * badge while a call goes on, and for a DM the other person's status.
 */
import { useLocation } from "preact-iso";
import type { Room } from "../types";
import { MAX_COUNTED } from "../../../worker/contract/user-wire";
import { badgeOf, partnerStatus } from "../user-channel";
import { Avatar } from "../ui/Avatar";
import { PersonName } from "../ui/PersonName";
import { Icon } from "../ui/Icon";
import { PresenceDot } from "../ui/Presence";
import "./live.css";

/** Counts stop at 999 (docs/protocol.md §6): the badge then says "999+". */
const count = (n: number) => (n >= MAX_COUNTED ? `${MAX_COUNTED}+` : String(n));

export function RoomLink({ room }: { room: Room }) {
  const { path } = useLocation();
  const href = `/rooms/${room.id}`;
  const { unread, mentions, inCall } = badgeOf(room);
  const dm = room.visibility === "dm";
  return (
    <a
      href={href}
      class={`room-link${unread > 0 ? " room-link--unread" : ""}`}
      aria-current={path === href ? "page" : undefined}
      data-testid="room-link"
    >
      {dm ? (
        <span class="room-link__avatar" data-testid="dm-presence">
          <Avatar name={room.dmWith?.displayName ?? room.name} url={room.dmWith?.avatarUrl} small />
          <PresenceDot status={partnerStatus(room)} spoken />
        </span>
      ) : (
        <span class="room-link__icon">
          <Icon name={room.visibility === "private" ? "lock" : "hash"} size={16} />
        </span>
      )}
      {dm && room.dmWith ? <PersonName person={room.dmWith} class="room-link__name" /> : <span class="room-link__name">{room.name}</span>}
      {inCall > 0 && (
        <span class="call-badge" data-testid="call-badge" title="Call in progress">
          <Icon name="phone" size={12} />
          <span class="sr-only">, call in progress</span>
        </span>
      )}
      {mentions > 0 && (
        <span class="badge badge--mention" data-testid="mention-count">
          @{count(mentions)}
          <span class="sr-only"> {mentions === 1 ? "mention" : "mentions"}</span>
        </span>
      )}
      {unread > 0 && (
        <span class={`badge${dm ? "" : " badge--quiet"}`} data-testid="unread-count">
          {count(unread)}
          <span class="sr-only"> unread</span>
        </span>
      )}
    </a>
  );
}
