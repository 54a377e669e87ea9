/**
 * Finding my place in a room (issue #17, item 5): where my unread messages began when I opened
 * it (the per-user channel's read marker at that moment), the "New messages" divider above the
 * first of them, and the "Jump to first unread" / "Jump to latest" pills.
 */
import type { RefObject } from "preact";
import { useEffect, useLayoutEffect, useState } from "preact/hooks";
import type { RoomChannel } from "../../room-channel";
import { Icon } from "../../ui/Icon";
import { roomCounts } from "../../user-channel";

/** The read marker when a room opened, if something was unread then; undefined: not known yet. */
function readAtOpen(roomId: string): number | null | undefined {
  const counts = roomCounts.value.get(roomId);
  if (!counts) return undefined;
  return counts.unread > 0 ? counts.lastReadSeq : null;
}

/**
 * The seq I had read up to when this room opened, or null when nothing was unread then. Taken
 * once: reading the room moves the marker, the divider stays where my unread messages began.
 * If the channel has not said yet (a page opened straight into a room), its first word counts.
 */
export function useReadAtOpen(roomId: string): number | null {
  const [readAt, setReadAt] = useState(() => readAtOpen(roomId));
  useEffect(() => {
    if (readAt !== undefined) return;
    return roomCounts.subscribe(() => {
      const known = readAtOpen(roomId);
      if (known !== undefined) setReadAt(known);
    });
  }, [readAt, roomId]);
  return readAt ?? null;
}

/**
 * Where the divider goes (the first message after `readAt` that is not mine, when the messages
 * shown reach back to it) and whether to offer "Jump to first unread": while it is above the
 * screen, or not loaded, and I have not seen it yet. Call after the list's own layout effects
 * (they scroll), and `check` on every scroll.
 */
export function useFirstUnread(channel: RoomChannel, readAt: number | null, scroller: RefObject<HTMLDivElement>) {
  const messages = channel.messages.value;
  const loaded = channel.historyLoaded.value;
  const [seen, setSeen] = useState(false);
  const [above, setAbove] = useState(false);
  const reaches = readAt !== null && messages.length > 0 && messages[0]!.seq <= readAt + 1;
  const dividerSeq = reaches ? (messages.find((m) => m.seq > readAt && m.userId !== channel.me.id)?.seq ?? null) : null;

  const check = () => {
    const el = scroller.current;
    if (!el || !loaded || readAt === null || seen) return;
    if (reaches && dividerSeq === null) return setSeen(true); // nothing of anyone else's to point at
    const divider = el.querySelector<HTMLElement>('[data-testid="unread-divider"]');
    if (!divider) return setAbove(true); // further up than the messages loaded
    const top = divider.getBoundingClientRect().top - el.getBoundingClientRect().top;
    if (top >= 0 && top < el.clientHeight) setSeen(true);
    else setAbove(top < 0);
  };
  useLayoutEffect(check, [messages, loaded, dividerSeq]);

  const jump = () => {
    setSeen(true);
    if (readAt !== null) void channel.jumpTo(dividerSeq ?? readAt + 1);
  };
  return { dividerSeq, offerJump: readAt !== null && !seen && above, jump, check };
}

/** The "New messages" line above my first unread message. */
export function UnreadDivider() {
  return (
    <li class="unread-divider" data-testid="unread-divider">
      <span>New messages</span>
    </li>
  );
}

/** A floating pill over the scrollback: "Jump to first unread" at the top, "Jump to latest" at the bottom. */
export function JumpPill({ to, onClick }: { to: "first-unread" | "latest"; onClick: () => void }) {
  const up = to === "first-unread";
  return (
    <div class={up ? "jump-pill jump-pill--top" : "jump-latest"}>
      <button type="button" class="jump-latest__btn" onClick={onClick} data-testid={`jump-${to}`}>
        <Icon name={up ? "arrowUp" : "arrowDown"} size={16} />
        {up ? "Jump to first unread" : "Jump to latest"}
      </button>
    </div>
  );
}
