/**
 * A person's name as Hearth shows it: their display name with the username beside it, or the
 * username alone (ui/: no page-folder imports).
 */
import type { Profile } from "../types";

export interface Named extends Profile {
  username: string;
}

/** What to call someone in a sentence or a label: the display name, else the username. */
export function shownName(person: Named): string {
  return person.displayName ?? person.username;
}

/** The display name, then `@username` muted; only the username when there is no display name. */
export function PersonName({ person, class: className }: { person: Named; class?: string }) {
  const classes = className ? `person ${className}` : "person";
  if (!person.displayName) return <span class={classes}>{person.username}</span>;
  return (
    <span class={classes}>
      <span class="person__display">{person.displayName}</span> <span class="person__username">@{person.username}</span>
    </span>
  );
}
