/**
 * The ways into search and mentions that the rest of the app uses: where a hit leads, the
 * search panel's last place, and the results a hit was opened from. Loaded with the shell;
 * the panel and the mentions view themselves are lazy chunks.
 */
import { signal } from "@preact/signals";

/** The search panel's last URL (with its query): the sidebar and the shortcut go back to it. */
export const searchPath = signal("/search");

/** Bumped to ask the open search panel to put the keyboard in its field (the shortcut, again). */
export const searchFieldWanted = signal(0);

/** The results a hit was opened from, for the room's "Back to …" link; null: none. */
export const resultsPlace = signal<{ path: string; label: string } | null>(null);

/** Signed out: nothing of the last user's searches stays (their words are in the path). */
export function forgetSearch(): void {
  searchPath.value = "/search";
  resultsPlace.value = null;
}

/** Where a hit leads: its room, opened at the message. */
export const messagePath = (roomId: string, seq: number) => `/rooms/${encodeURIComponent(roomId)}?at=${seq}`;

/** The message a room URL's `at` names (a positive whole number), or null. */
export function linkedSeq(at: string | undefined): number | null {
  return at && /^[1-9]\d{0,15}$/.test(at) ? Number(at) : null;
}

/**
 * Ctrl+K or ⌘K anywhere, or "/" while not writing, opens search. Not while a dialog is open:
 * it would open beneath it.
 */
export function isSearchShortcut(event: KeyboardEvent): boolean {
  if (event.altKey || event.shiftKey || document.querySelector("dialog[open]")) return false;
  if (event.ctrlKey || event.metaKey) return event.key === "k" || event.key === "K";
  // The element typed in, inside a shadow root too (the emoji picker's search field).
  return event.key === "/" && !isEditable(event.composedPath()[0] ?? event.target);
}

function isEditable(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName);
}
