/**
 * My profile, opened from the sidebar's footer: my display name (saved with Save) and my
 * picture (chosen or removed at once; resized to 256 px in the browser before it is sent).
 */
import "./people.css";
import { useRef, useState } from "preact/hooks";
import { currentUser } from "../session";
import { Avatar } from "../ui/Avatar";
import { FormError } from "../ui/FormError";
import { Modal } from "../ui/Modal";
import { shownName } from "../ui/PersonName";
import { useSubmit } from "../ui/useSubmit";
import { removeAvatar, saveDisplayName, uploadAvatar } from "./my-profile";
import { NotAPicture } from "./resize";

/** The server's limit (PATCH /api/me), counted as it counts: UTF-16 units after trimming. */
const MAX_DISPLAY_NAME = 64;

export function ProfileDialog({ onClose }: { onClose: () => void }) {
  const me = currentUser.value!;
  const [name, setName] = useState(me.displayName ?? "");
  const save = useSubmit();
  const picture = useSubmit();
  const fileInput = useRef<HTMLInputElement>(null);

  function onSubmit(event: Event) {
    event.preventDefault();
    const trimmed = name.trim();
    if (trimmed.length > MAX_DISPLAY_NAME) {
      save.setError(`A display name is at most ${MAX_DISPLAY_NAME} characters.`);
      return;
    }
    void save.run(async () => {
      if (trimmed !== (me.displayName ?? "")) await saveDisplayName(trimmed || null);
      onClose();
    });
  }

  function onPick(event: Event) {
    const input = event.currentTarget as HTMLInputElement;
    const file = input.files?.[0];
    input.value = "";
    if (!file) return;
    picture.setError(null);
    void picture.run(() => uploadAvatar(file), { release: true, fallback: new NotAPicture().message });
  }

  function onRemove() {
    picture.setError(null);
    void picture.run(removeAvatar, { release: true });
  }

  return (
    <Modal title="Your profile" onClose={onClose}>
      <form class="form" onSubmit={onSubmit} noValidate>
        <div class="profile-picture">
          <Avatar name={shownName(me)} url={me.avatarUrl} large />
          <div class="profile-picture__actions">
            <button type="button" class="btn" disabled={picture.busy} onClick={() => fileInput.current?.click()}>
              {picture.busy ? "Saving…" : me.avatarUrl ? "Change picture…" : "Choose picture…"}
            </button>
            {me.avatarUrl && (
              <button type="button" class="btn" disabled={picture.busy} onClick={onRemove}>
                Remove picture
              </button>
            )}
            <input
              ref={fileInput}
              type="file"
              accept="image/png,image/jpeg,image/webp,image/gif,image/*"
              class="sr-only"
              tabIndex={-1}
              aria-hidden="true"
              data-testid="avatar-file"
              onChange={onPick}
            />
          </div>
        </div>
        <FormError error={picture.error} />
        <div class="field">
          <label for="profile-name">
            Display name <span class="field__optional">(optional)</span>
          </label>
          <input
            id="profile-name"
            maxLength={MAX_DISPLAY_NAME}
            value={name}
            placeholder={me.username}
            aria-describedby="profile-name-hint"
            onInput={(e) => setName(e.currentTarget.value)}
            autoFocus
          />
          <p class="field__hint" id="profile-name-hint">
            Shown with your username, @{me.username}. Leave it empty to show only the username.
          </p>
        </div>
        <FormError error={save.error} />
        <div class="form__actions">
          <button type="button" class="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" class="btn btn--primary" disabled={save.busy}>
            Save
          </button>
        </div>
      </form>
    </Modal>
  );
}
