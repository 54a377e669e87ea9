/**
 * The composer's `@` suggestions as a hook: it follows the text and the caret, keeps which
 * entry is active, handles the keys while the list is open, and inserts the one picked. The
 * composer wires it to its textarea; MentionList shows it.
 */
import { useMemo, useState } from "preact/hooks";
import type { Member } from "../types";
import { insertMention, mentionAt, suggest, type MentionQuery, type Suggestion } from "./suggest";

export interface PickerOptions {
  /** The composer's text now: a list opened for other text (a sent or replaced draft) is closed. */
  text: string;
  /** The room's members (its details); empty until they load, and then only `@room` may show. */
  members: readonly Member[];
  /** My username: not suggested to myself. */
  me: string;
  /** I own the room: `@room` is offered. */
  owner: boolean;
  /** Puts the picked text in the composer with the caret at `caret`. */
  onPick: (text: string, caret: number) => void;
}

export interface Picker {
  /** The `@…` being completed while the list shows, else null. */
  at: MentionQuery | null;
  suggestions: Suggestion[];
  /** The highlighted entry's index. */
  active: number;
  /** Call with the text and caret after each input, click or caret move. */
  follow(text: string, caret: number): void;
  /** The textarea's keydown while the list is open: true if the key was the list's. */
  onKey(event: KeyboardEvent): boolean;
  pick(index: number): void;
  setActive(index: number): void;
  close(): void;
}

/**
 * Suggestions for the `@name` under the caret. Escape closes the list until the caret leaves
 * that `@`; picking replaces the name typed so far with `@username `.
 * @example const picker = usePicker({ text, members, me: me.username, owner, onPick: (next, caret) => … });
 */
export function usePicker({ text, members, me, owner, onPick }: PickerOptions): Picker {
  const [typed, setTyped] = useState<{ text: string; at: MentionQuery } | null>(null);
  const [active, setActive] = useState(0);
  /** Where the `@` dismissed by Escape is: its list stays closed while typing goes on after it. */
  const [dismissed, setDismissed] = useState<number | null>(null);

  const query = typed?.at.query ?? null;
  const suggestions = useMemo(
    () => (query === null ? [] : suggest(members, query, { me, owner })),
    [members, query, me, owner],
  );
  const open = typed !== null && typed.text === text && typed.at.start !== dismissed && suggestions.length > 0;
  const at = open ? typed.at : null;

  function follow(now: string, caret: number) {
    const found = mentionAt(now, caret);
    if (found?.start !== dismissed) setDismissed(null);
    if (found?.query !== typed?.at.query || found?.start !== typed?.at.start) setActive(0);
    setTyped(found ? { text: now, at: found } : null);
  }

  function pick(index: number) {
    const chosen = suggestions[index];
    if (!typed || !chosen) return;
    const next = insertMention(typed.text, typed.at, chosen.username);
    setTyped(null);
    onPick(next.text, next.caret);
  }

  function onKey(event: KeyboardEvent): boolean {
    if (!open) return false;
    const count = suggestions.length;
    switch (event.key) {
      case "ArrowDown":
        setActive((active + 1) % count);
        break;
      case "ArrowUp":
        setActive((active - 1 + count) % count);
        break;
      case "Enter":
      case "Tab":
        if (event.shiftKey) return false;
        pick(Math.min(active, count - 1));
        break;
      case "Escape":
        setDismissed(typed.at.start);
        break;
      default:
        return false;
    }
    event.preventDefault();
    return true;
  }

  return {
    at,
    suggestions: open ? suggestions : [],
    active: Math.min(active, Math.max(suggestions.length - 1, 0)),
    follow,
    onKey,
    pick,
    setActive,
    close: () => setTyped(null),
  };
}
