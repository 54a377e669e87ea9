/** Asks before a message is deleted: its text goes for everyone and cannot come back. */
import type { Message } from "../../types";
import { Modal } from "../../ui/Modal";
import type { MessageActions } from "./actions";

export function DeleteDialog({ actions, message }: { actions: MessageActions; message: Message }) {
  const cancel = () => (actions.deleting.value = null);
  const someoneElses = message.userId !== actions.myId;
  return (
    <Modal title="Delete this message?" onClose={cancel}>
      <p class="muted">
        {someoneElses ? `${message.username}'s message` : "Your message"} will be replaced by “message deleted” for
        everyone. This cannot be undone.
      </p>
      {(message.body || message.attachment) && (
        <blockquote class="delete-preview">{message.body || message.attachment?.name}</blockquote>
      )}
      <div class="form__actions">
        <button type="button" class="btn" onClick={cancel} autoFocus>
          Cancel
        </button>
        <button type="button" class="btn btn--danger" onClick={() => actions.confirmDelete()} data-testid="confirm-delete">
          Delete
        </button>
      </div>
    </Modal>
  );
}
