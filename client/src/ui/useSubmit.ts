/**
 * The busy flag and error line of a form or a button that calls the server: every dialog and
 * the sign-in form had its own copy of this. Lives in ui/ (no page-folder imports).
 */
import { useState } from "preact/hooks";
import { ApiError } from "../api";

export interface Submit {
  /** An attempt is under way: its button is disabled. */
  busy: boolean;
  /** What to show in the form's error line; null: nothing. */
  error: string | null;
  /** Shows a problem (one found before sending, or a failed load); null hides it. */
  setError(error: string | null): void;
  /**
   * Runs one attempt: busy until it fails (or, if `release` is set, until it ends either way).
   * A failure shows the server's message, or `fallback` for anything that is not an ApiError.
   * After a success the form usually closes, so it stays busy unless `release`.
   */
  run(action: () => Promise<unknown>, options?: { fallback?: string; release?: boolean }): Promise<void>;
}

/** The server's message for a refused request, or `fallback` for anything else. */
export function errorText(err: unknown, fallback = "Something went wrong. Try again."): string {
  return err instanceof ApiError ? err.message : fallback;
}

/**
 * @example
 * const submit = useSubmit();
 * <button disabled={submit.busy} onClick={() => submit.run(() => api.leaveRoom(id).then(onLeft))} />
 * <FormError error={submit.error} />
 */
export function useSubmit(): Submit {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function run(
    action: () => Promise<unknown>,
    { fallback, release = false }: { fallback?: string; release?: boolean } = {},
  ): Promise<void> {
    setBusy(true);
    try {
      await action();
      if (release) setBusy(false);
    } catch (err) {
      setError(errorText(err, fallback));
      setBusy(false);
    }
  }

  return { busy, error, setError, run };
}
