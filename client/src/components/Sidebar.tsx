/** The room list and the ways into more rooms (create, browse, direct message). */
import type { ComponentType } from "preact";
import { useState } from "preact/hooks";
import { currentUser, endSession } from "../session";
import { rooms, roomsError, roomsLoaded } from "../rooms";
import type { Room } from "../types";
import { Avatar } from "../ui/Avatar";
import { Icon } from "../ui/Icon";
import { forgetPushOnLogout } from "../push/push";
import { PushToggle } from "../push/PushToggle";
import { ReceiptsToggle } from "../receipts/ReceiptsToggle";
import { RoomLink } from "./RoomLink";
import { SoundToggle } from "./SoundToggle";
import { BrowseRoomsDialog, CreateRoomDialog, NewDmDialog } from "./dialogs";
import { ConsoleLink } from "../console/ConsoleLink";
import { SidebarLinks } from "../search/SidebarLinks";
import { AdminLink } from "../admin/AdminLink";

type DialogName = "create" | "browse" | "dm" | "profile" | null;

/** My profile dialog (and the avatar resizing) arrives the first time it is opened. */
let profileModule: Promise<ComponentType<{ onClose: () => void }>> | null = null;
const loadProfileDialog = () => {
  profileModule ??= import("../people/ProfileDialog").then((m) => m.ProfileDialog);
  profileModule.catch(() => (profileModule = null));
  return profileModule;
};

/** The room list with unread counts, and the ways to get into more rooms. */
export function Sidebar() {
  const [dialog, setDialog] = useState<DialogName>(null);
  const [ProfileDialog, setProfileDialog] = useState<ComponentType<{ onClose: () => void }> | null>(null);
  const openProfile = () =>
    void loadProfileDialog().then(
      (component) => {
        setProfileDialog(() => component);
        setDialog("profile");
      },
      () => {}, // offline before it ever loaded: the button does nothing until the server answers
    );
  const user = currentUser.value;
  const all = rooms.value;
  const channels = all.filter((room) => room.visibility !== "dm");
  const dms = all.filter((room) => room.visibility === "dm");
  const close = () => setDialog(null);

  return (
    <>
    <aside class="sidebar" aria-label="Rooms and account">
      <header class="sidebar__header">
        <a href="/" class="brand">
          <img src="/favicon.svg" alt="" width={28} height={28} />
          <span>Hearth</span>
        </a>
      </header>

      <SidebarLinks />

      <div class="sidebar__actions">
        <button type="button" class="side-btn" onClick={() => setDialog("create")}>
          <Icon name="plus" /> New room
        </button>
        <button type="button" class="side-btn" onClick={() => setDialog("browse")}>
          <Icon name="search" /> Browse rooms
        </button>
        <button type="button" class="side-btn" onClick={() => setDialog("dm")}>
          <Icon name="message" /> Direct message
        </button>
      </div>

      <nav class="sidebar__nav" aria-label="Your rooms">
        <RoomSection title="Rooms" list={channels} empty="Create a room or browse public ones." />
        <RoomSection title="Direct messages" list={dms} empty="No conversations yet." />
        {roomsError.value && (
          <p class="sidebar__error" role="alert">
            {roomsError.value}
          </p>
        )}
        {!roomsLoaded.value && !roomsError.value && <p class="sidebar__empty">Loading…</p>}
      </nav>

      <ConsoleLink />
      <AdminLink />
      <PushToggle />
      <ReceiptsToggle />
      <SoundToggle />
      {user && (
        <footer class="sidebar__footer">
          <button
            type="button"
            class="me-btn"
            title="Your profile: display name and picture"
            data-testid="profile-button"
            onClick={openProfile}
          >
            <Avatar name={user.displayName ?? user.username} url={user.avatarUrl} />
            <span class="sidebar__me">
              {user.displayName && <span class="sidebar__display">{user.displayName}</span>}
              <span class="sidebar__username" data-testid="current-user">
                {user.username}
              </span>
            </span>
            <span class="sr-only">, edit your profile</span>
          </button>
          <button type="button" class="side-btn side-btn--small" onClick={() => void forgetPushOnLogout().then(endSession)}>
            <Icon name="leave" size={16} /> Log out
          </button>
        </footer>
      )}

    </aside>
    {/* Beside the sidebar, not in it: a phone-width layout hides the sidebar while a room is
        open, and a dialog inside it would vanish while still blocking the page. */}
    {dialog === "create" && <CreateRoomDialog onClose={close} />}
    {dialog === "browse" && <BrowseRoomsDialog onClose={close} />}
    {dialog === "dm" && <NewDmDialog onClose={close} />}
    {dialog === "profile" && ProfileDialog && <ProfileDialog onClose={close} />}
    </>
  );
}

function RoomSection({ title, list, empty }: { title: string; list: Room[]; empty: string }) {
  const headingId = `rooms-${title.replace(/\W+/g, "-").toLowerCase()}`;
  return (
    <section class="room-section" aria-labelledby={headingId}>
      <h2 class="room-section__title" id={headingId}>
        {title}
      </h2>
      {list.length === 0 && roomsLoaded.value ? (
        <p class="sidebar__empty">{empty}</p>
      ) : (
        <ul class="room-list">
          {list.map((room) => (
            <li key={room.id}>
              <RoomLink room={room} />
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
