/** A room's details beside the chat: its name and topic, and its members with their status. */
import { useEffect, useRef } from "preact/hooks";
import { offline } from "../offline/status";
import type { Member, OnlineUser, Room } from "../types";
import { Avatar } from "../ui/Avatar";
import { Icon } from "../ui/Icon";
import { PersonName, shownName, type Named } from "../ui/PersonName";
import { PresenceDot, statusIn, type PresenceStatus } from "../ui/Presence";

/** Online first, then away, then offline; by name within each. */
const RANK: Record<PresenceStatus, number> = { online: 0, away: 1, offline: 2 };

export function MembersPanel({
  room,
  label,
  members,
  online,
  onlineCount,
  onClose,
  focusRequest,
}: {
  room: Room;
  label: string;
  members: Member[];
  /** The room's `presence` list: everyone in the app, `away` when all their tabs are hidden. */
  online: OnlineUser[];
  /** A big room's count of users online, where `online` is empty (docs/protocol.md "Big rooms"). */
  onlineCount?: number | null;
  onClose: () => void;
  /** Changes when the panel should take the focus (its heading). */
  focusRequest: number;
}) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (focusRequest > 0) heading.current?.focus();
  }, [focusRequest]);
  const status = (userId: string) => statusIn(online, userId);
  const sorted = [...members].sort(
    (a, b) => RANK[status(a.id)] - RANK[status(b.id)] || shownName(a).localeCompare(shownName(b)),
  );
  // Anyone connected but missing from a stale member list still shows up.
  const extra = online.filter((u) => !members.some((m) => m.id === u.userId));

  return (
    <aside class="members" id="members-panel" aria-label="Room details" data-testid="members-panel">
      <header class="members__header">
        <h2 ref={heading} tabIndex={-1}>
          Room details
        </h2>
        <button type="button" class="icon-btn" aria-label="Hide room details" onClick={onClose}>
          <Icon name="close" />
        </button>
      </header>
      <div class="about" data-testid="room-about">
        <p class="about__name">{room.dmWith?.displayName ? <PersonName person={room.dmWith} /> : label}</p>
        {room.topic && <p class="about__topic">{room.topic}</p>}
      </div>
      <h3 class="members__title">Members</h3>
      {onlineCount != null && <p data-testid="online-count">{onlineCount} online</p>}
      {members.length === 0 && offline.value && <p class="members__offline">The member list loads when you're back online.</p>}
      <ul class="members__list">
        {sorted.map((member) => (
          <MemberRow key={member.id} person={member} status={status(member.id)} owner={member.role === "owner"} />
        ))}
        {extra.map((u) => (
          <MemberRow key={u.userId} person={u} status={u.status ?? "online"} owner={false} />
        ))}
      </ul>
    </aside>
  );
}

function MemberRow({ person, status, owner }: { person: Named; status: PresenceStatus; owner: boolean }) {
  const here = status !== "offline";
  return (
    <li class={`member${here ? " member--online" : ""}`} data-testid="member" data-online={here} data-status={status}>
      <span class="member__avatar">
        <Avatar name={shownName(person)} url={person.avatarUrl} small />
        <PresenceDot status={status} />
      </span>
      <PersonName person={person} class="member__name" />
      {owner && <span class="member__role">owner</span>}
      <span class="sr-only">, {status}</span>
    </li>
  );
}
