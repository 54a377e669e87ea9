/**
 * Hearth installed and offline, through the real web client in Debian's Chromium against the
 * Hearth that global-setup.ts starts:
 *  - installable (manifest, icons), the app shell kept by the service worker, never the API;
 *  - reloaded without a network it shows the rooms and recent messages it kept, under a banner;
 *  - a message written offline goes out exactly once when the network is back, also when the
 *    page was reloaded meanwhile; a draft survives a reload; the copy follows deletions and
 *    forgets a room I left;
 *  - push: a subscription the browser dropped is registered again, and a push the worker cannot
 *    read still shows a notification;
 *  - logging out leaves nothing behind (IndexedDB, localStorage, Cache Storage).
 *
 * Cutting the network: context.setOffline covers the page (fetches, new sockets) but not the
 * service worker's own fetches, so every request is also routed to fail (context.route sees the
 * worker's requests in Chromium), and the sockets already open are closed. A persistent context
 * because Chromium has no Push API in incognito ones; push-stub.ts stands in for the push service.
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext, type CDPSession, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import { pushStub } from "./push-stub";
import { CHROMIUM, CHROMIUM_FLAGS, PASSWORD, RESULTS, WAIT, newIncidents, runTag, watchPage, watchServiceWorkers } from "./support";

const POLL = { timeout: 15_000, interval: 100 };
/** Back online, a socket reconnects after its backoff (at most 10 s) and the banner's probe asks every 10 s. */
const RECONNECT = { timeout: 30_000, interval: 200 };

const baseUrl = inject("baseUrl");
const run = runTag();
const me = `olive-${run}`;
const friend = `otto-${run}`;
const names = { porch: `porch-${run}`, garden: `garden-${run}`, shed: `shed-${run}` } as const;

let profileDir: string;
let context: BrowserContext;
let page: Page;
let cdp: CDPSession;
let myToken: string;
let myId: string;
let friendToken: string;
const rooms: Record<keyof typeof names, string> = { porch: "", garden: "", shed: "" };
const registrations = new Map<string, string>();
const incidents = newIncidents();
/** While the network is cut, the browser logs every failed request and socket: expected. */
let networkCut = false;

