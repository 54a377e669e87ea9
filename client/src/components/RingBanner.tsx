/**
 * The app-wide ring: a call that the per-user channel rings for (a DM, or a room of up to 20
 * members) shows here over whatever screen is open, with the ring tone (user-channel/ring.ts).
 * Accept opens the room and joins its call there (CallArea takes `answerRequest`); Decline stops
 * the ring on every device of mine.
 */
import { useEffect, useRef } from "preact/hooks";
import { useLocation } from "preact-iso";
import { RingCard } from "../calls/RingCard";
import { answerRequest } from "../calls/state";
import { rooms } from "../rooms";
import { answerRing, declineRing, rings } from "../user-channel";
import "./live.css";

export function RingBanner() {
  const { path, route } = useLocation();
  const all = rings.value;
  const ring = all[all.length - 1];
  const holder = useRef<HTMLDivElement>(null);

  // Nothing had the keyboard (no one is typing): give it to Accept.
  useEffect(() => {
    if (!ring || (document.activeElement && document.activeElement !== document.body)) return;
    holder.current?.querySelector<HTMLButtonElement>("[data-ring-accept]")?.focus();
  }, [ring?.roomId, ring?.at]);

  if (!ring) return null;
  const room = rooms.value.find((r) => r.id === ring.roomId);
  // A room not listed yet says its name in the ring (empty for a DM, which has none of its own).
  const dm = room ? room.visibility === "dm" : ring.roomName === "";
  const where = dm ? "Direct message" : `#${room?.name ?? ring.roomName}`;
  const more = all.length > 1 ? ` · ${all.length - 1} more calling` : "";

  return (
    <div class="ring-banner" ref={holder}>
      <RingCard
        appWide
        caller={ring.from.username}
        where={`${where}${more}`}
        onAnswer={(kind) => {
          answerRing(ring.roomId);
          answerRequest.value = { roomId: ring.roomId, kind };
          const target = `/rooms/${ring.roomId}`;
          if (path !== target) route(target);
        }}
        onDecline={() => declineRing(ring.roomId)}
        testId="ringing"
      />
    </div>
  );
}
