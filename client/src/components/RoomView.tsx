/** One open room's screen: header, scrollback, typing line, composer and members. */
import type { ComponentChildren } from "preact";
import { useEffect, useMemo, useState } from "preact/hooks";
import { lazy, useLocation } from "preact-iso";
import { api, ApiError } from "../api";
import { CallArea, CallButtons } from "../calls/CallArea";
import { offline } from "../offline/status";
import { NotifySelect } from "../push/NotifySelect";
import { receiptsOn } from "../receipts/setting";
import { typingText } from "../format";
import { RoomChannel, type ConnectionState } from "../room-channel";
import { openRoomId, refreshRooms, removeRoom, rooms, upsertRoom } from "../rooms";
import { currentUser } from "../session";
import type { Room, RoomDetails } from "../types";
import { channelRangAt, rings } from "../user-channel";
import { PresenceDot, statusIn } from "../ui/Presence";
import { Composer } from "./Composer";
import { FormError } from "../ui/FormError";
import { Icon } from "../ui/Icon";
import { Menu, type MenuItem } from "../ui/Menu";
import { useMediaQuery } from "../ui/useMediaQuery";
import { useSubmit } from "../ui/useSubmit";
import { BackToResults } from "../search/BackToResults";
import { linkedSeq } from "../search/nav";
import { InviteDialog, LeaveRoomDialog } from "./dialogs";
import { MessageActions } from "./message/actions";
import { useReadAtOpen } from "./message/first-unread";
import { MembersPanel } from "./MembersPanel";
import { MessageList } from "./MessageList";

// A room's settings (owners, moderators, administrators): its own chunk, fetched when opened.
const RoomSettingsDialog = lazy(() => import("../room-settings/RoomSettingsDialog"));

const WIDE_SCREEN = "(min-width: 1100px)";
/** Phone widths: the header keeps its few icons and the rest goes into the "⋯" menu. */
const PHONE = "(max-width: 720px)";

/** One open room: header, scrollback, typing line, composer and who is here. */
export function RoomView({ id }: { id: string }) {
  // A fresh screen per room (and after joining it): no scroll position, dialog, member
  // list or closed socket leaks across.
  const [joins, setJoins] = useState(0);
  return <RoomScreen key={`${id}:${joins}`} id={id} onJoined={() => setJoins(joins + 1)} />;
}

interface Problem {
  code: string;
  message: string;
}

