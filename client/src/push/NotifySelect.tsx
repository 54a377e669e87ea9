import { useState } from "preact/hooks";
import { api, ApiError } from "../api";
import { rooms } from "../rooms";
import type { Room } from "../types";
import { Icon } from "../ui/Icon";

const LABELS = { all: "All messages", mentions: "Mentions only", muted: "Muted" } as const;
type Mode = keyof typeof LABELS;

/** This room's push setting for me: all messages, mentions only, or muted. */
export function NotifySelect({ room }: { room: Room }) {
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const current: Mode = room.notify ?? "all";
  return (
    <label class="notify-select tool-btn" data-mode={current} title={`Notifications: ${LABELS[current]}`}>
      <Icon name={current === "muted" ? "bellOff" : "bell"} size={16} />
      <span class="sr-only">Notifications for this room</span>
      <select
        value={current}
        disabled={saving}
        data-testid="notify-select"
        onChange={async (event) => {
          const select = event.currentTarget as HTMLSelectElement;
          const mode = select.value as Mode;
          setError(null);
          setSaving(true);
          try {
            await api.setNotify(room.id, mode);
            // In place: a setting is no activity, the room keeps its place in the list.
            rooms.value = rooms.value.map((r) => (r.id === room.id ? { ...r, notify: mode } : r));
          } catch (e) {
            select.value = current;
            setError(e instanceof ApiError ? e.message : "Could not save");
          } finally {
            setSaving(false);
          }
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
