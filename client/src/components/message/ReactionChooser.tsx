/**
 * Choosing a reaction: a row of quick ones and the full emoji picker behind "More emoji". In the
 * toolbar's popover on desktop (ReactionPopover) and in the long-press sheet on phones.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import { PickerStatusLine, useEmojiPicker } from "../EmojiButton";
import { Icon } from "../../ui/Icon";

export const QUICK_REACTIONS = ["👍", "❤️", "😂", "🎉", "😮", "😢"];

export function ReactionChooser({
  isMine,
  onPick,
  autoFocus = false,
}: {
  /** Whether I already reacted with this emoji (its button is pressed). */
  isMine: (emoji: string) => boolean;
  onPick: (emoji: string) => void;
  /** Put the keyboard on the first quick reaction when shown. */
  autoFocus?: boolean;
}) {
  const [full, setFull] = useState(false);
  const row = useRef<HTMLDivElement>(null);
  const { host, status } = useEmojiPicker(full, onPick);

  useEffect(() => {
    if (autoFocus) row.current?.querySelector("button")?.focus();
  }, []);

  return (
    <div class="chooser">
      <div class="chooser__quick" ref={row}>
        {QUICK_REACTIONS.map((emoji) => (
          <button
            key={emoji}
            type="button"
            class="chooser__emoji"
            aria-label={`React with ${emoji}`}
            aria-pressed={isMine(emoji)}
            onClick={() => onPick(emoji)}
          >
            {emoji}
          </button>
        ))}
        <button
          type="button"
          class="chooser__emoji chooser__more"
          aria-label="More emoji"
          title="More emoji"
          aria-expanded={full}
          onClick={() => setFull(!full)}
        >
          <Icon name="plus" size={18} />
        </button>
      </div>
      <div ref={host} class="chooser__picker" hidden={!full} data-testid="reaction-picker">
        <PickerStatusLine status={status} />
      </div>
    </div>
  );
}