function RoomScreen({ id, onJoined }: { id: string; onJoined: () => void }) {
  const me = currentUser.value!;
  const channel = useMemo(() => new RoomChannel(id, me), [id, me.id]);
  const actions = useMemo(() => new MessageActions(channel), [channel]);
  const [details, setDetails] = useState<RoomDetails | null>(null);
  const [detailsError, setDetailsError] = useState<Problem | null>(null);
  const wide = useMediaQuery(WIDE_SCREEN);
  const phone = useMediaQuery(PHONE);
  const [membersOpen, setMembersOpen] = useState(wide);
  // Bumped when "Room details" is chosen from the menu: the panel then takes the focus (it may
  // already be open on a wide screen, or open as an overlay that comes after the chat).
  const [detailsAsked, setDetailsAsked] = useState(0);
  // The member list shows beside the chat on wide screens; elsewhere it opens on demand.
  useEffect(() => setMembersOpen(wide), [wide]);
  const [dialog, setDialog] = useState<"invite" | "leave" | "settings" | null>(null);
  const { route, query } = useLocation();
  // A link to a message (`?at=<seq>`: a search hit, a mention) opens the room there.
  const at = linkedSeq(query.at);
  // Where my unread messages began when I opened the room (the "New messages" line).
  const readAt = useReadAtOpen(id);

  useEffect(() => {
    openRoomId.value = id;
    void channel.start();
    return () => {
      channel.stop();
      if (openRoomId.value === id) openRoomId.value = null;
    };
  }, [channel, id]);
  useEffect(() => {
    if (at !== null) void channel.jumpTo(at);
  }, [channel, at]);

  const loadDetails = () =>
    api.room(id).then(
      (room) => {
        setDetails(room);
        setDetailsError(null);
      },
      (err: unknown) =>
        setDetailsError(
          err instanceof ApiError ? err : { code: "unknown", message: "Room unavailable." },
        ),
    );

  useEffect(() => {
    setDetails(null);
    setDetailsError(null);
    void loadDetails();
  }, [id, receiptsOn.value]); // my receipts setting changes what the details list (lastReadSeq)

  // Each time the socket goes live (first open, reconnect, opened offline): the details again.
  // Read markers that moved while no socket heard their `read` frames are in them, and any
  // frame after this point reaches the socket (the server stores a read before it tells).
  const live = channel.state.value === "online";
  useEffect(() => {
    if (live) void loadDetails();
  }, [live]);

  // Someone online we do not know as a member has just joined: refresh the member list.
  const online = channel.online.value;
  useEffect(() => {
    if (details && online.some((u) => !details.members.some((m) => m.id === u.userId))) {
      void loadDetails();
    }
  }, [online, details]);

  const listed = rooms.value.find((room) => room.id === id);
  const room: Room | null = listed ?? details;
  // Who may delete what, and the names of those who reacted.
  const role = room?.role;
  useEffect(() => void (actions.mayModerate.value = role === "owner" || role === "moderator"), [actions, role]);
  useEffect(() => void (actions.members.value = details?.members ?? []), [actions, details]);

  if (!room) {
    return (
      <section class="room room--empty" aria-label="Room">
        <RoomBar>
          <h1 class="room__title">{detailsError ? "Room unavailable" : "Loading…"}</h1>
        </RoomBar>
        {detailsError && (
          <JoinOrLeave roomId={id} problem={detailsError} onJoined={onJoined} />
        )}
      </section>
    );
  }

  const isDm = room.visibility === "dm";
  // The owner and moderators keep the room; an administrator may delete any room (docs/admin.md).
  const mayManage = !isDm && (room.role !== "member" || currentUser.value?.role === "admin");
  const label = isDm ? `@${room.name}` : `#${room.name}`;
  // The room's presence: everyone in the app, "away" when all their tabs are hidden.
  const away = online.filter((u) => u.status === "away").length;
  const partner = statusIn(online, room.dmWith?.id ?? "");

  function onLeft() {
    removeRoom(id);
    route("/");
  }

  return (
    <section class="room" aria-labelledby="room-title" data-testid="room-view">
      <RoomBar>
        <div class="room__heading">
          <h1 class="room__title" id="room-title">
            <span class="room__sigil" aria-hidden="true">
              {isDm ? "@" : <Icon name={room.visibility === "private" ? "lock" : "hash"} />}
            </span>
            <span class="room__name" title={room.dmWith?.displayName ?? room.name}>
              {room.dmWith?.displayName ?? room.name}
            </span>
          </h1>
          {isDm && room.dmWith ? (
            <p class="room__topic room__status" data-testid="dm-status">
              {room.dmWith.displayName && <span class="room__username">@{room.dmWith.username} · </span>}
              <PresenceDot status={partner} />
              {partner}
            </p>
          ) : (
            room.topic && (
              <p class="room__topic" title={room.topic}>
                {room.topic}
              </p>
            )
          )}
        </div>
        <div class="room__tools">
          <ConnectionBadge state={channel.state.value} />
          <CallButtons channel={channel} />
          <NotifySelect room={room} />
          <button
            type="button"
            class="tool-btn"
            aria-expanded={membersOpen}
            aria-controls="members-panel"
            onClick={() => setMembersOpen(!membersOpen)}
            data-testid="presence-summary"
          >
            <Icon name="users" size={16} />
            {channel.state.value === "online" ? (
              <span>
                {online.length - away}
                <span class="tool-btn__label"> online</span>
                {away > 0 && <span class="tool-btn__label"> · {away} away</span>}
              </span>
            ) : (
              <span class="tool-btn__label">Members</span>
            )}
          </button>
          {!isDm && !phone && (
            <button type="button" class="tool-btn" onClick={() => setDialog("invite")}>
              <Icon name="userPlus" size={16} />
              <span class="tool-btn__label">Invite</span>
              <span class="sr-only"> someone to {label}</span>
            </button>
          )}
          <Menu
            label="More actions"
            items={[
              ...(!isDm && phone
                ? [{ label: "Invite someone…", icon: "userPlus", onSelect: () => setDialog("invite") } satisfies MenuItem]
                : []),
              { label: "Room details", icon: "info", onSelect: () => (setMembersOpen(true), setDetailsAsked((n) => n + 1)) },
              ...(mayManage ? [{ label: "Room settings…", icon: "pencil", onSelect: () => setDialog("settings") } satisfies MenuItem] : []),
              { label: isDm ? "Leave conversation…" : "Leave room…", icon: "leave", onSelect: () => setDialog("leave"), danger: true },
            ]}
          />
        </div>
      </RoomBar>

      <CallArea
        channel={channel}
        roomLabel={label}
        channelRing={{ rangAt: channelRangAt.value.get(id) ?? 0, ringing: rings.value.some((r) => r.roomId === id) }}
      />

      <div class="room__body">
        <div class="chat">
          {at !== null && <BackToResults />}
          {channel.closedReason.value && (
            <p class="room__notice" role="alert">
              {channel.closedReason.value}
            </p>
          )}
          <MessageList channel={channel} actions={actions} readAt={readAt} />
          <TypingLine names={channel.typists.value.map((t) => t.username)} />
          <Composer channel={channel} actions={actions} label={label} />
        </div>
        {membersOpen && (
          <MembersPanel
            room={room}
            label={label}
            members={details?.members ?? []}
            online={online}
            onlineCount={channel.onlineCount.value}
            onClose={() => setMembersOpen(false)}
            focusRequest={detailsAsked}
          />
        )}
      </div>

      {dialog === "invite" && (
        <InviteDialog
          roomId={room.id}
          roomName={label}
          members={new Set(details?.members.map((m) => m.id))}
          onClose={() => setDialog(null)}
          onAdded={() => void loadDetails()}
        />
      )}
      {dialog === "settings" && details && (
        <RoomSettingsDialog
          room={details}
          onClose={() => setDialog(null)}
          onChanged={() => {
            void loadDetails();
            void refreshRooms(); // a new name or topic shows in the sidebar and the header
          }}
          onGone={onLeft}
        />
      )}
      {dialog === "leave" && (
        <LeaveRoomDialog
          roomId={room.id}
          roomLabel={label}
          onClose={() => setDialog(null)}
          onLeft={onLeft}
        />
      )}
    </section>
  );
}

