/* Hearth's service worker, plain JavaScript served from /sw.js so its scope is the whole app:
 *  - keeps the app shell (every built file) so Hearth opens without a network, and answers a
 *    page load that fails with it; it never touches the API: history, rooms and the outbox are
 *    the page's own, per user, in IndexedDB (client/src/offline/), wiped when the session ends;
 *  - shows every web push as a notification, one per room, and opens the room on click. */

// The files to keep and their version, written here by the build (scripts/vite-precache.mjs).
// Under `vite dev` the list is empty and nothing is cached.
const BUILD = /*BUILD*/{ version: "dev", files: [] };
const SHELL = `hearth-shell-${BUILD.version}`;
const SHELL_FILES = new Set(BUILD.files);
/** Paths the worker answers itself (API, sockets, protocols): a page load there is never the app. */
const SERVER_PATHS = /^\/(api|health|stats|peerjs|hubs|signalr|hearth\.v1\.)/;

/** Copies every shell file into this version's cache: from an older version's cache when the
 * file is hashed and already there, else from the network. A file that fails is skipped (the
 * worker must install anyway: it also shows the pushes). */
async function precache() {
  const cache = await caches.open(SHELL);
  await Promise.allSettled(
    BUILD.files.map(async (path) => {
      const kept = path.startsWith("/assets/") ? await caches.match(path) : undefined;
      const response = kept ?? (await fetch(path, { cache: "no-cache" }));
      if (response.ok) await cache.put(path, response);
    }),
  );
}

/** Drops the caches of other versions (and any other cache this origin has). */
async function dropOldCaches() {
  for (const name of await caches.keys()) if (name !== SHELL) await caches.delete(name);
}

self.addEventListener("install", (event) => {
  event.waitUntil(precache().then(() => self.skipWaiting()));
});
self.addEventListener("activate", (event) => event.waitUntil(dropOldCaches().then(() => self.clients.claim())));

self.addEventListener("fetch", (event) => {
  const { request } = event;
  if (request.method !== "GET" || SHELL_FILES.size === 0) return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || SERVER_PATHS.test(url.pathname)) return;
  if (request.mode === "navigate") {
    // The network first (a fresh page and its headers); without one, the kept page.
    event.respondWith(
      fetch(request).catch(async (error) => (await caches.match("/", { cacheName: SHELL })) ?? Promise.reject(error)),
    );
  } else if (SHELL_FILES.has(url.pathname)) {
    event.respondWith(caches.match(url.pathname, { cacheName: SHELL }).then((kept) => kept ?? fetch(request)));
  }
});

/** The notification a push shows: Hearth's JSON, or a generic one for anything else. */
function notificationOf(event) {
  let data = null;
  try {
    const text = event.data ? event.data.text() : "";
    try {
      data = text ? JSON.parse(text) : null;
    } catch {
      data = { body: text };
    }
  } catch {
    data = null;
  }
  if (!data || typeof data !== "object") data = {};
  const call = data.kind === "call";
  const title = typeof data.title === "string" && data.title ? data.title : "Hearth";
  return [
    title,
    {
      body: typeof data.body === "string" ? data.body : "",
      // One notification per room (a newer push replaces the older one); calls have their own.
      tag: typeof data.tag === "string" && data.tag ? data.tag : "hearth",
      renotify: call,
      requireInteraction: call,
      icon: "/icons/icon-192.png",
      badge: "/favicon.svg",
      timestamp: Date.now(),
      data: {
        url: typeof data.url === "string" ? data.url : "/",
        roomId: typeof data.roomId === "string" ? data.roomId : null,
        seq: typeof data.seq === "number" ? data.seq : null,
        kind: typeof data.kind === "string" ? data.kind : "message",
      },
    },
  ];
}

self.addEventListener("push", (event) => {
  // Every push must show a notification (userVisibleOnly), whatever its payload: a worker that
  // shows none gets the browser's own "updated in the background" one, and platforms revoke
  // the push permission of workers that keep doing it. So any failure still shows one.
  let shown;
  try {
    shown = self.registration.showNotification(...notificationOf(event));
  } catch (error) {
    shown = Promise.reject(error);
  }
  event.waitUntil(shown.catch(() => self.registration.showNotification("Hearth", { tag: "hearth", body: "" })));
});

// The push service replaced or expired this device's subscription (Firefox tells the worker;
// Chromium does not): subscribe again with the same options and tell open pages, which send
// it to the server (client/src/push/push.ts does so on every load too).
self.addEventListener("pushsubscriptionchange", (event) => {
  const options = event.oldSubscription && event.oldSubscription.options;
  if (!options) return;
  event.waitUntil(
    self.registration.pushManager
      .subscribe(options)
      .then(() => self.clients.matchAll({ type: "window" }))
      .then((windows) => windows.forEach((w) => w.postMessage({ type: "hearth:push-resubscribed" })))
      .catch(() => undefined),
  );
});

/** Where a notification leads: a path in this app (anything else opens the start page). */
function targetOf(notification) {
  let target;
  try {
    target = new URL((notification.data && notification.data.url) || "/", self.location.origin);
  } catch {
    target = null;
  }
  return target && target.origin === self.location.origin ? target : new URL("/", self.location.origin);
}

/** Routes a Hearth window to the notification's room and focuses it, or opens one. */
async function openFromNotification(notification) {
  notification.close();
  const target = targetOf(notification);
  const path = target.pathname + target.search;
  const windows = (await self.clients.matchAll({ type: "window", includeUncontrolled: true })).filter(
    (w) => new URL(w.url).origin === self.location.origin,
  );
  // The window already there, else the one the user looks at, else any.
  const existing =
    windows.find((w) => new URL(w.url).pathname === target.pathname) ||
    windows.find((w) => w.focused) ||
    windows.find((w) => w.visibilityState === "visible") ||
    windows[0];
  if (existing) {
    existing.postMessage({ type: "hearth:open", url: path });
    // Focusing is allowed only right after a real click; the room switch above happens anyway.
    return existing.focus().catch(() => existing);
  }
  return self.clients.openWindow(target.href);
}

self.addEventListener("notificationclick", (event) => {
  event.waitUntil(openFromNotification(event.notification));
});

// Browsers give tests no way to click a system notification; a page may ask the worker to
// act as if the user clicked the one with this tag (the same code path as a real click).
self.addEventListener("message", (event) => {
  if (!event.data || event.data.type !== "hearth:click-notification") return;
  event.waitUntil(
    self.registration.getNotifications({ tag: event.data.tag }).then((list) => (list[0] ? openFromNotification(list[0]) : null)),
  );
});