async function call<T>(method: string, path: string, auth: string, body?: unknown): Promise<{ status: number; data: T }> {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { Authorization: `Bearer ${auth}`, ...(body === undefined ? {} : { "Content-Type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  expect(response.status, `${method} ${path}: ${text}`).toBeLessThan(300);
  return { status: response.status, data: (text ? JSON.parse(text) : undefined) as T };
}

interface WireMessage {
  seq: number;
  body: string;
  clientId: string;
  deleted?: true;
}

/** The room's stored messages, oldest first, as the server has them. */
async function stored(roomId: string): Promise<WireMessage[]> {
  const { data } = await call<{ messages: WireMessage[] }>("GET", `/api/rooms/${roomId}/messages?limit=100`, myToken);
  return data.messages.reverse();
}

/** Everything Hearth keeps in its IndexedDB database, read without creating it when it is missing. */
async function kept(): Promise<Record<string, unknown>> {
  return page.evaluate(async () => {
    const names = (await indexedDB.databases()).map((d) => d.name);
    if (!names.includes("hearth")) return {};
    return new Promise<Record<string, unknown>>((resolve) => {
      const request = indexedDB.open("hearth");
      request.onupgradeneeded = () => request.transaction?.abort();
      request.onerror = () => resolve({});
      request.onsuccess = () => {
        const db = request.result;
        const out: Record<string, unknown> = {};
        if (!db.objectStoreNames.contains("kv")) {
          db.close();
          resolve(out);
          return;
        }
        const tx = db.transaction("kv");
        const cursor = tx.objectStore("kv").openCursor();
        cursor.onsuccess = () => {
          const at = cursor.result;
          if (!at) return;
          out[String(at.key)] = at.value;
          at.continue();
        };
        tx.oncomplete = () => {
          db.close();
          resolve(out);
        };
      };
    });
  });
}

const keptKeys = async () => Object.keys(await kept());
const historyKey = (roomId: string) => `u/${myId}/history/${roomId}`;

async function goOffline(): Promise<void> {
  networkCut = true;
  await context.setOffline(true);
  await context.route("**/*", (route) => route.abort("internetdisconnected"));
  // Sockets already open stay open under setOffline: close them as a lost network would.
  await page.evaluate(() => (window as unknown as { __sockets: WebSocket[] }).__sockets.forEach((s) => s.close()));
}

async function goOnline(): Promise<void> {
  await context.unroute("**/*");
  await context.setOffline(false);
  networkCut = false;
}

const heading = (name: string) => page.getByRole("heading", { name });
const banner = () => page.getByTestId("offline-banner");
const composer = () => page.locator("#composer-input");
const body = (text: string) => page.getByTestId("message-body").filter({ hasText: text });
const pending = () => page.getByTestId("pending-message");
const online = () => page.locator('[data-testid="connection-state"][data-state="online"]');
const toggle = () => page.getByTestId("push-toggle");
const isSubscriptions = (r: { url(): string }) => r.url() === `${baseUrl}/api/push/subscriptions`;

async function openRoom(key: keyof typeof names): Promise<void> {
  await page.goto(`${baseUrl}/rooms/${rooms[key]}`);
  await heading(names[key]).waitFor(WAIT);
  await online().waitFor(WAIT);
}

beforeAll(async () => {
  mkdirSync(RESULTS, { recursive: true });
  const signup = async (username: string) =>
    (await call<{ token: string; user: { id: string } }>("POST", "/api/auth/signup", "", { username, password: PASSWORD })).data;
  ({ token: myToken, user: { id: myId } } = await signup(me));
  ({ token: friendToken } = await signup(friend));
  for (const key of Object.keys(names) as (keyof typeof names)[]) {
    const { data } = await call<{ id: string }>("POST", "/api/rooms", myToken, { name: names[key], topic: "", visibility: "public" });
    rooms[key] = data.id;
  }
  await call("POST", `/api/rooms/${rooms.porch}/join`, friendToken);
  for (const [index, text] of ["the kettle is on", "tea in five", "bring the good mugs"].entries()) {
    await call("POST", `/api/rooms/${rooms.porch}/messages`, index === 1 ? myToken : friendToken, { body: text, clientId: `seed-${run}-${index}` });
  }
  await call("POST", `/api/rooms/${rooms.garden}/messages`, myToken, { body: "tomatoes are in", clientId: `seed-${run}-g` });
  await call("POST", `/api/rooms/${rooms.shed}/messages`, myToken, { body: "the rake is broken", clientId: `seed-${run}-s` });

  profileDir = mkdtempSync(join(tmpdir(), "hearth-offline-profile-"));
  context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    args: CHROMIUM_FLAGS,
    viewport: { width: 1280, height: 800 },
    serviceWorkers: "allow",
  });
  await context.grantPermissions(["notifications"], { origin: baseUrl });
  await context.addInitScript(pushStub, myToken);
  // Test-only hook: remember the page's sockets so a step can cut them.
  await context.addInitScript(() => {
    const Native = window.WebSocket;
    const sockets: WebSocket[] = [];
    (window as unknown as { __sockets: WebSocket[] }).__sockets = sockets;
    window.WebSocket = class extends Native {
      constructor(url: string | URL, protocols?: string | string[]) {
        super(url, protocols);
        sockets.push(this);
      }
    };
  });
  page = context.pages()[0] ?? (await context.newPage());
  // ERR_INTERNET_DISCONNECTED comes only from the emulated cut (its last lines may arrive after it ends).
  watchPage(page, "", incidents, baseUrl, (text) => text.includes("ERR_INTERNET_DISCONNECTED") || (networkCut && /WebSocket connection|ERR_FAILED/.test(text)));
  context.on("serviceworker", (worker) =>
    worker.on("console", (message) => {
      if (message.type() === "error") incidents.errors.push(`service worker console: ${message.text()}`);
    }),
  );
  cdp = await watchServiceWorkers(context, page, incidents, registrations);
});

afterAll(async () => {
  await context?.close();
  if (profileDir) rmSync(profileDir, { recursive: true, force: true });
});

describe("installed and offline", () => {
  test("Hearth is installable: a manifest with 192 and 512 px icons, maskable ones too", async () => {
    await openRoom("porch");
    const response = await fetch(`${baseUrl}/manifest.webmanifest`);
    expect(response.status).toBe(200);
    const manifest = (await response.json()) as { display: string; start_url: string; icons: { src: string; sizes: string; purpose: string }[] };
    expect(manifest).toMatchObject({ display: "standalone", start_url: "/" });
    for (const purpose of ["any", "maskable"]) {
      const sizes = manifest.icons.filter((icon) => icon.purpose === purpose).map((icon) => icon.sizes);
      expect(sizes, purpose).toEqual(["192x192", "512x512"]);
    }
    // Each icon is a PNG of the size it claims (width and height from the IHDR chunk).
    for (const icon of manifest.icons) {
      const png = Buffer.from(await (await fetch(`${baseUrl}${icon.src}`)).arrayBuffer());
      expect(png.subarray(1, 4).toString()).toBe("PNG");
      expect(`${png.readUInt32BE(16)}x${png.readUInt32BE(20)}`).toBe(icon.sizes);
    }
    // Chromium's own verdict, as it decides whether to offer "Install".
    await expect
      .poll(async () => (await cdp.send("Page.getInstallabilityErrors")).installabilityErrors.map((e) => e.errorId), POLL)
      .toEqual([]);
    const { errors } = await cdp.send("Page.getAppManifest");
    expect(errors).toEqual([]);
  });

  test("the service worker keeps the app shell, and no API response", async () => {
    await expect.poll(() => page.evaluate(() => navigator.serviceWorker.controller?.scriptURL ?? null), POLL).toBe(`${baseUrl}/sw.js`);
    const shell = await page.evaluate(async () => {
      const out: Record<string, string[]> = {};
      for (const name of await caches.keys()) out[name] = (await (await caches.open(name)).keys()).map((r) => new URL(r.url).pathname);
      return out;
    });
    const names = Object.keys(shell);
    expect(names).toHaveLength(1);
    expect(names[0]).toMatch(/^hearth-shell-[0-9a-f]{12}$/);
    const paths = shell[names[0]!]!;
    expect(paths).toEqual(expect.arrayContaining(["/", "/manifest.webmanifest", "/icons/icon-192.png"]));
    expect(paths.some((p) => /^\/assets\/index-.*\.js$/.test(p))).toBe(true);
    expect(paths.filter((p) => p.startsWith("/api/"))).toEqual([]);
  });

  test("reloaded offline, the app shows the rooms and recent messages it kept, under a banner", async () => {
    await openRoom("garden");
    await body("tomatoes are in").waitFor(WAIT);
    await openRoom("shed");
    await openRoom("porch");
    await body("bring the good mugs").waitFor(WAIT);
    expect(await banner().count()).toBe(0);
    // Each room opened is kept (a moment after it is shown), and so is the room list.
    await expect
      .poll(keptKeys, POLL)
      .toEqual(expect.arrayContaining([historyKey(rooms.porch), historyKey(rooms.garden), historyKey(rooms.shed), `u/${myId}/rooms`]));

    await goOffline();
    await page.reload();
    await heading(names.porch).waitFor(WAIT);
    await banner().waitFor(WAIT);
    expect(await banner().textContent()).toContain("You're offline.");
    for (const text of ["the kettle is on", "tea in five", "bring the good mugs"]) await body(text).waitFor(WAIT);
    for (const name of Object.values(names)) await page.getByTestId("room-link").filter({ hasText: name }).waitFor(WAIT);
    await page.screenshot({ path: "/tmp/offline-desktop.png" });
    await page.screenshot({ path: join(RESULTS, "offline-desktop.png") });

    // Another kept room, opened from the list while still offline.
    await page.getByTestId("room-link").filter({ hasText: names.garden }).click();
    await heading(names.garden).waitFor(WAIT);
    await body("tomatoes are in").waitFor(WAIT);

    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${baseUrl}/rooms/${rooms.porch}`);
    await body("bring the good mugs").waitFor(WAIT);
    await banner().waitFor(WAIT);
    expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBe(0);
    await page.screenshot({ path: "/tmp/offline-phone.png" });
    await page.screenshot({ path: join(RESULTS, "offline-phone.png") });
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  test("a message written offline is delivered exactly once when the network is back, also across a reload", async () => {
    const first = `written offline ${run}`;
    const second = `and another ${run}`;
    await composer().fill(first);
    await composer().press("Enter");
    await pending().filter({ hasText: first }).waitFor(WAIT);
    await expect.poll(async () => (await keptKeys()).filter((k) => k.startsWith(`u/${myId}/outbox/${rooms.porch}/`)).length, POLL).toBe(1);

    // A reload while still offline: the outbox comes back from IndexedDB.
    await page.reload();
    await banner().waitFor(WAIT);
    await pending().filter({ hasText: first }).waitFor(WAIT);
    await composer().fill(second);
    await composer().press("Enter");
    await pending().filter({ hasText: second }).waitFor(WAIT);
    expect((await stored(rooms.porch)).map((m) => m.body)).not.toContain(first);

    await goOnline();
    await online().waitFor(RECONNECT);
    await expect.poll(() => pending().count(), RECONNECT).toBe(0);
    // The room's details, which could not load offline, come with the connection.
    await page.getByTestId("member").filter({ hasText: friend }).waitFor(WAIT);
    await body(first).waitFor(WAIT);
    await body(second).waitFor(WAIT);
    await banner().waitFor({ state: "detached", ...RECONNECT });

    const bodies = (await stored(rooms.porch)).map((m) => m.body);
    expect(bodies.filter((b) => b === first)).toHaveLength(1);
    expect(bodies.filter((b) => b === second)).toHaveLength(1);
    expect(bodies.indexOf(first)).toBeLessThan(bodies.indexOf(second));
    await expect.poll(async () => (await keptKeys()).filter((k) => k.includes("/outbox/")), POLL).toEqual([]);

    // Nothing goes out again on the next load.
    await page.reload();
    await online().waitFor(WAIT);
    await body(second).waitFor(WAIT);
    const again = (await stored(rooms.porch)).map((m) => m.body);
    expect(again.filter((b) => b === first || b === second)).toHaveLength(2);
  });

  test("a message written offline in a room I then left for another still goes out when the network is back", async () => {
    const text = `left on the porch ${run}`;
    await online().waitFor(WAIT);
    await goOffline();
    await banner().waitFor(WAIT);
    await composer().fill(text);
    await composer().press("Enter");
    await pending().filter({ hasText: text }).waitFor(WAIT);
    await page.getByTestId("room-link").filter({ hasText: names.garden }).click();
    await heading(names.garden).waitFor(WAIT);

    await goOnline();
    await expect.poll(async () => (await stored(rooms.porch)).filter((m) => m.body === text).length, RECONNECT).toBe(1);
    await expect.poll(async () => (await keptKeys()).filter((k) => k.includes("/outbox/")), POLL).toEqual([]);
    // Back in the porch: shown once, nothing pending, nothing sent twice.
    await page.getByTestId("room-link").filter({ hasText: names.porch }).click();
    await online().waitFor(WAIT);
    await body(text).waitFor(WAIT);
    await expect.poll(() => pending().count(), POLL).toBe(0);
    expect((await stored(rooms.porch)).filter((m) => m.body === text)).toHaveLength(1);
  });

  test("an unsent draft is kept per room across a reload", async () => {
    await composer().fill("half a thought");
    await page.reload();
    await heading(names.porch).waitFor(WAIT);
    await expect.poll(() => composer().inputValue(), POLL).toBe("half a thought");
    await page.getByTestId("room-link").filter({ hasText: names.garden }).click();
    await heading(names.garden).waitFor(WAIT);
    expect(await composer().inputValue()).toBe("");
    await page.getByTestId("room-link").filter({ hasText: names.porch }).click();
    await expect.poll(() => composer().inputValue(), POLL).toBe("half a thought");
  });

  test("the kept copy follows a deletion and forgets a room I left", async () => {
    await online().waitFor(WAIT);
    const secret = `delete me ${run}`;
    const { data: posted } = await call<WireMessage>("POST", `/api/rooms/${rooms.porch}/messages`, friendToken, { body: secret, clientId: `secret-${run}` });
    await body(secret).waitFor(WAIT);
    await call("DELETE", `/api/rooms/${rooms.porch}/messages/${posted.seq}`, friendToken);
    await page.getByTestId("tombstone").first().waitFor(WAIT);
    // The copy holds the tombstone, not the text.
    await expect
      .poll(async () => {
        const page = ((await kept())[historyKey(rooms.porch)] ?? []) as WireMessage[];
        return page.find((m) => m.seq === posted.seq) ?? null;
      }, POLL)
      .toMatchObject({ deleted: true, body: "" });
    expect(JSON.stringify(await kept())).not.toContain(secret);

    await call("POST", `/api/rooms/${rooms.shed}/leave`, myToken);
    await page.evaluate(() => dispatchEvent(new Event("focus"))); // the room list refreshes on focus
    await expect.poll(async () => (await keptKeys()).filter((k) => k.includes(rooms.shed)), POLL).toEqual([]);
    await expect.poll(async () => ((await kept())[`u/${myId}/rooms`] as { id: string }[]).map((r) => r.id), POLL).not.toContain(rooms.shed);

    await goOffline();
    await page.reload();
    await banner().waitFor(WAIT);
    await body("bring the good mugs").waitFor(WAIT);
    expect(await page.getByTestId("tombstone").count()).toBeGreaterThan(0);
    expect(await body(secret).count()).toBe(0);
    expect(await page.getByTestId("room-link").filter({ hasText: names.shed }).count()).toBe(0);
    await goOnline();
    await online().waitFor(RECONNECT);
  });

  test("a push subscription the browser dropped is registered again on the next load", async () => {
    const created = page.waitForResponse((r) => isSubscriptions(r) && r.request().method() === "POST", WAIT);
    await toggle().click();
    const first = (await created).request().postDataJSON() as { endpoint: string };
    await expect.poll(() => toggle().getAttribute("aria-pressed"), POLL).toBe("true");

    // The platform revokes it without a word (the user never turned notifications off).
    await page.evaluate(async () => (await (await navigator.serviceWorker.ready).pushManager.getSubscription())?.unsubscribe());
    const again = page.waitForResponse((r) => isSubscriptions(r) && r.request().method() === "POST", WAIT);
    const dropped = page.waitForResponse((r) => isSubscriptions(r) && r.request().method() === "DELETE", WAIT);
    await page.reload();
    const response = await again;
    expect(response.status()).toBe(201);
    const second = response.request().postDataJSON() as { endpoint: string };
    expect(second.endpoint).not.toBe(first.endpoint);
    // The dead endpoint is deleted on the server.
    const deleted = await dropped;
    expect(deleted.status()).toBe(204);
    expect(deleted.request().postDataJSON()).toEqual({ endpoint: first.endpoint });
    await expect.poll(() => toggle().getAttribute("aria-pressed"), POLL).toBe("true");
    expect(await page.evaluate(() => (window as unknown as { __push: { requestPermissionCalls: number } }).__push.requestPermissionCalls)).toBe(0);
  });

  test("a push the service worker cannot read still shows a notification", async () => {
    await expect.poll(() => registrations.get(`${baseUrl}/`) ?? null, POLL).not.toBeNull();
    const registrationId = registrations.get(`${baseUrl}/`)!;
    const shown = () =>
      page.evaluate(async () =>
        (await (await navigator.serviceWorker.ready).getNotifications({ tag: "hearth" })).map((n) => [n.title, n.body]),
      );
    const clear = () =>
      page.evaluate(async () => {
        for (const n of await (await navigator.serviceWorker.ready).getNotifications()) n.close();
      });
    await clear();
    const cases: [string, [string, string]][] = [
      ['{"title": "broken', ["Hearth", '{"title": "broken']],
      ['{"title": 5, "body": {}, "tag": [], "url": 7, "seq": "x"}', ["Hearth", ""]],
      ["[1, 2, 3]", ["Hearth", ""]],
      ["", ["Hearth", ""]],
    ];
    for (const [data, expected] of cases) {
      await cdp.send("ServiceWorker.deliverPushMessage", { origin: baseUrl, registrationId, data });
      await expect.poll(shown, POLL).toEqual([expected]);
      await clear();
    }
  });

  test("logging out leaves nothing behind: no IndexedDB, no hearth. keys, only the app shell cached", async () => {
    await openRoom("porch");
    await expect.poll(() => composer().inputValue(), POLL).toBe("half a thought");
    const before = await page.evaluate(async () => ({
      databases: (await indexedDB.databases()).map((d) => d.name),
      keys: Object.keys(localStorage).filter((k) => k.startsWith("hearth.")),
    }));
    expect(before.databases).toContain("hearth");
    expect(before.keys).toEqual(expect.arrayContaining(["hearth.token", "hearth.push", `hearth.draft.${myId}.${rooms.porch}`]));

    await page.getByRole("button", { name: "Log out" }).click();
    await page.getByRole("button", { name: "Sign up" }).waitFor(WAIT);
    await expect
      .poll(
        () =>
          page.evaluate(async () => {
            const cached: string[] = [];
            for (const name of await caches.keys()) {
              for (const request of await (await caches.open(name)).keys()) cached.push(`${name} ${new URL(request.url).pathname}`);
            }
            return {
              databases: (await indexedDB.databases()).map((d) => d.name),
              keys: Object.keys(localStorage).filter((k) => k.startsWith("hearth.")),
              foreignCaches: (await caches.keys()).filter((name) => !name.startsWith("hearth-shell-")),
              apiCached: cached.filter((entry) => entry.includes(" /api/")),
            };
          }),
        POLL,
      )
      .toEqual({ databases: [], keys: [], foreignCaches: [], apiCached: [] });
  });

  test("nothing went wrong on the way", () => {
    expect(incidents.errors).toEqual([]);
    expect(incidents.dialogs).toEqual([]);
    expect(incidents.foreignRequests).toEqual([]);
  });
});
