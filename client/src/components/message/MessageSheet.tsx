/**
 * The long-press sheet of a message (phones, where there is no hover): quick reactions and the
 * emoji picker, who reacted with what, and the toolbar's actions (plus copying the text, which
 * a long press no longer offers).
 */
import type { Message } from "../../types";
import { Icon, type IconName } from "../../ui/Icon";
import { Modal } from "../../ui/Modal";
import type { MessageActions } from "./actions";
import { ReactionChooser } from "./ReactionChooser";
import { whoReacted } from "./who";

export function MessageSheet({ actions, opened }: { actions: MessageActions; opened: Message }) {
  // The message as it is now (reactions may arrive while the sheet is open).
  const message = actions.channel.messages.value.find((m) => m.seq === opened.seq) ?? opened;
  const close = () => (actions.sheet.value = null);
  const then = (action: () => void) => () => {
    close();
    action();
  };
  const names = actions.names.value;
  const reactions = message.reactions ?? [];

  return (
    <Modal title={`Message from ${message.username}`} onClose={close}>
      <div class="sheet" data-testid="message-sheet">
        <ReactionChooser
          isMine={(emoji) => actions.hasReacted(message, emoji)}
          onPick={(emoji) => then(() => actions.toggleReaction(message, emoji))()}
        />
        {reactions.length > 0 && (
          <ul class="sheet__who" aria-label="Who reacted">
            {reactions.map((r) => (
              <li key={r.emoji}>
                <span class="sheet__emoji" aria-hidden="true">
                  {r.emoji}
                </span>
                <span class="sr-only">{r.emoji}: </span>
                {whoReacted(r, names, actions.myId)}
              </li>
            ))}
          </ul>
        )}
        <div class="sheet__actions">
          <SheetAction icon="reply" label="Reply" onClick={then(() => actions.reply(message))} />
          {actions.canEdit(message) && <SheetAction icon="pencil" label="Edit message" onClick={then(() => actions.edit(message))} />}
          {message.body && (
            <SheetAction icon="copy" label="Copy text" onClick={then(() => void navigator.clipboard?.writeText(message.body))} />
          )}
          {actions.canDelete(message) && (
            <SheetAction icon="trash" label="Delete message…" danger onClick={then(() => actions.askDelete(message))} />
          )}
        </div>
      </div>
    </Modal>
  );
}

function SheetAction({ icon, label, danger = false, onClick }: { icon: IconName; label: string; danger?: boolean; onClick: () => void }) {
  return (
    <button type="button" class={`sheet__action${danger ? " sheet__action--danger" : ""}`} onClick={onClick}>
      <Icon name={icon} size={18} />
      {label}
    </button>
  );
}
