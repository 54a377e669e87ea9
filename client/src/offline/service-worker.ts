/** The service worker (client/public/sw.js): the app shell kept for offline use, and web push. */

let registration: Promise<ServiceWorkerRegistration> | null = null;

/** Registers /sw.js once (no prompt, nothing asked of the user); null where there are no service workers. */
export function serviceWorker(): Promise<ServiceWorkerRegistration> | null {
  if (!("serviceWorker" in navigator)) return null;
  registration ??= navigator.serviceWorker.register("/sw.js");
  return registration;
}

/** Registers the worker once the page has loaded, so its downloads do not compete with the app's. */
export function registerWhenLoaded(): void {
  const register = () => void serviceWorker()?.catch(() => undefined);
  if (document.readyState === "complete") register();
  else addEventListener("load", register, { once: true });
}
