/**
 * A message's reaction chips: emoji and count, mine pressed, a click toggles mine; the title
 * says who reacted. The last chip adds another reaction.
 */
import { useRef, useState } from "preact/hooks";
import type { Message } from "../../types";
import { Icon } from "../../ui/Icon";
import type { MessageActions } from "./actions";
import { ReactionPopover } from "./ReactionPopover";
import { whoReacted } from "./who";

export function Reactions({ message, actions, tabbable }: { message: Message; actions: MessageActions; tabbable: boolean }) {
  const [adding, setAdding] = useState(false);
  const addButton = useRef<HTMLButtonElement>(null);
  const reactions = message.reactions ?? [];
  if (reactions.length === 0) return null;
  const names = actions.names.value;
  const myId = actions.myId;

  return (
    <ul class="reactions" aria-label="Reactions">
      {reactions.map((reaction) => {
        const mine = reaction.userIds.includes(myId);
        const who = whoReacted(reaction, names, myId);
        return (
          <li key={reaction.emoji}>
            <button
              type="button"
              tabIndex={tabbable ? 0 : -1}
              class={`chip${mine ? " chip--mine" : ""}`}
              aria-pressed={mine}
              aria-label={`${reaction.emoji} ${reaction.count}: ${who}`}
              title={`${who} reacted with ${reaction.emoji}`}
              data-testid="reaction"
              data-emoji={reaction.emoji}
              onClick={() => actions.toggleReaction(message, reaction.emoji)}
            >
              <span class="chip__emoji">{reaction.emoji}</span>
              <span class="chip__count">{reaction.count}</span>
            </button>
          </li>
        );
      })}
      <li>
        <button
          ref={addButton}
          type="button"
          tabIndex={tabbable ? 0 : -1}
          class="chip chip--add"
          aria-label="Add reaction"
          title="Add reaction"
          aria-haspopup="dialog"
          aria-expanded={adding}
          onClick={() => setAdding(!adding)}
        >
          <Icon name="smilePlus" size={16} />
        </button>
        {adding && (
          <ReactionPopover
            anchor={addButton}
            isMine={(emoji) => actions.hasReacted(message, emoji)}
            onPick={(emoji) => actions.toggleReaction(message, emoji)}
            onClose={(how) => {
              setAdding(false);
              if (how !== "outside") addButton.current?.focus();
            }}
          />
        )}
      </li>
    </ul>
  );
}
