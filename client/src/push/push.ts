/** Web push on this device: the service worker, the opt-in and the subscription. */
import { effect, signal } from "@preact/signals";
import { api, ApiError } from "../api";
import { serviceWorker } from "../offline/service-worker";
import { currentUser, token } from "../session";

/**
 * Web push on this device: the service worker, the opt-in (permission is asked only when
 * the user turns notifications on) and the subscription Hearth sends pushes to.
 */
export type PushState = "checking" | "unsupported" | "unavailable" | "off" | "on" | "denied" | "busy";

/** "checking" until initPush knows (the toggle stays hidden rather than flashing "off"). */
export const pushState = signal<PushState>("checking");
export const pushError = signal<string | null>(null);

const SUBSCRIBE_TIMEOUT_MS = 15_000;
/** Logging out waits this long at most for the server to forget this device. */
const LOGOUT_TIMEOUT_MS = 3_000;

export function pushSupported(): boolean {
  return "serviceWorker" in navigator && "PushManager" in window && "Notification" in window;
}

let navigateTo: ((url: string) => void) | null = null;

function onWorkerMessage(event: MessageEvent) {
  const data = event.data as { type?: string; url?: string } | null;
  // The push service replaced the subscription and the worker made a new one: tell the server.
  if (data?.type === "hearth:push-resubscribed") {
    void ready().then(async (reg) => (pushState.value = await syncSubscription(reg, null)));
    return;
  }
  // A notification click: the worker sends the room's path (same origin, never "//host").
  if (data?.type !== "hearth:open" || typeof data.url !== "string") return;
  if (data.url.startsWith("/") && !data.url.startsWith("//")) navigateTo?.(data.url);
}

/** localStorage: the endpoint this device last registered with the server, and for whom. */
const REGISTERED_KEY = "hearth.push";

/** The endpoint registered for the signed-in user from this device, if any. */
function registeredEndpoint(): string | null {
  try {
    const record = JSON.parse(localStorage.getItem(REGISTERED_KEY) ?? "null") as { userId?: string; endpoint?: string } | null;
    return record?.userId === currentUser.value?.id && typeof record?.endpoint === "string" ? record.endpoint : null;
  } catch {
    return null;
  }
}

function rememberEndpoint(endpoint: string | null): void {
  const userId = currentUser.value?.id;
  try {
    if (endpoint && userId && token.value) localStorage.setItem(REGISTERED_KEY, JSON.stringify({ userId, endpoint }));
    else localStorage.removeItem(REGISTERED_KEY);
  } catch {
    // No storage: every load sends the subscription anyway.
  }
}

/**
 * Registers the service worker (no prompt) and reads whether this device is subscribed, then
 * makes the server's record match the browser's (syncSubscription).
 */
export async function initPush(navigate: (url: string) => void): Promise<void> {
  if (!pushSupported()) {
    pushState.value = "unsupported";
    return;
  }
  if (!navigateTo) navigator.serviceWorker.addEventListener("message", onWorkerMessage);
  navigateTo = navigate;
  try {
    const [reg, key] = await Promise.all([
      ready(),
      api.pushKey().catch((e: unknown) => (e instanceof Error ? e : new Error(String(e)))),
    ]);
    if (key instanceof ApiError && key.code === "push_not_configured") {
      pushState.value = "unavailable";
      return;
    }
    pushState.value = await syncSubscription(reg, key instanceof Error ? null : key.publicKey);
  } catch {
    pushState.value = "unavailable";
  }
}

/**
 * On every load (and when the worker made a new subscription): the server gets this device's
 * subscription again, since it may have dropped it (a failing push service) or still file it
 * under whoever was signed in before. If the browser's subscription changed since it was
 * registered, the old endpoint is deleted; if it disappeared while notifications are still
 * allowed (some platforms revoke subscriptions silently), a new one is made and registered.
 * `publicKey`: the server's VAPID key, or null when it could not be asked (offline).
 */
async function syncSubscription(reg: ServiceWorkerRegistration, publicKey: string | null): Promise<PushState> {
  if (Notification.permission === "denied") return "denied";
  let sub = await reg.pushManager.getSubscription();
  const before = registeredEndpoint();
  if (Notification.permission !== "granted" || (!sub && !before)) return "off";
  if (sub && publicKey && !sameKey(sub, publicKey)) {
    // Made for other VAPID keys (the server's were replaced): no push can reach it.
    await sub.unsubscribe().catch(() => false);
    rememberEndpoint(null);
    return "off";
  }
  if (!sub) {
    // Gone without the user turning it off: subscribe again (the next load retries if this fails).
    if (!publicKey) return "off";
    try {
      sub = await subscribe(reg, publicKey);
    } catch {
      return "off";
    }
  }
  const endpoint = sub.endpoint;
  const saved = await api.subscribePush(sub.toJSON()).then(
    () => true,
    () => false,
  );
  if (saved) {
    if (before && before !== endpoint) await api.unsubscribePush(before).catch(() => undefined);
    rememberEndpoint(endpoint);
  }
  return "on";
}

