/**
 * A user's avatar: shared by the room screens, the call view and anything else that shows a
 * person (ui/: it imports nothing from the page folders).
 */
import { useState } from "preact/hooks";

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

/**
 * Their picture when `url` is given (a signed avatarUrl), else (or when it cannot load: expired,
 * replaced, offline) a rounded badge with the initial of `name`, in a colour derived from it.
 * Decorative: the name is always written next to it.
 */
export function Avatar({ name, url, small, large }: { name: string; url?: string; small?: boolean; large?: boolean }) {
  const [broken, setBroken] = useState<string | null>(null);
  const size = small ? " avatar--small" : large ? " avatar--large" : "";
  if (url && broken !== url) {
    return <img class={`avatar avatar--img${size}`} src={url} alt="" aria-hidden="true" decoding="async" onError={() => setBroken(url)} />;
  }
  let hash = 0;
  for (const char of name) hash = (hash * 31 + char.codePointAt(0)!) >>> 0;
  return (
    <span class={`avatar${size}`} style={{ background: PALETTE[hash % PALETTE.length] }} aria-hidden="true">
      {([...name][0] ?? "?").toUpperCase()}
    </span>
  );
}
