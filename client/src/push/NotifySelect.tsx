/** A room's push setting for me: all messages, mentions only, or muted. */
import { api } from "../api";
import { rooms } from "../rooms";
import type { NotifyMode, Room } from "../types";
import { Icon } from "../ui/Icon";
import { useSubmit } from "../ui/useSubmit";

type Mode = NotifyMode;
const LABELS = { all: "All messages", mentions: "Mentions only", muted: "Muted" } as const satisfies Record<Mode, string>;

/** This room's push setting for me: all messages, mentions only, or muted. */
export function NotifySelect({ room }: { room: Room }) {
  const submit = useSubmit();
  const { error } = submit;
  const current: Mode = room.notify ?? "all";
  return (
    <label class="notify-select tool-btn" data-mode={current} title={`Notifications: ${LABELS[current]}`}>
      <Icon name={current === "muted" ? "bellOff" : "bell"} size={16} />
      <span class="sr-only">Notifications for this room</span>
      <select
        value={current}
        disabled={submit.busy}
        data-testid="notify-select"
        onChange={async (event) => {
          const select = event.currentTarget as HTMLSelectElement;
          const mode = select.value as Mode;
          submit.setError(null);
          await submit.run(
            async () => {
              try {
                await api.setNotify(room.id, mode);
              } catch (e) {
                select.value = current;
                throw e;
              }
              // In place: a setting is no activity, the room keeps its place in the list.
              rooms.value = rooms.value.map((r) => (r.id === room.id ? { ...r, notify: mode } : r));
            },
            { fallback: "Could not save", release: true },
          );
        }}
      >
        {(Object.keys(LABELS) as Mode[]).map((mode) => (
          <option key={mode} value={mode}>
            {LABELS[mode]}
          </option>
        ))}
      </select>
      {error && (
        <span class="notify-select__error" role="alert">
          {error}
        </span>
      )}
    </label>
  );
}
