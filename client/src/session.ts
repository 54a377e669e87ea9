/** Who is signed in: the session token (kept across reloads) and the current user. */
import { signal } from "@preact/signals";
import type { User } from "./types";

const TOKEN_KEY = "hearth.token";

function readToken(): string | null {
  try {
    return localStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

/** The session JWT; kept in localStorage so a reload stays signed in. */
export const token = signal<string | null>(readToken());

/** The signed-in user, once `/api/me` (or log-in) has answered. */
export const currentUser = signal<User | null>(null);

/**
 * Who the stored session token names (its claims, unverified): the signed-in user while the
 * server cannot be asked, so the app opens offline. Null if the token cannot be read.
 */
export function userFromToken(): User | null {
  try {
    const payload = token.value?.split(".")[1];
    if (!payload) return null;
    const claims = JSON.parse(atob(payload.replace(/-/g, "+").replace(/_/g, "/"))) as { sub?: unknown; name?: unknown };
    return typeof claims.sub === "string" && typeof claims.name === "string" ? { id: claims.sub, username: claims.name } : null;
  } catch {
    return null;
  }
}

export function startSession(newToken: string, user: User): void {
  try {
    localStorage.setItem(TOKEN_KEY, newToken);
  } catch {
    // Private mode without storage: the session lasts until the tab closes.
  }
  token.value = newToken;
  currentUser.value = user;
}

export function endSession(): void {
  try {
    localStorage.removeItem(TOKEN_KEY);
  } catch {
    // Nothing stored.
  }
  token.value = null;
  currentUser.value = null;
}

// Another tab logging in or out changes this one too.
addEventListener("storage", (event) => {
  if (event.key !== TOKEN_KEY) return;
  if (event.newValue === null) endSession();
  else if (event.newValue !== token.value) location.reload();
});