function subscribe(reg: ServiceWorkerRegistration, publicKey: string): Promise<PushSubscription> {
  return withTimeout(
    reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(publicKey) as BufferSource }),
    SUBSCRIBE_TIMEOUT_MS,
    "The browser's push service did not answer. Try again later.",
  );
}

/** Whether a subscription was made for this VAPID public key (unknown counts as yes). */
function sameKey(sub: PushSubscription, publicKey: string): boolean {
  const own = sub.options?.applicationServerKey;
  if (!own) return true;
  const a = new Uint8Array(own);
  const b = keyBytes(publicKey);
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(message)), ms);
    promise.then(
      (v) => (clearTimeout(timer), resolve(v)),
      (e: unknown) => (clearTimeout(timer), reject(e)),
    );
  });
}

function keyBytes(base64url: string): Uint8Array {
  const b64 = base64url.replace(/-/g, "+").replace(/_/g, "/");
  const bin = atob(b64 + "=".repeat((4 - (b64.length % 4)) % 4));
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

/** Asks for permission (this must run from a click), subscribes, and tells Hearth. */
export async function enablePush(): Promise<void> {
  pushError.value = null;
  pushState.value = "busy";
  try {
    const { publicKey } = await api.pushKey();
    const permission = await Notification.requestPermission();
    if (permission !== "granted") {
      pushState.value = permission === "denied" ? "denied" : "off";
      pushError.value =
        permission === "denied"
          ? "Notifications are blocked for this site. Allow them in the browser's site settings."
          : "Notifications were not allowed. Try again and choose Allow.";
      return;
    }
    const reg = await ready();
    let existing = await reg.pushManager.getSubscription();
    if (existing && !sameKey(existing, publicKey)) {
      await existing.unsubscribe();
      existing = null;
    }
    const sub = existing ?? (await subscribe(reg, publicKey));
    await api.subscribePush(sub.toJSON());
    rememberEndpoint(sub.endpoint);
    pushState.value = "on";
  } catch (error) {
    pushState.value = "off";
    pushError.value =
      error instanceof ApiError && error.code === "push_not_configured"
        ? "This Hearth has no push keys configured."
        : error instanceof Error
          ? error.message
          : "Could not turn notifications on.";
  }
}

function ready(): Promise<ServiceWorkerRegistration> {
  return serviceWorker() ?? Promise.reject(new Error("This browser has no service workers."));
}

export async function disablePush(): Promise<void> {
  pushError.value = null;
  pushState.value = "busy";
  try {
    const reg = await ready();
    const sub = await reg.pushManager.getSubscription();
    if (sub) {
      await api.unsubscribePush(sub.endpoint).catch(() => undefined);
      await sub.unsubscribe();
    }
    rememberEndpoint(null);
    pushState.value = "off";
  } catch (error) {
    pushState.value = "on";
    pushError.value = error instanceof Error ? error.message : "Could not turn notifications off.";
  }
}

/**
 * Whenever no one is signed in here (the session expired, another tab logged out, or this page
 * loads signed out), the browser drops this device's subscription: its pushes would carry the
 * previous user's messages to whoever uses the device next. The server forgets it when the
 * push service next answers 410. Logging out with the button also tells the server at once
 * (forgetPushOnLogout). Signing in again, notifications are off until turned on again.
 */
effect(() => {
  if (token.value !== null || !pushSupported()) return;
  void navigator.serviceWorker
    .getRegistration()
    .then((reg) => reg?.pushManager.getSubscription())
    .then((sub) => sub?.unsubscribe())
    .catch(() => undefined);
});

/**
 * Before logging out: this device stops receiving the user's pushes (the server forgets the
 * subscription and the browser drops it), so the next person on it is not notified of them.
 * Gives up after a few seconds: logging out never hangs on the network.
 */
export async function forgetPushOnLogout(): Promise<void> {
  const registration = serviceWorker();
  if (!registration || !pushSupported()) return;
  const forget = (async () => {
    const sub = await (await registration).pushManager.getSubscription();
    if (!sub) return;
    await api.unsubscribePush(sub.endpoint).catch(() => undefined);
    await sub.unsubscribe();
  })();
  await withTimeout(forget, LOGOUT_TIMEOUT_MS, "timeout").catch(() => undefined);
  pushState.value = "checking";
  pushError.value = null;
}
