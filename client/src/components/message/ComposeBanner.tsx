/**
 * Above the composer while it writes a reply (the quote of the message answered) or edits a
 * message; × (or Escape in the composer) cancels either.
 */
import { Icon } from "../../ui/Icon";
import { quoteOf, type MessageActions } from "./actions";
import { ReplyQuote } from "./ReplyQuote";

export function ComposeBanner({ actions, onCancel }: { actions: MessageActions; onCancel: () => void }) {
  const editing = actions.editing.value;
  const replying = actions.replyingTo.value;
  if (!editing && !replying) return null;
  return (
    <div class="compose-banner" data-testid="compose-banner">
      {editing ? (
        <p class="compose-banner__title">
          <Icon name="pencil" size={14} /> Editing your message
        </p>
      ) : (
        <div class="compose-banner__reply">
          <p class="compose-banner__title">Replying to {replying!.username}</p>
          <ReplyQuote reply={quoteOf(replying!)} />
        </div>
      )}
      <button
        type="button"
        class="icon-btn"
        aria-label={editing ? "Cancel editing" : "Cancel reply"}
        onClick={() => {
          actions.editing.value = null;
          actions.replyingTo.value = null;
          onCancel();
        }}
      >
        <Icon name="close" size={16} />
      </button>
    </div>
  );
}
