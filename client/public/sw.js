/* Hearth's service worker: shows web pushes as notifications, one per room, and opens the
 * room on click. Plain JavaScript served from /sw.js so its scope is the whole app. */

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

self.addEventListener("push", (event) => {
  let data;
  try {
    data = event.data ? event.data.json() : {};
  } catch {
    data = { title: "Hearth", body: event.data ? event.data.text() : "" };
  }
  const call = data.kind === "call";
  event.waitUntil(
    self.registration.showNotification(data.title || "Hearth", {
      body: data.body || "",
      // One notification per room (a newer push replaces the older one); calls have their own.
      tag: data.tag || "hearth",
      renotify: call,
      requireInteraction: call,
      icon: "/favicon.svg",
      badge: "/favicon.svg",
      timestamp: Date.now(),
      data: { url: data.url || "/", roomId: data.roomId || null, seq: data.seq ?? null, kind: data.kind || "message" },
    }),
  );
});

/** Focuses a Hearth window and routes it to the notification's room, or opens one. */
async function openFromNotification(notification) {
  notification.close();
  const target = new URL((notification.data && notification.data.url) || "/", self.location.origin);
  const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
  const existing = windows.find((w) => new URL(w.url).origin === self.location.origin);
  if (existing) {
    await existing.focus();
    existing.postMessage({ type: "hearth:open", url: target.pathname + target.search });
    return existing;
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
