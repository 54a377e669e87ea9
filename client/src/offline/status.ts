/**
 * Whether the server can be reached from here, as the app has last seen it: a request that
 * fails for want of a network (or the browser saying it is offline) turns it off, any answer
 * from the server (or a room socket going live) turns it on. While off, /health is asked now
 * and then, so the banner goes away by itself once the connection is back.
 */
import { signal } from "@preact/signals";

const PROBE_EVERY_MS = 10_000;

/** True while the server cannot be reached: the offline banner shows, saved copies stand in. */
export const offline = signal(navigator.onLine === false);

let probe: ReturnType<typeof setInterval> | null = null;

export function noteUnreachable(): void {
  offline.value = true;
  probe ??= setInterval(() => void ask(), PROBE_EVERY_MS);
}

export function noteReachable(): void {
  offline.value = false;
  if (probe !== null) clearInterval(probe);
  probe = null;
}

async function ask(): Promise<void> {
  try {
    await fetch("/health", { cache: "no-store" });
    noteReachable();
  } catch {
    // Still unreachable.
  }
}

addEventListener("offline", noteUnreachable);
// The browser has a network again: whether the server answers is another matter.
addEventListener("online", () => void (offline.value && ask()));
if (offline.value) noteUnreachable();