/** Shown for a room link I cannot open: join it if it is public, or go back. */
function JoinOrLeave({
  roomId,
  problem,
  onJoined,
}: {
  roomId: string;
  problem: Problem;
  onJoined: () => void;
}) {
  const submit = useSubmit();

  function join() {
    void submit.run(
      async () => {
        upsertRoom(await api.joinRoom(roomId));
        onJoined();
      },
      { fallback: "Could not join the room." },
    );
  }

  return (
    <div class="room__gate">
      <p role="alert">{problem.message}</p>
      <FormError error={submit.error} />
      <div class="form__actions">
        <a class="btn" href="/">
          Back to your rooms
        </a>
        {problem.code === "not_a_member" && (
          <button type="button" class="btn btn--primary" disabled={submit.busy} onClick={join}>
            Join room
          </button>
        )}
      </div>
    </div>
  );
}

function RoomBar({ children }: { children: ComponentChildren }) {
  return (
    <header class="room__bar">
      <a href="/" class="icon-btn room__back" aria-label="Back to rooms">
        <Icon name="back" size={22} />
      </a>
      {children}
    </header>
  );
}

const STATE_TEXT: Record<ConnectionState, string> = {
  connecting: "Connecting…",
  online: "Connected",
  reconnecting: "Reconnecting…",
  closed: "Disconnected",
};

function ConnectionBadge({ state }: { state: ConnectionState }) {
  return (
    <span
      class={`conn conn--${state}`}
      role="status"
      data-testid="connection-state"
      data-state={state}
    >
      <span class="dot" aria-hidden="true" />
      <span class="conn__text">{offline.value && (state === "connecting" || state === "reconnecting") ? "Offline" : STATE_TEXT[state]}</span>
    </span>
  );
}

function TypingLine({ names }: { names: string[] }) {
  return (
    <div class="typing" aria-live="polite" data-testid="typing-indicator">
      {names.length > 0 && (
        <>
          <span class="typing__dots" aria-hidden="true">
            <span />
            <span />
            <span />
          </span>
          {typingText(names)}
        </>
      )}
    </div>
  );
}
