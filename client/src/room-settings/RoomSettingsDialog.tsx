/**
 * A room's settings (docs/admin.md "Rooms and moderation"): its name, topic and visibility,
 * its members' roles, removing and banning, integrations (incoming webhooks), archiving and
 * deleting. What shows follows who I
 * am: the owner sees everything, a moderator the members (remove, ban), an administrator
 * deletion. Loaded with lazy() from RoomView: the chat does not carry it.
 */
import { useEffect, useState } from "preact/hooks";
import { currentUser } from "../session";
import type { Member, RoomDetails } from "../types";
import { ConfirmDialog } from "../ui/ConfirmDialog";
import { FormError } from "../ui/FormError";
import { Modal } from "../ui/Modal";
import { useSubmit } from "../ui/useSubmit";
import { Integrations } from "./Integrations";
import { roomSettingsApi, type Ban } from "./settings-api";
import "./room-settings.css";

interface Props {
  room: RoomDetails;
  onClose: () => void;
  /** Something changed: the room screen loads the details again. */
  onChanged: () => void;
  /** The room is gone for me (deleted): the screen goes back to the list. */
  onGone: () => void;
}

type Asking = { what: "remove"; member: Member } | { what: "ban"; member: Member } | { what: "owner"; member: Member } | { what: "delete" } | { what: "archive" };

export default function RoomSettingsDialog({ room, onClose, onChanged, onGone }: Props) {
  const me = currentUser.value!;
  const owner = room.role === "owner";
  const moderator = owner || room.role === "moderator";
  const admin = me.role === "admin";
  const [asking, setAsking] = useState<Asking | null>(null);
  const [bans, setBans] = useState<Ban[]>([]);
  const submit = useSubmit();
  const loadBans = () => moderator && roomSettingsApi.bans(room.id).then((r) => setBans(r.bans), () => {});
  useEffect(() => void loadBans(), [room.id]);

  const act = (action: () => Promise<unknown>) =>
    void submit.run(async () => {
      await action();
      onChanged();
      await loadBans();
    }, { release: true });

  /** Whom I may act on: not myself, not the owner; a moderator not another moderator. */
  const mayModerate = (m: Member) => m.id !== me.id && m.role !== "owner" && (owner || m.role === "member");

  return (
    <Modal title={`Settings of #${room.name}`} onClose={onClose}>
      <div class="room-settings" data-testid="room-settings">
        {owner && <General room={room} onSaved={onChanged} />}

        {moderator && (
          <section class="room-settings__section" aria-labelledby="rs-members">
            <h3 id="rs-members">Members</h3>
            <ul class="room-settings__list">
              {room.members.map((m) => (
                <li key={m.id} class="room-settings__item" data-testid="settings-member" data-username={m.username}>
                  <span class="room-settings__who">
                    <strong>{m.displayName ?? m.username}</strong>
                    <span class="room-settings__hint">
                      {m.displayName ? `@${m.username} · ` : ""}
                      {m.role === "owner" ? "Owner" : m.role === "moderator" ? "Moderator" : "Member"}
                    </span>
                  </span>
                  {owner && m.id !== me.id && (
                    <select
                      aria-label={`Role of ${m.username}`}
                      value={m.role}
                      disabled={submit.busy}
                      onChange={(e) => {
                        const role = e.currentTarget.value as Member["role"];
                        if (role === "owner") setAsking({ what: "owner", member: m });
                        else act(() => roomSettingsApi.setRole(room.id, m.id, role));
                      }}
                    >
                      <option value="member">Member</option>
                      <option value="moderator">Moderator</option>
                      <option value="owner">Owner (transfer)</option>
                    </select>
                  )}
                  {mayModerate(m) && (
                    <>
                      <button type="button" class="btn" disabled={submit.busy} onClick={() => setAsking({ what: "remove", member: m })}>
                        Remove
                      </button>
                      <button type="button" class="btn btn--danger" disabled={submit.busy} onClick={() => setAsking({ what: "ban", member: m })}>
                        Ban
                      </button>
                    </>
                  )}
                </li>
              ))}
            </ul>
            {bans.length > 0 && (
              <>
                <h4 class="room-settings__sub">Banned</h4>
                <ul class="room-settings__list">
                  {bans.map((b) => (
                    <li key={b.userId} class="room-settings__item" data-testid="settings-ban">
                      <span class="room-settings__who">{b.username}</span>
                      <button type="button" class="btn" disabled={submit.busy} onClick={() => act(() => roomSettingsApi.unban(room.id, b.userId))}>
                        Lift ban
                      </button>
                    </li>
                  ))}
                </ul>
              </>
            )}
          </section>
        )}

        {!room.archived && <Integrations roomId={room.id} />}

        {(owner || admin) && (
          <section class="room-settings__section" aria-labelledby="rs-danger">
            <h3 id="rs-danger">Archive or delete</h3>
            <div class="room-settings__row">
              {owner &&
                (room.archived ? (
                  <button type="button" class="btn" disabled={submit.busy} onClick={() => act(() => roomSettingsApi.unarchive(room.id))}>
                    Unarchive
                  </button>
                ) : (
                  <button type="button" class="btn" disabled={submit.busy} onClick={() => setAsking({ what: "archive" })}>
                    Archive…
                  </button>
                ))}
              <button type="button" class="btn btn--danger" disabled={submit.busy} onClick={() => setAsking({ what: "delete" })}>
                Delete room…
              </button>
            </div>
          </section>
        )}
        <FormError error={submit.error} />
      </div>

      {asking && (
        <ConfirmDialog
          title={confirmTitle(asking, room.name)}
          action={confirmAction(asking)}
          onClose={() => setAsking(null)}
          onConfirm={async () => {
            if (asking.what === "delete") {
              await roomSettingsApi.deleteRoom(room.id);
              return onGone();
            }
            if (asking.what === "archive") await roomSettingsApi.archive(room.id);
            else if (asking.what === "owner") await roomSettingsApi.setRole(room.id, asking.member.id, "owner");
            else if (asking.what === "remove") await roomSettingsApi.remove(room.id, asking.member.id);
            else await roomSettingsApi.ban(room.id, asking.member.id);
            onChanged();
            await loadBans();
          }}
        >
          <p>{confirmText(asking)}</p>
        </ConfirmDialog>
      )}
    </Modal>
  );
}

