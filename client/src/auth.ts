/** Signing in and up: the checks the form makes before asking the server, and starting the session. */
import { api } from "./api";
import { startSession } from "./session";

export const USERNAME_PATTERN = /^[a-z0-9_-]{3,32}$/;

/** Which field a problem is about, so only that one is marked; null: the pair as a whole. */
export type CredentialField = "username" | "password" | null;

export interface CredentialProblem {
  field: CredentialField;
  message: string;
}

/** Returns why the input cannot be sent, or null when it looks valid. */
export function validateCredentials(username: string, password: string): CredentialProblem | null {
  if (!USERNAME_PATTERN.test(username)) {
    return {
      field: "username",
      message: "A username has 3 to 32 characters: lowercase letters, digits, underscores or hyphens.",
    };
  }
  if (password.length < 8 || password.length > 128) {
    return { field: "password", message: "A password has 8 to 128 characters." };
  }
  return null;
}

/** The field a server refusal is about (by its code); null: both, or neither. */
export function fieldOfRefusal(code: string, raw: string): CredentialField {
  if (code === "username_taken") return "username";
  if (code === "validation_error") {
    if (raw.startsWith("username")) return "username";
    if (raw.startsWith("password")) return "password";
  }
  return null;
}

export async function logIn(mode: "login" | "signup", username: string, password: string, invite?: string) {
  const result =
    mode === "signup" ? await api.signup(username, password, invite) : await api.login(username, password);
  startSession(result.token, result.user);
}
