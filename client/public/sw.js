/* Hearth's service worker: shows web pushes as notifications, one per room, and opens the
 * room on click. Plain JavaScript served from /sw.js so its scope is the whole app. */

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

self.addEventListener("push", (event) => {
  // Every push must show a notification (userVisibleOnly), whatever its payload: otherwise the
  // browser shows its own "updated in the background" one.
  const text = event.data ? event.data.text() : "";
  let data;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = { body: text };
  }
  if (!data || typeof data !== "object") data = {};
  const call = data.kind === "call";
  event.waitUntil(
    self.registration.showNotification(typeof data.title === "string" && data.title ? data.title : "Hearth", {
      body: typeof data.body === "string" ? data.body : "",
      // One notification per room (a newer push replaces the older one); calls have their own.
      tag: typeof data.tag === "string" && data.tag ? data.tag : "hearth",
      renotify: call,
      requireInteraction: call,
      icon: "/favicon.svg",
      badge: "/favicon.svg",
      timestamp: Date.now(),
      data: {
        url: typeof data.url === "string" ? data.url : "/",
        roomId: data.roomId || null,
        seq: data.seq ?? null,
        kind: data.kind || "message",
      },
    }),
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
