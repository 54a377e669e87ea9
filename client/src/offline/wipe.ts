/**
 * Signed out, nothing of the last user stays on this device: whenever no one is signed in
 * (the Log out button, an expired session, another tab logging out, or a page that loads
 * signed out) this deletes the offline copy and the outbox (every IndexedDB database of the
 * origin), the drafts and every other `hearth.` key in localStorage, and every Cache Storage
 * entry but the app shell's (the built files, the same for everyone; the service worker
 * caches nothing else).
 */
import { effect } from "@preact/signals";
import { token } from "../session";
import { deleteDatabases } from "./db";

const SHELL_CACHE = "hearth-shell-";

async function wipe(): Promise<void> {
  try {
    for (const key of Object.keys(localStorage)) if (key.startsWith("hearth.")) localStorage.removeItem(key);
  } catch {
    // No storage.
  }
  await deleteDatabases();
  if (!("caches" in window)) return;
  try {
    for (const name of await caches.keys()) if (!name.startsWith(SHELL_CACHE)) await caches.delete(name);
  } catch {
    // Cache Storage refused (an opaque origin): nothing was kept there either.
  }
}

/** Wipes the device each time the session ends (and on a signed-out load). Call once. */
export function wipeWhenSignedOut(): void {
  effect(() => {
    if (token.value === null) void wipe();
  });
}