function confirmTitle(a: Asking, name: string): string {
  if (a.what === "delete") return `Delete #${name}?`;
  if (a.what === "archive") return `Archive #${name}?`;
  if (a.what === "owner") return `Make ${a.member.username} the owner?`;
  return a.what === "ban" ? `Ban ${a.member.username}?` : `Remove ${a.member.username}?`;
}

function confirmAction(a: Asking): string {
  return { delete: "Delete room", archive: "Archive", owner: "Transfer ownership", remove: "Remove", ban: "Ban" }[a.what];
}

function confirmText(a: Asking): string {
  switch (a.what) {
    case "delete":
      return "Its messages, files and call are deleted for everyone. This cannot be undone.";
    case "archive":
      return "No one can write in it any more and it leaves Browse. Its history stays; you can unarchive it.";
    case "owner":
      return "They will own the room and its settings; you become a moderator.";
    case "remove":
      return "They leave the room at once. They can join again if it is public, or be invited back.";
    case "ban":
      return "They leave the room at once and cannot join again or be added back until the ban is lifted.";
  }
}

/** The owner's form: name, topic, visibility. */
function General({ room, onSaved }: { room: RoomDetails; onSaved: () => void }) {
  const [name, setName] = useState(room.name);
  const [topic, setTopic] = useState(room.topic);
  const [visibility, setVisibility] = useState(room.visibility === "private" ? "private" : "public");
  const [saved, setSaved] = useState(false);
  const submit = useSubmit();

  function save(event: Event) {
    event.preventDefault();
    setSaved(false);
    void submit.run(async () => {
      await roomSettingsApi.update(room.id, { name: name.trim(), topic: topic.trim(), visibility: visibility as "public" | "private" });
      setSaved(true);
      onSaved();
    }, { release: true });
  }

  return (
    <form class="room-settings__section" aria-labelledby="rs-general" onSubmit={save}>
      <h3 id="rs-general">Room</h3>
      <div class="field">
        <label for="rs-name">Name</label>
        <input id="rs-name" value={name} maxLength={64} onInput={(e) => setName(e.currentTarget.value)} />
      </div>
      <div class="field">
        <label for="rs-topic">Topic</label>
        <input id="rs-topic" value={topic} maxLength={200} onInput={(e) => setTopic(e.currentTarget.value)} />
      </div>
      <div class="field">
        <label for="rs-visibility">Who can find it</label>
        <select id="rs-visibility" value={visibility} onChange={(e) => setVisibility(e.currentTarget.value)}>
          <option value="public">Public: anyone can find and join it</option>
          <option value="private">Private: by invitation</option>
        </select>
      </div>
      <FormError error={submit.error} />
      <div class="room-settings__row">
        <button type="submit" class="btn btn--primary" disabled={submit.busy}>
          Save
        </button>
        {saved && !submit.error && <span class="room-settings__hint" role="status">Saved.</span>}
      </div>
    </form>
  );
}
