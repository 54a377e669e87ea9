/**
 * "Are you sure?" for a destructive action (deactivate, revoke, delete): says what will happen,
 * Cancel has the focus, the action button is red and shows the server's refusal if any.
 */
import type { ComponentChildren } from "preact";
import { FormError } from "./FormError";
import { Modal } from "./Modal";
import { useSubmit } from "./useSubmit";

interface ConfirmProps {
  title: string;
  /** The red button's words ("Deactivate", "Revoke invite"). */
  action: string;
  onConfirm: () => Promise<unknown>;
  onClose: () => void;
  children: ComponentChildren;
}

export function ConfirmDialog({ title, action, onConfirm, onClose, children }: ConfirmProps) {
  const submit = useSubmit();
  return (
    <Modal title={title} onClose={onClose}>
      <div class="muted">{children}</div>
      <FormError error={submit.error} />
      <div class="form__actions">
        <button type="button" class="btn" onClick={onClose} autoFocus>
          Cancel
        </button>
        <button
          type="button"
          class="btn btn--danger"
          disabled={submit.busy}
          onClick={() => void submit.run(async () => {
            await onConfirm();
            onClose();
          })}
        >
          {action}
        </button>
      </div>
    </Modal>
  );
}
