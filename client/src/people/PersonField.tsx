/**
 * A username field that suggests people as one types: GET /api/users?q= (prefix of a username
 * or display name), asked 150 ms after the last keystroke. An ARIA 1.2 combobox: ↓ and ↑ move
 * through the suggestions, Enter or a click picks one (its username fills the field), Escape
 * closes the list. A username typed in full still works without picking.
 */
import "./people.css";
import { useEffect, useRef, useState } from "preact/hooks";
import { api } from "../api";
import type { User } from "../types";
import { Avatar } from "../ui/Avatar";
import { PersonName, shownName } from "../ui/PersonName";

const DEBOUNCE_MS = 150;
/** The server's longest query. */
const MAX_QUERY = 64;

interface PersonFieldProps {
  id: string;
  value: string;
  onInput: (value: string) => void;
  /** People never suggested (me; a room's members). */
  exclude?: ReadonlySet<string>;
  autoFocus?: boolean;
}

export function PersonField({ id, value, onInput, exclude, autoFocus }: PersonFieldProps) {
  const [found, setFound] = useState<User[]>([]);
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);
  /** The query whose answer is shown: an older answer arriving late is dropped. */
  const asked = useRef("");
  const listId = `${id}-people`;
  const query = value.trim().replace(/^@/, "");

  useEffect(() => {
    asked.current = query;
    if (!query || query.length > MAX_QUERY) {
      setFound([]);
      return;
    }
    const timer = setTimeout(() => {
      api.findPeople(query).then(
        ({ users }) => {
          if (asked.current !== query) return;
          setFound(users.filter((u) => !exclude?.has(u.id)));
          setActive(-1);
        },
        () => {
          // Suggestions are a help: the field still takes a username as typed.
          if (asked.current === query) setFound([]);
        },
      );
    }, DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [query]);

  // The one suggestion that is exactly what was typed needs no list.
  const suggestions = found.length === 1 && found[0]!.username === query.toLowerCase() ? [] : found;
  const expanded = open && suggestions.length > 0;

  function pick(user: User) {
    onInput(user.username);
    asked.current = user.username;
    setFound([]);
    setOpen(false);
    setActive(-1);
  }

  function onKeyDown(event: KeyboardEvent) {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (suggestions.length === 0) return;
      event.preventDefault();
      setOpen(true);
      const n = suggestions.length;
      const step = event.key === "ArrowDown" ? 1 : -1;
      // From the field, ↓ goes to the first and ↑ to the last; then round and round.
      setActive((at) => (at < 0 ? (step > 0 ? 0 : n - 1) : (at + step + n) % n));
      return;
    }
    if (!expanded) return;
    if (event.key === "Enter" && active >= 0) {
      event.preventDefault();
      pick(suggestions[active]!);
    } else if (event.key === "Escape") {
      // Closes the list, not the dialog around it.
      event.preventDefault();
      event.stopPropagation();
      setOpen(false);
      setActive(-1);
    }
  }

  return (
    <div class="person-field">
      <input
        id={id}
        role="combobox"
        aria-autocomplete="list"
        aria-expanded={expanded}
        aria-controls={listId}
        aria-activedescendant={expanded && active >= 0 ? `${listId}-${active}` : undefined}
        autoComplete="off"
        autoCapitalize="none"
        spellcheck={false}
        value={value}
        onInput={(e) => {
          onInput(e.currentTarget.value);
          setOpen(true);
        }}
        onKeyDown={onKeyDown}
        onBlur={() => setOpen(false)}
        autoFocus={autoFocus}
      />
      <ul id={listId} role="listbox" class="person-field__list" aria-label="People" hidden={!expanded}>
        {suggestions.map((user, i) => (
          <li
            key={user.id}
            id={`${listId}-${i}`}
            role="option"
            aria-selected={i === active}
            class="person-field__option"
            data-testid="person-suggestion"
            // Keeps the focus in the field, so the list is not closed by its blur before the click.
            onMouseDown={(e) => e.preventDefault()}
            onClick={() => pick(user)}
          >
            <Avatar name={shownName(user)} url={user.avatarUrl} small />
            <PersonName person={user} />
          </li>
        ))}
      </ul>
    </div>
  );
}
