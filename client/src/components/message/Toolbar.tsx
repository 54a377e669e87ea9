/**
 * The actions on one message, shown over its top right corner while the pointer is over the
 * message or the keyboard is in it (CSS: .msg:hover, :focus-visible in it): react, reply, and for
 * my own messages (or anyone's in a room I own) edit and delete. Arrow keys move between its
 * buttons. Hidden, it is only transparent: a button stays focusable while the focus moves
 * to it from the message (a hidden one would drop the focus on the way).
 */
import type { Ref } from "preact";
import { useRef } from "preact/hooks";
import type { Message } from "../../types";
import { Icon, type IconName } from "../../ui/Icon";
import type { MessageActions } from "./actions";
import { ReactionPopover } from "./ReactionPopover";

export function Toolbar({
  message,
  actions,
  reacting,
  onReacting,
  tabbable,
}: {
  message: Message;
  actions: MessageActions;
  /** In the Tab order: the message is the list's stop (others are reached by arrow keys). */
  tabbable: boolean;
  /** The reaction chooser is open (the toolbar stays on screen meanwhile). */
  reacting: boolean;
  onReacting: (open: boolean) => void;
}) {
  const reactButton = useRef<HTMLButtonElement>(null);

  function onKeyDown(event: KeyboardEvent) {
    if (event.key !== "ArrowRight" && event.key !== "ArrowLeft") return;
    const buttons = [...(event.currentTarget as HTMLElement).querySelectorAll<HTMLElement>(":scope > button")];
    const at = buttons.indexOf(document.activeElement as HTMLElement);
    if (at < 0) return;
    event.preventDefault();
    const step = event.key === "ArrowRight" ? 1 : -1;
    buttons[(at + step + buttons.length) % buttons.length]?.focus();
  }

  return (
    <div class="msg__tools" role="toolbar" aria-label="Message actions" onKeyDown={onKeyDown} data-testid="message-toolbar">
      <ToolButton
        buttonRef={reactButton}
        tabbable={tabbable}
        icon="smilePlus"
        label="Add reaction"
        expanded={reacting}
        onClick={() => onReacting(!reacting)}
      />
      <ToolButton tabbable={tabbable} icon="reply" label="Reply" onClick={() => actions.reply(message)} />
      {actions.canEdit(message) && (
        <ToolButton tabbable={tabbable} icon="pencil" label="Edit message" onClick={() => actions.edit(message)} />
      )}
      {actions.canDelete(message) && (
        <ToolButton tabbable={tabbable} icon="trash" label="Delete message" danger onClick={() => actions.askDelete(message)} />
      )}
      {reacting && (
        <ReactionPopover
          anchor={reactButton}
          isMine={(emoji) => actions.hasReacted(message, emoji)}
          onPick={(emoji) => actions.toggleReaction(message, emoji)}
          onClose={(how) => {
            onReacting(false);
            if (how !== "outside") reactButton.current?.focus();
          }}
        />
      )}
    </div>
  );
}

function ToolButton({
  buttonRef,
  tabbable,
  icon,
  label,
  expanded,
  danger = false,
  onClick,
}: {
  buttonRef?: Ref<HTMLButtonElement>;
  tabbable: boolean;
  icon: IconName;
  label: string;
  expanded?: boolean;
  danger?: boolean;
  onClick: () => void;
}) {
  return (
    <button
      ref={buttonRef}
      type="button"
      tabIndex={tabbable ? 0 : -1}
      class={`msg__tool${danger ? " msg__tool--danger" : ""}`}
      aria-label={label}
      title={label}
      aria-haspopup={expanded === undefined ? undefined : "dialog"}
      aria-expanded={expanded}
      onClick={onClick}
    >
      <Icon name={icon} size={17} />
    </button>
  );
}
