/** The signed-out screen: log in or sign up. */
import { useState } from "preact/hooks";
import { logIn, validateCredentials } from "../auth";
import { FormError } from "../ui/FormError";
import { useSubmit } from "../ui/useSubmit";

type Mode = "login" | "signup";

/** Log in or sign up; shows the server's error message when it refuses. */
export function AuthView() {
  const [mode, setMode] = useState<Mode>("login");
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const submit = useSubmit();
  const { busy, error } = submit;

  const signup = mode === "signup";

  function onSubmit(event: Event) {
    event.preventDefault();
    const name = username.trim().toLowerCase();
    const problem = validateCredentials(name, password);
    submit.setError(problem);
    if (!problem) void submit.run(() => logIn(mode, name, password));
  }

  function switchMode(next: Mode) {
    setMode(next);
    submit.setError(null);
  }

  return (
    <div class="auth">
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
              aria-invalid={error !== null}
            />
            {signup && (
              <p class="field__hint" id="auth-username-hint">
                3–32 characters: lowercase letters, digits, _ and -.
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
              aria-invalid={error !== null}
            />
            {signup && (
              <p class="field__hint" id="auth-password-hint">
                At least 8 characters.
              </p>
            )}
          </div>
          <FormError error={error} />
          <button type="submit" class="btn btn--primary btn--block" disabled={busy}>
            {busy ? "Please wait…" : signup ? "Create account" : "Log in"}
          </button>
        </form>
      </div>
    </div>
  );
}
