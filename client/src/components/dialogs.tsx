/** The sidebar's and the room bar's dialogs: create, browse, DM, invite, leave. */
import { useEffect, useState } from "preact/hooks";
import { useLocation } from "preact-iso";
import { api } from "../api";
import { PersonField } from "../people/PersonField";
import { upsertRoom } from "../rooms";
import { currentUser } from "../session";
import type { PublicRoom } from "../types";
import { FormError } from "../ui/FormError";
import { Modal } from "../ui/Modal";
import { errorText, useSubmit } from "../ui/useSubmit";

interface DialogProps {
  onClose: () => void;
}

/** Name, topic and visibility of a new room; opens it once created. */
export function CreateRoomDialog({ onClose }: DialogProps) {
  const { route } = useLocation();
  const [name, setName] = useState("");
  const [topic, setTopic] = useState("");
  const [visibility, setVisibility] = useState<"public" | "private">("public");
  const submit = useSubmit();

  function onSubmit(event: Event) {
    event.preventDefault();
    if (!name.trim()) {
      submit.setError("Give the room a name.");
      return;
    }
    void submit.run(async () => {
      const room = await api.createRoom({ name: name.trim(), topic: topic.trim(), visibility });
      upsertRoom(room);
      onClose();
      route(`/rooms/${room.id}`);
    });
  }

  return (
    <Modal title="Create a room" onClose={onClose}>
      <form class="form" onSubmit={onSubmit} noValidate>
        <div class="field">
          <label for="room-name">Name</label>
          <input
            id="room-name"
            required
            maxLength={64}
            value={name}
            onInput={(e) => setName(e.currentTarget.value)}
            autoFocus
          />
        </div>
        <div class="field">
          <label for="room-topic">
            Topic <span class="field__optional">(optional)</span>
          </label>
          <input
            id="room-topic"
            maxLength={200}
            value={topic}
            onInput={(e) => setTopic(e.currentTarget.value)}
          />
        </div>
        <fieldset class="field choice">
          <legend>Who can join</legend>
          <label class="choice__option">
            <input
              type="radio"
              name="visibility"
              value="public"
              checked={visibility === "public"}
              onChange={() => setVisibility("public")}
            />
            <span>
              <strong>Public</strong>
              <small>Anyone can find and join it.</small>
            </span>
          </label>
          <label class="choice__option">
            <input
              type="radio"
              name="visibility"
              value="private"
              checked={visibility === "private"}
              onChange={() => setVisibility("private")}
            />
            <span>
              <strong>Private</strong>
              <small>Only people you invite.</small>
            </span>
          </label>
        </fieldset>
        <FormError error={submit.error} />
        <div class="form__actions">
          <button type="button" class="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" class="btn btn--primary" disabled={submit.busy}>
            Create room
          </button>
        </div>
      </form>
    </Modal>
  );
}

/** The public rooms of this server, to join or open. */
export function BrowseRoomsDialog({ onClose }: DialogProps) {
  const { route } = useLocation();
  const [list, setList] = useState<PublicRoom[] | null>(null);
  const [filter, setFilter] = useState("");
  const submit = useSubmit();
  /** The room whose Join was pressed last (it says "Joining…" while `submit.busy`). */
  const [joining, setJoining] = useState<string | null>(null);

  useEffect(() => {
    api.publicRooms().then(
      ({ rooms }) => setList(rooms),
      (err: unknown) => submit.setError(errorText(err)),
    );
  }, []);

  function open(room: PublicRoom) {
    if (room.joined) {
      onClose();
      route(`/rooms/${room.id}`);
      return;
    }
    setJoining(room.id);
    void submit.run(async () => {
      upsertRoom(await api.joinRoom(room.id));
      onClose();
      route(`/rooms/${room.id}`);
    });
  }

  const needle = filter.trim().toLowerCase();
  const shown = (list ?? []).filter(
    (room) =>
      !needle ||
      room.name.toLowerCase().includes(needle) ||
      room.topic.toLowerCase().includes(needle),
  );

  return (
    <Modal title="Browse public rooms" onClose={onClose}>
      <div class="field">
        <label for="browse-filter" class="sr-only">
          Filter rooms
        </label>
        <input
          id="browse-filter"
          type="search"
          placeholder="Filter rooms"
          value={filter}
          onInput={(e) => setFilter(e.currentTarget.value)}
          autoFocus
        />
      </div>
      <FormError error={submit.error} />
      {list === null && !submit.error && <p class="muted">Loading…</p>}
      {list !== null && shown.length === 0 && (
        <p class="muted">{list.length === 0 ? "No public rooms yet." : "No room matches."}</p>
      )}
      <ul class="browse" aria-label="Public rooms">
        {shown.map((room) => (
          <li key={room.id} class="browse__item" data-testid="public-room">
            <div class="browse__text">
              <span class="browse__name"># {room.name}</span>
              {room.topic && <span class="browse__topic">{room.topic}</span>}
              <span class="browse__meta">
                {room.memberCount} {room.memberCount === 1 ? "member" : "members"}
              </span>
            </div>
            <button
              type="button"
              class={room.joined ? "btn" : "btn btn--primary"}
              disabled={submit.busy}
              onClick={() => open(room)}
              aria-label={`${room.joined ? "Open" : "Join"} ${room.name}`}
            >
              {room.joined ? "Open" : submit.busy && joining === room.id ? "Joining…" : "Join"}
            </button>
          </li>
        ))}
      </ul>
    </Modal>
  );
}

