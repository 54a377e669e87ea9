import { useState } from "preact/hooks";
import { api, ApiError } from "../api";
import { upsertRoom } from "../rooms";
import type { Room } from "../types";

const LABELS = { all: "All messages", mentions: "Mentions only", muted: "Muted" } as const;

/** This room's push setting for me: all messages, mentions only, or muted. */
export function NotifySelect({ room }: { room: Room }) {
  const [error, setError] = useState<string | null>(null);
  const current = room.notify ?? "all";
  return (
    <label class="notify-select">
      <span class="sr-only">Notifications for this room</span>
      <select
        value={current}
        data-testid="notify-select"
        onChange={async (event) => {
          const mode = (event.currentTarget as HTMLSelectElement).value as keyof typeof LABELS;
          setError(null);
          try {
            await api.setNotify(room.id, mode);
            upsertRoom({ ...room, notify: mode });
          } catch (e) {
            setError(e instanceof ApiError ? e.message : "Could not save");
          }
        }}
      >
        {(Object.keys(LABELS) as (keyof typeof LABELS)[]).map((mode) => (
          <option value={mode}>{mode === "muted" ? "🔕 " : "🔔 "}{LABELS[mode]}</option>
        ))}
      </select>
      {error && <span role="alert">{error}</span>}
    </label>
  );
}
