/** The one rule for every write of this folder: only for whoever is signed in here now. */
import { currentUser, token } from "../session";

/**
 * Whether `userId` is still the one signed in here. A write that comes late (a timer, an
 * answer after logging out) must not leave anything behind for the next person.
 */
export function writable(userId: string): boolean {
  return token.value !== null && currentUser.value?.id === userId;
}
