/**
 * A room's incoming webhooks (docs/bots.md): a secret URL that posts into the room as a named
 * integration. Any member makes one (its URL shown once); its maker or the owner revokes it.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import { ConfirmDialog } from "../ui/ConfirmDialog";
import { FormError } from "../ui/FormError";
import { ShownOnce } from "../ui/ShownOnce";
import { errorText, useSubmit } from "../ui/useSubmit";
import { webhooksApi, type RoomWebhook } from "./settings-api";

export function Integrations({ roomId }: { roomId: string }) {
  const [hooks, setHooks] = useState<RoomWebhook[]>([]);
  const [name, setName] = useState("");
  const [shown, setShown] = useState<string | null>(null);
  /** Where focus goes when the URL is put away (the box it was in is gone). */
  const nameInput = useRef<HTMLInputElement>(null);
  const [revoking, setRevoking] = useState<RoomWebhook | null>(null);
  const submit = useSubmit();
  const load = () => webhooksApi.list(roomId).then((r) => setHooks(r.webhooks), (err: unknown) => submit.setError(errorText(err)));
  useEffect(() => void load(), [roomId]);

  return (
    <section class="room-settings__section" aria-labelledby="rs-hooks">
      <h3 id="rs-hooks">Integrations</h3>
      <p class="room-settings__hint">An incoming webhook lets a script post here: POST {"{\"body\": \"…\"}"} to its secret URL.</p>
      <form
        class="room-settings__row"
        onSubmit={(e) => {
          e.preventDefault();
          void submit.run(async () => {
            const hook = await webhooksApi.create(roomId, name.trim().toLowerCase());
            setName("");
            setShown(hook.url);
            await load();
          }, { release: true });
        }}
      >
        <input ref={nameInput} aria-label="Integration name" placeholder="ci-builds" value={name} maxLength={32} onInput={(e) => setName(e.currentTarget.value)} />
        <button type="submit" class="btn" disabled={submit.busy || name.trim() === ""}>
          Add webhook
        </button>
      </form>
      {shown && (
        <ShownOnce
          key={shown}
          label="The webhook's URL"
          value={shown}
          testId="webhook-url"
          onDone={() => {
            setShown(null);
            nameInput.current?.focus();
          }}
        />
      )}
      <FormError error={submit.error} />
      {hooks.length > 0 && (
        <ul class="room-settings__list">
          {hooks.map((h) => (
            <li key={h.id} class="room-settings__item">
              <span class="room-settings__who">
                <strong>{h.name}</strong>
                <span class="room-settings__hint">by {h.createdBy.username}</span>
              </span>
              <button type="button" class="btn btn--danger" onClick={() => setRevoking(h)}>
                Revoke
              </button>
            </li>
          ))}
        </ul>
      )}
      {revoking && (
        <ConfirmDialog
          title={`Revoke ${revoking.name}?`}
          action="Revoke webhook"
          onClose={() => setRevoking(null)}
          onConfirm={async () => {
            await webhooksApi.remove(roomId, revoking.id);
            await load();
          }}
        >
          <p>Its URL stops working at once. The messages it posted stay.</p>
        </ConfirmDialog>
      )}
    </section>
  );
}
