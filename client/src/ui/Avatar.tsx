/**
 * A user's avatar: shared by the room screens, the call view and anything else that shows a
 * person (ui/: it imports nothing from the page folders).
 */

/** Colours with enough contrast for white initials. */
const PALETTE = [
  "#5b5bd6",
  "#c2298a",
  "#d13f45",
  "#c05621",
  "#2f855a",
  "#0f766e",
  "#2563eb",
  "#7c3aed",
  "#9a6b3f",
  "#be185d",
];

/** A rounded badge with a user's initial, in a colour derived from the name. */
export function Avatar({ name, small }: { name: string; small?: boolean }) {
  let hash = 0;
  for (const char of name) hash = (hash * 31 + char.codePointAt(0)!) >>> 0;
  return (
    <span
      class={small ? "avatar avatar--small" : "avatar"}
      style={{ background: PALETTE[hash % PALETTE.length] }}
      aria-hidden="true"
    >
      {(name[0] ?? "?").toUpperCase()}
    </span>
  );
}
