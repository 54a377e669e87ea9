/**
 * The `@` suggestions above the composer's box: a listbox the textarea drives (the focus
 * stays in the textarea; `aria-activedescendant` says which option is active), picked with
 * the keyboard, the mouse or a tap. A polite status line tells screen readers it opened.
 */
import { useLayoutEffect, useRef } from "preact/hooks";
import { Avatar } from "../ui/Avatar";
import { Icon } from "../ui/Icon";
import type { Picker } from "./usePicker";
import "./mentions.css";

export const LIST_ID = "mention-list";
export const optionId = (index: number) => `mention-option-${index}`;

/**
 * What the textarea carries for the list: it completes with a list that it controls while
 * open. (A textbox has no `aria-expanded` in ARIA; the controls and active option say it.)
 */
export function textboxAria(picker: Picker) {
  const open = picker.suggestions.length > 0;
  return {
    "aria-autocomplete": "list",
    "aria-haspopup": "listbox",
    "aria-controls": open ? LIST_ID : undefined,
    "aria-activedescendant": open ? optionId(picker.active) : undefined,
  } as const;
}

export function MentionList({ picker }: { picker: Picker }) {
  const list = useRef<HTMLDivElement>(null);
  const { suggestions, active } = picker;
  const count = suggestions.length;

  // The active option in view, scrolling the list only (not the page around it).
  useLayoutEffect(() => {
    const box = list.current;
    const option = box?.querySelector<HTMLElement>(`#${optionId(active)}`);
    if (!box || !option) return;
    if (option.offsetTop < box.scrollTop) box.scrollTop = option.offsetTop;
    const bottom = option.offsetTop + option.offsetHeight;
    if (bottom > box.scrollTop + box.clientHeight) box.scrollTop = bottom - box.clientHeight;
  }, [active, count]);

  return (
    <>
      <p class="sr-only" role="status" data-testid="mention-status">
        {count === 0 ? "" : `${count === 1 ? "1 person" : `${count} people`} to mention: up and down arrows to choose, Enter to insert.`}
      </p>
      {count > 0 && (
        <div ref={list} id={LIST_ID} class="mentions" role="listbox" aria-label="People to mention" data-testid="mention-list">
          {suggestions.map((s, index) => (
            <div
              key={s.username}
              id={optionId(index)}
              role="option"
              aria-selected={index === active}
              class="mentions__option"
              data-username={s.username}
              // The textarea keeps the focus (and the phone its keyboard) while one is picked.
              onMouseDown={(event) => event.preventDefault()}
              onMouseMove={() => index !== active && picker.setActive(index)}
              onClick={() => picker.pick(index)}
            >
              {s.everyone ? (
                <span class="mentions__everyone" aria-hidden="true">
                  <Icon name="users" size={14} />
                </span>
              ) : (
                <Avatar name={s.username} small />
              )}
              <span class="mentions__name">{s.everyone ? "@room" : (s.displayName ?? s.username)}</span>
              {(s.everyone || s.displayName) && (
                <span class="mentions__user">{s.everyone ? "Notify everyone in the room" : `@${s.username}`}</span>
              )}
            </div>
          ))}
        </div>
      )}
    </>
  );
}
