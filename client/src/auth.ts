/** Signing in and up: the checks the form makes before asking the server, and starting the session. */
import { api } from "./api";
import { startSession } from "./session";

export const USERNAME_PATTERN = /^[a-z0-9_-]{3,32}$/;

/** Returns why the input cannot be sent, or null when it looks valid. */
export function validateCredentials(username: string, password: string): string | null {
  if (!USERNAME_PATTERN.test(username)) {
    return "Usernames are 3–32 characters: lowercase letters, digits, _ and -.";
  }
  if (password.length < 8 || password.length > 128) {
    return "Passwords are 8–128 characters long.";
  }
  return null;
}

export async function logIn(mode: "login" | "signup", username: string, password: string) {
  const result =
    mode === "signup" ? await api.signup(username, password) : await api.login(username, password);
  startSession(result.token, result.user);
}
