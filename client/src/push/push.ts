import { signal } from "@preact/signals";
import { api, ApiError } from "../api";

/**
 * Web push on this device: the service worker, the opt-in (permission is asked only when
 * the user turns notifications on) and the subscription Hearth sends pushes to.
 */
export type PushState = "unsupported" | "unavailable" | "off" | "on" | "denied" | "busy";

export const pushState = signal<PushState>("off");
export const pushError = signal<string | null>(null);

const SUBSCRIBE_TIMEOUT_MS = 15_000;

export function pushSupported(): boolean {
  return "serviceWorker" in navigator && "PushManager" in window && "Notification" in window;
}

let registration: Promise<ServiceWorkerRegistration> | null = null;

/** Registers the service worker (no prompt) and reads whether this device is subscribed. */
export async function initPush(navigate: (url: string) => void): Promise<void> {
  if (!pushSupported()) {
    pushState.value = "unsupported";
    return;
  }
  registration ??= navigator.serviceWorker.register("/sw.js");
  navigator.serviceWorker.addEventListener("message", (event: MessageEvent) => {
    const data = event.data as { type?: string; url?: string } | null;
    if (data?.type === "hearth:open" && typeof data.url === "string" && data.url.startsWith("/")) navigate(data.url);
  });
  try {
    const reg = await registration;
    const sub = await reg.pushManager.getSubscription();
    if (Notification.permission === "denied") pushState.value = "denied";
    else pushState.value = sub ? "on" : "off";
  } catch {
    pushState.value = "unavailable";
  }
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
      pushError.value = "Notifications are blocked for this site. Allow them in the browser's site settings.";
      return;
    }
    const reg = await registration!;
    const existing = await reg.pushManager.getSubscription();
    const sub =
      existing ??
      (await withTimeout(
        reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(publicKey) as BufferSource }),
        SUBSCRIBE_TIMEOUT_MS,
        "The browser's push service did not answer. Try again later.",
      ));
    await api.subscribePush(sub.toJSON());
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

export async function disablePush(): Promise<void> {
  pushError.value = null;
  pushState.value = "busy";
  try {
    const reg = await registration!;
    const sub = await reg.pushManager.getSubscription();
    if (sub) {
      await api.unsubscribePush(sub.endpoint).catch(() => undefined);
      await sub.unsubscribe();
    }
    pushState.value = "off";
  } catch (error) {
    pushState.value = "on";
    pushError.value = error instanceof Error ? error.message : "Could not turn notifications off.";
  }
}
