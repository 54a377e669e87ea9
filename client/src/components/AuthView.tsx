/** The signed-out screen: log in or sign up. */
import { useState } from "preact/hooks";
import { ApiError } from "../api";
import { fieldOfRefusal, logIn, validateCredentials, type CredentialField } from "../auth";
import { FormError } from "../ui/FormError";
import { useSubmit } from "../ui/useSubmit";

type Mode = "login" | "signup";

/** The code of an invite link (`/signup?invite=…`, docs/admin.md), if the page was opened by one. */
function inviteOfLink(): string {
  return new URLSearchParams(location.search).get("invite") ?? "";
}

/** Log in or sign up; shows the server's error message when it refuses. */
export function AuthView() {
  const [invite, setInvite] = useState(inviteOfLink);
  // An invite link opens on sign-up.
  const [mode, setMode] = useState<Mode>(() => (invite || location.pathname === "/signup" ? "signup" : "login"));
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const submit = useSubmit();
  const { busy, error } = submit;
  /** The field the shown error is about (only that one is marked); null: both. */
  const [field, setField] = useState<CredentialField>(null);
  const invalid = (which: "username" | "password") => error !== null && (field === null || field === which);

  const signup = mode === "signup";

  function onSubmit(event: Event) {
    event.preventDefault();
    const name = username.trim().toLowerCase();
    const problem = validateCredentials(name, password);
    setField(problem?.field ?? null);
    submit.setError(problem?.message ?? null);
    if (!problem) {
      void submit.run(() =>
        logIn(mode, name, password, invite.trim() || undefined).catch((err: unknown) => {
          setField(err instanceof ApiError ? fieldOfRefusal(err.code, err.raw) : null);
          throw err;
        }),
      );
    }
  }

  function switchMode(next: Mode) {
    setMode(next);
    submit.setError(null);
  }

  return (
    <main class="auth">
      <div class="auth__card">
        <div class="auth__brand">
          <img src="/favicon.svg" alt="" width={40} height={40} />
          <h1>Hearth</h1>
        </div>
        <p class="auth__tagline">Chat rooms for you and your people.</p>

        <div class="auth__tabs" role="group" aria-label="Account">
          <button
            type="button"
            class="auth__tab"
            aria-pressed={!signup}
            onClick={() => switchMode("login")}
          >
            Log in
          </button>
          <button
            type="button"
            class="auth__tab"
            aria-pressed={signup}
            onClick={() => switchMode("signup")}
          >
            Sign up
          </button>
        </div>

        <form class="form" onSubmit={onSubmit} noValidate aria-label={signup ? "Sign up" : "Log in"}>
          <div class="field">
            <label for="auth-username">Username</label>
            <input
              id="auth-username"
              name="username"
              autoComplete="username"
              autoCapitalize="none"
              spellcheck={false}
              required
              minLength={3}
              maxLength={32}
              value={username}
              onInput={(e) => setUsername(e.currentTarget.value)}
              aria-describedby={signup ? "auth-username-hint" : undefined}
              aria-invalid={invalid("username")}
            />
            {signup && (
              <p class="field__hint" id="auth-username-hint">
                3 to 32 characters: lowercase letters, digits,{" "}
                <span class="nowrap">_ and -</span>
              </p>
            )}
          </div>
          <div class="field">
            <label for="auth-password">Password</label>
            <input
              id="auth-password"
              name="password"
              type="password"
              autoComplete={signup ? "new-password" : "current-password"}
              required
              minLength={8}
              maxLength={128}
              value={password}
              onInput={(e) => setPassword(e.currentTarget.value)}
              aria-describedby={signup ? "auth-password-hint" : undefined}
              aria-invalid={invalid("password")}
            />
            {signup && (
              <p class="field__hint" id="auth-password-hint">
                At least 8 characters.
              </p>
            )}
          </div>
          {signup && (
            <div class="field">
              <label for="auth-invite">Invite code</label>
              <input
                id="auth-invite"
                name="invite"
                autoComplete="off"
                autoCapitalize="none"
                spellcheck={false}
                maxLength={64}
                value={invite}
                onInput={(e) => setInvite(e.currentTarget.value)}
                aria-describedby="auth-invite-hint"
              />
              <p class="field__hint" id="auth-invite-hint">
                Needed when this server signs people up by invite only.
              </p>
            </div>
          )}
          <FormError error={error} />
          <button type="submit" class="btn btn--primary btn--block" disabled={busy}>
            {busy ? "Please wait…" : signup ? "Create account" : "Log in"}
          </button>
        </form>
      </div>
    </main>
  );
}
