/**
 * /admin: the administrator's page (docs/admin.md): who may sign up, invite links, the users
 * (administrator role, deactivation) and the bots (docs/bots.md). Loaded with lazy() (components/App.tsx): no one
 * else downloads it. Destructive actions ask first (ConfirmDialog).
 */
import { useEffect, useState } from "preact/hooks";
import { currentUser } from "../session";
import { ConfirmDialog } from "../ui/ConfirmDialog";
import { FormError } from "../ui/FormError";
import { Icon } from "../ui/Icon";
import { errorText, useSubmit } from "../ui/useSubmit";
import { adminApi, type AdminUser, type Invite, type SignupMode } from "./admin-api";
import { BotsSection } from "./BotsSection";
import "./admin.css";

const MODES: { mode: SignupMode; label: string; hint: string }[] = [
  { mode: "open", label: "Open", hint: "Anyone who reaches this server can make an account." },
  { mode: "invite", label: "By invite", hint: "Only people with an invite link below." },
  { mode: "closed", label: "Closed", hint: "No one can sign up." },
];

export default function AdminPage() {
  useEffect(() => {
    document.title = "Administration · Hearth";
  }, []);
  if (currentUser.value?.role !== "admin") {
    return (
      <div class="admin">
        <p class="admin__note">Only administrators can open this page.</p>
      </div>
    );
  }
  return (
    <div class="admin" data-testid="admin-page">
      <header class="admin__bar">
        <a href="/" class="icon-btn admin__back" aria-label="Back to rooms">
          <Icon name="back" size={22} />
        </a>
        <h1 class="admin__title">Administration</h1>
      </header>
      <div class="admin__body">
        <SignupSection />
        <InvitesSection />
        <UsersSection />
        <BotsSection />
      </div>
    </div>
  );
}

function SignupSection() {
  const [mode, setMode] = useState<SignupMode | null>(null);
  const submit = useSubmit();
  useEffect(() => void adminApi.settings().then((s) => setMode(s.signupMode), (err: unknown) => submit.setError(errorText(err))), []);

  return (
    <section class="admin__section" aria-labelledby="admin-signup">
      <h2 id="admin-signup">Who may sign up</h2>
      <fieldset class="admin__modes" disabled={mode === null || submit.busy}>
        <legend class="sr-only">Sign-up mode</legend>
        {MODES.map((m) => (
          <label key={m.mode} class="admin__mode">
            <input
              type="radio"
              name="signup-mode"
              value={m.mode}
              checked={mode === m.mode}
              onChange={() => {
                // Shown at once; the server's answer (or the old mode, if it refuses) follows.
                const before = mode;
                setMode(m.mode);
                void submit.run(
                  async () => setMode((await adminApi.setSignupMode(m.mode).catch((err: unknown) => {
                    setMode(before);
                    throw err;
                  })).signupMode),
                  { release: true },
                );
              }}
            />
            <span>
              <strong>{m.label}</strong>
              <span class="admin__hint">{m.hint}</span>
            </span>
          </label>
        ))}
      </fieldset>
      <FormError error={submit.error} />
    </section>
  );
}

