/**
 * The administration page's bots (docs/bots.md): create one (its token shown once), rotate its
 * token, set its outgoing webhook (the signing secret shown once), revoke it (asks first).
 */
import { useEffect, useRef, useState } from "preact/hooks";
import { ConfirmDialog } from "../ui/ConfirmDialog";
import { FormError } from "../ui/FormError";
import { Icon } from "../ui/Icon";
import { ShownOnce } from "../ui/ShownOnce";
import { errorText, useSubmit } from "../ui/useSubmit";
import { botsApi, type Bot } from "./admin-api";

/** A secret the server shows once: what it is for, and the text to copy now. */
interface Shown {
  label: string;
  value: string;
}

export function BotsSection() {
  const [bots, setBots] = useState<Bot[]>([]);
  const [name, setName] = useState("");
  const [shown, setShown] = useState<Shown | null>(null);
  /** Where focus goes when a secret is put away (the box it was in is gone). */
  const nameInput = useRef<HTMLInputElement>(null);
  const [revoking, setRevoking] = useState<Bot | null>(null);
  const submit = useSubmit();
  const load = () => botsApi.list().then((r) => setBots(r.bots), (err: unknown) => submit.setError(errorText(err)));
  useEffect(() => void load(), []);

  function create(event: Event) {
    event.preventDefault();
    void submit.run(async () => {
      const { bot, token } = await botsApi.create(name.trim().toLowerCase());
      setName("");
      setShown({ label: `Token of ${bot.username}`, value: token });
      await load();
    }, { release: true });
  }

  return (
    <section class="admin__section" aria-labelledby="admin-bots">
      <h2 id="admin-bots">Bots</h2>
      <form class="admin__row" onSubmit={create}>
        <label class="admin__field">
          Name
          <input ref={nameInput} class="admin__name" value={name} maxLength={32} placeholder="deploy-bot" onInput={(e) => setName(e.currentTarget.value)} />
        </label>
        <button type="submit" class="btn btn--primary" disabled={submit.busy || name.trim() === ""}>
          <Icon name="plus" size={16} /> Create bot
        </button>
      </form>
      <FormError error={submit.error} />
      {shown && (
        <ShownOnce
          key={shown.value}
          label={shown.label}
          value={shown.value}
          testId="shown-secret"
          onDone={() => {
            setShown(null);
            nameInput.current?.focus();
          }}
        />
      )}
      {bots.length === 0 ? (
        <p class="admin__note">No bots yet.</p>
      ) : (
        <ul class="admin__list" aria-label="Bots">
          {bots.map((b) => (
            <BotItem
              key={b.id}
              bot={b}
              busy={submit.busy}
              onShow={setShown}
              onChanged={() => void load()}
              onRevoke={() => setRevoking(b)}
              run={(action) => void submit.run(action, { release: true })}
            />
          ))}
        </ul>
      )}
      {revoking && (
        <ConfirmDialog
          title={`Revoke ${revoking.username}?`}
          action="Revoke bot"
          onClose={() => setRevoking(null)}
          onConfirm={async () => {
            await botsApi.revoke(revoking.id);
            await load();
          }}
        >
          <p>Its token stops working at once and its connections close. Its messages stay. This cannot be undone.</p>
        </ConfirmDialog>
      )}
    </section>
  );
}

interface ItemProps {
  bot: Bot;
  busy: boolean;
  onShow: (shown: Shown) => void;
  onChanged: () => void;
  onRevoke: () => void;
  run: (action: () => Promise<unknown>) => void;
}

function BotItem({ bot, busy, onShow, onChanged, onRevoke, run }: ItemProps) {
  const [url, setUrl] = useState(bot.webhookUrl ?? "");
  return (
    <li class="admin__item" data-testid="admin-bot">
      <div class="admin__item-main">
        <strong>{bot.username}</strong>
        <span class="admin__hint">{bot.webhookUrl ? `Webhook: ${bot.webhookUrl}` : "No webhook"}{bot.deactivated ? " · deactivated" : ""}</span>
        <form
          class="admin__row"
          onSubmit={(e) => {
            e.preventDefault();
            run(async () => {
              const answer = await botsApi.setWebhook(bot.id, url.trim() || null);
              if (answer.secret) onShow({ label: `Signing secret of ${bot.username}'s webhook`, value: answer.secret });
              onChanged();
            });
          }}
        >
          <label class="admin__field admin__field--grow">
            Webhook URL
            <input type="url" value={url} placeholder="https://example.com/hearth" onInput={(e) => setUrl(e.currentTarget.value)} />
          </label>
          <button type="submit" class="btn" disabled={busy}>
            Save webhook
          </button>
        </form>
      </div>
      <button
        type="button"
        class="btn"
        disabled={busy}
        onClick={() => run(async () => onShow({ label: `New token of ${bot.username}`, value: (await botsApi.rotate(bot.id)).token }))}
      >
        New token
      </button>
      <button type="button" class="btn btn--danger" disabled={busy} onClick={onRevoke}>
        Revoke
      </button>
    </li>
  );
}