/** A typed or picked username as the server takes it. */
const asUsername = (text: string) => text.trim().replace(/^@/, "").toLowerCase();

/** Starts (or reopens) a direct conversation with one user, found by name as one types. */
export function NewDmDialog({ onClose }: DialogProps) {
  const { route } = useLocation();
  const [username, setUsername] = useState("");
  const submit = useSubmit();

  function onSubmit(event: Event) {
    event.preventDefault();
    const name = asUsername(username);
    if (!name) {
      submit.setError("Type a name or username.");
      return;
    }
    void submit.run(async () => {
      const room = await api.openDm(name);
      upsertRoom(room);
      onClose();
      route(`/rooms/${room.id}`);
    });
  }

  return (
    <Modal title="Direct message" onClose={onClose}>
      <form class="form" onSubmit={onSubmit} noValidate>
        <div class="field">
          <label for="dm-username">Name or username</label>
          <PersonField id="dm-username" value={username} onInput={setUsername} exclude={new Set([currentUser.value?.id ?? ""])} autoFocus />
        </div>
        <FormError error={submit.error} />
        <div class="form__actions">
          <button type="button" class="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" class="btn btn--primary" disabled={submit.busy}>
            Start conversation
          </button>
        </div>
      </form>
    </Modal>
  );
}

interface InviteProps extends DialogProps {
  roomId: string;
  roomName: string;
  /** Who is in the room already: not suggested. */
  members: ReadonlySet<string>;
  onAdded: () => void;
}

/** Adds a user to a room, found by name as one types (the way into a private room). */
export function InviteDialog({ roomId, roomName, members, onClose, onAdded }: InviteProps) {
  const [username, setUsername] = useState("");
  const [added, setAdded] = useState<string | null>(null);
  const submit = useSubmit();

  function onSubmit(event: Event) {
    event.preventDefault();
    const name = asUsername(username);
    if (!name) {
      submit.setError("Type a name or username.");
      return;
    }
    submit.setError(null);
    setAdded(null);
    // The dialog stays open for the next name: not busy once this one is done.
    void submit.run(
      async () => {
        const { member } = await api.addMember(roomId, name);
        setAdded(member.username);
        setUsername("");
        onAdded();
      },
      { release: true },
    );
  }

  return (
    <Modal title={`Invite to ${roomName}`} onClose={onClose}>
      <form class="form" onSubmit={onSubmit} noValidate>
        <div class="field">
          <label for="invite-username">Name or username</label>
          <PersonField id="invite-username" value={username} onInput={setUsername} exclude={members} autoFocus />
        </div>
        <FormError error={submit.error} />
        {added && (
          <p class="form__success" role="status">
            {added} was added to the room.
          </p>
        )}
        <div class="form__actions">
          <button type="button" class="btn" onClick={onClose}>
            Done
          </button>
          <button type="submit" class="btn btn--primary" disabled={submit.busy}>
            Invite
          </button>
        </div>
      </form>
    </Modal>
  );
}

interface LeaveProps extends DialogProps {
  roomId: string;
  roomLabel: string;
  onLeft: () => void;
}

/** Asks before leaving a room; the room disappears from the list once left. */
export function LeaveRoomDialog({ roomId, roomLabel, onClose, onLeft }: LeaveProps) {
  const submit = useSubmit();

  function leave() {
    void submit.run(async () => {
      await api.leaveRoom(roomId);
      onLeft();
    });
  }

  return (
    <Modal title={`Leave ${roomLabel}?`} onClose={onClose}>
      <p class="muted">
        You will stop receiving its messages. You can join a public room again later; a private
        one needs a new invitation.
      </p>
      <FormError error={submit.error} />
      <div class="form__actions">
        <button type="button" class="btn" onClick={onClose} autoFocus>
          Cancel
        </button>
        <button type="button" class="btn btn--danger" disabled={submit.busy} onClick={leave}>
          Leave room
        </button>
      </div>
    </Modal>
  );
}