function InvitesSection() {
  const [invites, setInvites] = useState<Invite[]>([]);
  const [days, setDays] = useState(7);
  const [uses, setUses] = useState(1);
  const [revoking, setRevoking] = useState<Invite | null>(null);
  const [copied, setCopied] = useState<string | null>(null);
  const submit = useSubmit();
  const load = () => adminApi.invites().then((r) => setInvites(r.invites), (err: unknown) => submit.setError(errorText(err)));
  useEffect(() => void load(), []);

  function create(event: Event) {
    event.preventDefault();
    const expiresAt = new Date(Date.now() + days * 86_400_000).toISOString();
    void submit.run(async () => {
      const invite = await adminApi.createInvite(expiresAt, uses);
      setInvites([invite, ...invites]);
    }, { release: true });
  }

  async function copy(invite: Invite) {
    await navigator.clipboard?.writeText(invite.url).catch(() => {});
    setCopied(invite.code);
  }

  return (
    <section class="admin__section" aria-labelledby="admin-invites">
      <h2 id="admin-invites">Invites</h2>
      <form class="admin__row" onSubmit={create}>
        <label class="admin__field">
          Valid for (days)
          <input type="number" min={1} max={30} value={days} onInput={(e) => setDays(Number(e.currentTarget.value) || 1)} />
        </label>
        <label class="admin__field">
          Uses
          <input type="number" min={1} max={1000} value={uses} onInput={(e) => setUses(Number(e.currentTarget.value) || 1)} />
        </label>
        <button type="submit" class="btn btn--primary" disabled={submit.busy}>
          <Icon name="plus" size={16} /> Create invite link
        </button>
      </form>
      <FormError error={submit.error} />
      {invites.length === 0 ? (
        <p class="admin__note">No invites yet.</p>
      ) : (
        <ul class="admin__list" aria-label="Invites">
          {invites.map((invite) => {
            const expired = Date.parse(invite.expiresAt) <= Date.now() || invite.uses >= invite.maxUses;
            return (
              <li key={invite.code} class="admin__item" data-testid="invite">
                <div class="admin__item-main">
                  <code class="admin__code" data-testid="invite-url">{invite.url}</code>
                  <span class="admin__hint">
                    {invite.uses} of {invite.maxUses} used · {expired ? "no longer valid" : `until ${new Date(invite.expiresAt).toLocaleDateString()}`}
                  </span>
                </div>
                <button type="button" class="btn" onClick={() => void copy(invite)}>
                  <Icon name="copy" size={16} /> {copied === invite.code ? "Copied" : "Copy link"}
                </button>
                <button type="button" class="btn btn--danger" onClick={() => setRevoking(invite)}>
                  Revoke
                </button>
              </li>
            );
          })}
        </ul>
      )}
      {revoking && (
        <ConfirmDialog
          title="Revoke this invite?"
          action="Revoke invite"
          onClose={() => setRevoking(null)}
          onConfirm={async () => {
            await adminApi.revokeInvite(revoking.code);
            setInvites(invites.filter((i) => i.code !== revoking.code));
          }}
        >
          <p>No one will be able to sign up with it any more. Accounts made with it stay.</p>
        </ConfirmDialog>
      )}
    </section>
  );
}

function UsersSection() {
  const [users, setUsers] = useState<AdminUser[] | null>(null);
  const [asking, setAsking] = useState<{ user: AdminUser; what: "deactivate" | "demote" } | null>(null);
  const submit = useSubmit();
  const load = () => adminApi.users().then((r) => setUsers(r.users), (err: unknown) => submit.setError(errorText(err)));
  useEffect(() => void load(), []);
  const me = currentUser.value?.id;

  const change = (action: () => Promise<unknown>) => void submit.run(async () => {
    await action();
    await load();
  }, { release: true });

  return (
    <section class="admin__section" aria-labelledby="admin-users">
      <h2 id="admin-users">Users</h2>
      <FormError error={submit.error} />
      {users === null ? (
        <p class="admin__note">Loading…</p>
      ) : (
        <ul class="admin__list" aria-label="Users">
          {users.map((u) => (
            <li key={u.id} class="admin__item" data-testid="admin-user" data-username={u.username}>
              <div class="admin__item-main">
                <strong>{u.username}</strong>
                <span class="admin__hint">
                  {u.role === "admin" ? "Administrator" : u.role === "bot" ? "Bot" : "Member"}
                  {u.deactivated ? " · deactivated" : ""}
                  {u.id === me ? " · you" : ""}
                </span>
              </div>
              {u.role !== "bot" &&
                (u.role === "admin" ? (
                  <button type="button" class="btn" disabled={submit.busy} onClick={() => setAsking({ user: u, what: "demote" })}>
                    Remove administrator
                  </button>
                ) : (
                  <button type="button" class="btn" disabled={submit.busy} onClick={() => change(() => adminApi.setRole(u.id, "admin"))}>
                    Make administrator
                  </button>
                ))}
              {u.deactivated ? (
                <button type="button" class="btn" disabled={submit.busy} onClick={() => change(() => adminApi.reactivate(u.id))}>
                  Reactivate
                </button>
              ) : (
                <button type="button" class="btn btn--danger" disabled={submit.busy} onClick={() => setAsking({ user: u, what: "deactivate" })}>
                  Deactivate
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      {asking && (
        <ConfirmDialog
          title={asking.what === "deactivate" ? `Deactivate ${asking.user.username}?` : `Remove ${asking.user.username} as administrator?`}
          action={asking.what === "deactivate" ? "Deactivate" : "Remove administrator"}
          onClose={() => setAsking(null)}
          onConfirm={async () => {
            if (asking.what === "deactivate") await adminApi.deactivate(asking.user.id);
            else await adminApi.setRole(asking.user.id, "member");
            await load();
          }}
        >
          {asking.what === "deactivate" ? (
            <p>They are signed out everywhere at once and cannot log in. Their messages stay. You can reactivate them later.</p>
          ) : (
            <p>They keep their account and rooms, but can no longer open this page.</p>
          )}
        </ConfirmDialog>
      )}
    </section>
  );
}
