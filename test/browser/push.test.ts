/**
 * Web push through the real web client in Debian's Chromium, against the Hearth that
 * global-setup.ts starts (`wrangler dev` with fresh VAPID keys):
 *  - the opt-in is a toggle in the sidebar, never a permission prompt on page load;
 *  - turning it on sends the subscription to POST /api/push/subscriptions, off sends DELETE;
 *  - a room's setting (all / mentions / muted) is saved on the server;
 *  - the service worker shows a push delivered through the DevTools Protocol as a
 *    notification, one per room (tag), and a click routes Hearth to that room.
 *
 * Chromium has no Push API in incognito contexts, so this runs in a persistent context with a
 * fresh profile. No push service is reachable here (pushManager.subscribe would never settle):
 * an init script stands in for PushManager with a subscription that has real P-256 keys.
 * Browsers offer no API to click a system notification; the service worker accepts a
 * `hearth:click-notification` message that runs the same code as a real click.
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext, type CDPSession, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import {
  CHROMIUM,
  CHROMIUM_FLAGS,
  PASSWORD,
  RESULTS,
  WAIT,
  newIncidents,
  runTag,
  screenshot,
  watchPage,
  watchServiceWorkers,
} from "./support";
import { pushStub, type PushProbe } from "./push-stub";

const POLL = { timeout: 10_000, interval: 50 };

const baseUrl = inject("baseUrl");
const run = runTag();
const username = `nora-${run}`;
const roomNames = [`porch-${run}`, `garden-${run}`] as const;

interface ShownNotification {
  title: string;
  body: string;
  tag: string;
  requireInteraction: boolean;
  data: { url?: string; roomId?: string | null; seq?: number | null; kind?: string } | null;
}

let profileDir: string;
let context: BrowserContext;
let page: Page;
let cdp: CDPSession;
let token: string;
let rooms: { id: string; name: string }[] = [];
/** Service worker registrations the DevTools Protocol reported, by scope URL. */
const registrations = new Map<string, string>();
const incidents = newIncidents();
/** Console errors a step provokes on purpose (a 503 it fakes). */
const expectedErrors: RegExp[] = [];

async function rest<T>(method: string, path: string, body?: unknown): Promise<{ status: number; data: T }> {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: {
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
      ...(body === undefined ? {} : { "Content-Type": "application/json" }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  expect(response.status, `${method} ${path}: ${text}`).toBeLessThan(300);
  return { status: response.status, data: (text ? JSON.parse(text) : undefined) as T };
}

async function probe(): Promise<PushProbe> {
  return page.evaluate(() => (window as unknown as { __push: PushProbe }).__push);
}

async function notifications(tag?: string): Promise<ShownNotification[]> {
  return page.evaluate(async (filter) => {
    const registration = await navigator.serviceWorker.ready;
    const list = await registration.getNotifications(filter ? { tag: filter } : undefined);
    return list.map((n) => ({
      title: n.title,
      body: n.body,
      tag: n.tag,
      requireInteraction: n.requireInteraction,
      data: n.data as ShownNotification["data"],
    }));
  }, tag);
}

/** Delivers a push to Hearth's service worker, as a push service would (payload unencrypted). */
async function deliverPush(content: object): Promise<void> {
  const registrationId = registrations.get(`${baseUrl}/`);
  expect(registrationId, `service worker registrations: ${JSON.stringify([...registrations])}`).toBeTruthy();
  await cdp.send("ServiceWorker.deliverPushMessage", {
    origin: baseUrl,
    registrationId: registrationId!,
    data: JSON.stringify(content),
  });
}

/** A push shaped like worker/push/send.ts's PushContent for a message. */
function messagePush(room: { id: string; name: string }, seq: number, body: string) {
  return { kind: "message", title: `#${room.name}`, body, tag: `room-${room.id}`, roomId: room.id, seq, url: `/rooms/${room.id}` };
}

const toggle = () => page.getByTestId("push-toggle");
const notifySelect = () => page.getByTestId("notify-select");

beforeAll(async () => {
  mkdirSync(RESULTS, { recursive: true });
  ({ data: { token } } = await rest<{ token: string }>("POST", "/api/auth/signup", { username, password: PASSWORD }));
  for (const name of roomNames) {
    const { data } = await rest<{ id: string }>("POST", "/api/rooms", { name, topic: "Where the notifications go", visibility: "public" });
    rooms.push({ id: data.id, name });
  }

  profileDir = mkdtempSync(join(tmpdir(), "hearth-push-profile-"));
  context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    args: CHROMIUM_FLAGS,
    viewport: { width: 1280, height: 800 },
  });
  await context.grantPermissions(["notifications"], { origin: baseUrl });
  await context.addInitScript(pushStub, token);

  page = context.pages()[0] ?? (await context.newPage());
  watchPage(page, "", incidents, baseUrl, (text) => {
    const expected = expectedErrors.findIndex((pattern) => pattern.test(text));
    if (expected >= 0) expectedErrors.splice(expected, 1);
    return expected >= 0;
  });

  // The service worker's own errors count too (an exception in its push or message handler).
  const watchWorker = (worker: { on(event: "console", listener: (m: { type(): string; text(): string }) => void): unknown }) =>
    worker.on("console", (message) => {
      if (message.type() === "error") incidents.errors.push(`service worker console: ${message.text()}`);
    });
  context.serviceWorkers().forEach(watchWorker);
  context.on("serviceworker", watchWorker);

  cdp = await watchServiceWorkers(context, page, incidents, registrations);
});

afterAll(async () => {
  await context?.close();
  if (profileDir) rmSync(profileDir, { recursive: true, force: true });
});

describe("web push", () => {
  test("page load registers the service worker and shows the opt-in, with no permission prompt", async () => {
    await page.goto(`${baseUrl}/rooms/${rooms[0]!.id}`);
    await page.getByRole("heading", { name: roomNames[0] }).waitFor(WAIT);
    await expect.poll(() => toggle().textContent(), POLL).toContain("Turn on notifications");
    expect(await toggle().getAttribute("aria-pressed")).toBe("false");
    // The service worker is active and controls the page.
    await expect
      .poll(() => page.evaluate(async () => (await navigator.serviceWorker.ready).active?.scriptURL ?? null), POLL)
      .toBe(`${baseUrl}/sw.js`);
    await expect.poll(() => registrations.get(`${baseUrl}/`) ?? null, POLL).not.toBeNull();
    // Nothing asked for permission or subscribed on its own.
    expect(await probe()).toMatchObject({ requestPermissionCalls: 0, subscribeCalls: 0 });
    await page.reload();
    await expect.poll(() => toggle().textContent(), POLL).toContain("Turn on notifications");
    expect(await probe()).toMatchObject({ requestPermissionCalls: 0, subscribeCalls: 0 });
  });

  test("turning notifications on sends the subscription to the server; off deletes it", async () => {
    const { data: key } = await rest<{ publicKey: string }>("GET", "/api/push/key");

    const posted = page.waitForRequest((r) => r.url() === `${baseUrl}/api/push/subscriptions` && r.method() === "POST", WAIT);
    const created = page.waitForResponse((r) => r.url() === `${baseUrl}/api/push/subscriptions` && r.request().method() === "POST", WAIT);
    await toggle().click();
    const body = (await posted).postDataJSON() as { endpoint: string; keys: { p256dh: string; auth: string } };
    expect((await created).status()).toBe(201);
    expect(body.endpoint).toMatch(/^https:\/\/push\.test\/send\//);
    // A real uncompressed P-256 point (65 bytes, 0x04 first) and a 16-byte secret.
    const p256dh = Buffer.from(body.keys.p256dh, "base64url");
    expect(p256dh.length).toBe(65);
    expect(p256dh[0]).toBe(4);
    expect(Buffer.from(body.keys.auth, "base64url").length).toBe(16);
    await expect.poll(() => toggle().getAttribute("aria-pressed"), POLL).toBe("true");
    await expect.poll(() => toggle().textContent(), POLL).toContain("Notifications on");
    // The permission was asked for by the click, and subscribe() got the server's VAPID key.
    expect(await probe()).toMatchObject({ requestPermissionCalls: 1, subscribeCalls: 1, lastKey: key.publicKey });

    const deleted = page.waitForResponse((r) => r.url() === `${baseUrl}/api/push/subscriptions` && r.request().method() === "DELETE", WAIT);
    await toggle().click();
    const deleteResponse = await deleted;
    expect(deleteResponse.status()).toBe(204);
    expect(deleteResponse.request().postDataJSON()).toEqual({ endpoint: body.endpoint });
    await expect.poll(() => toggle().getAttribute("aria-pressed"), POLL).toBe("false");
    expect((await probe()).unsubscribeCalls).toBe(1);
    expect(await page.evaluate(() => navigator.serviceWorker.ready.then((r) => r.pushManager.getSubscription()))).toBeNull();

    // On again: a new subscription, saved again.
    const again = page.waitForResponse((r) => r.url() === `${baseUrl}/api/push/subscriptions` && r.request().method() === "POST", WAIT);
    await toggle().click();
    expect((await again).status()).toBe(201);
    await expect.poll(() => toggle().getAttribute("aria-pressed"), POLL).toBe("true");
    await expect.poll(() => toggle().textContent(), POLL).toContain("Notifications on");
    expect(await page.getByRole("alert").count()).toBe(0);
  });

  test("a reload keeps the toggle on without asking again, and re-sends the subscription", async () => {
    const endpoint = await page.evaluate(async () => (await (await navigator.serviceWorker.ready).pushManager.getSubscription())?.endpoint);
    // The server may have dropped it meanwhile (or filed it under whoever was signed in before).
    const synced = page.waitForResponse((r) => r.url() === `${baseUrl}/api/push/subscriptions` && r.request().method() === "POST", WAIT);
    await page.reload();
    const response = await synced;
    expect(response.status()).toBe(201);
    expect((response.request().postDataJSON() as { endpoint: string }).endpoint).toBe(endpoint);
    await page.getByRole("heading", { name: roomNames[0] }).waitFor(WAIT);
    await expect.poll(() => toggle().getAttribute("aria-pressed"), POLL).toBe("true");
    expect(await probe()).toMatchObject({ requestPermissionCalls: 0, subscribeCalls: 0 });
  });

  test("without VAPID keys on the server the opt-in is hidden", async () => {
    await page.route(`${baseUrl}/api/push/key`, (route) =>
      route.fulfill({
        status: 503,
        contentType: "application/json",
        body: JSON.stringify({ error: { code: "push_not_configured", message: "this Hearth has no VAPID keys" } }),
      }),
    );
    expectedErrors.push(/status of 503/);
    await page.reload();
    await page.getByRole("heading", { name: roomNames[0] }).waitFor(WAIT);
    await expect.poll(() => page.getByTestId("current-user").isVisible(), POLL).toBe(true);
    await page.waitForLoadState("networkidle");
    expect(await toggle().count()).toBe(0);
    await page.unroute(`${baseUrl}/api/push/key`);
    await page.reload();
    await expect.poll(() => toggle().getAttribute("aria-pressed"), POLL).toBe("true");
  });

  test("a room's notification setting is saved on the server", async () => {
    expect(await notifySelect().inputValue()).toBe("all");
    const order = await page.getByTestId("room-link").allTextContents();
    const saved = page.waitForResponse(
      (r) => r.url() === `${baseUrl}/api/rooms/${rooms[0]!.id}/notifications` && r.request().method() === "PUT",
      WAIT,
    );
    await notifySelect().selectOption("mentions");
    expect((await saved).status()).toBe(200);
    const { data } = await rest<{ rooms: { id: string; notify: string }[] }>("GET", "/api/rooms");
    expect(data.rooms.find((r) => r.id === rooms[0]!.id)?.notify).toBe("mentions");
    expect(data.rooms.find((r) => r.id === rooms[1]!.id)?.notify).toBe("all");
    // The select shows it (the room keeps its place in the list), also after a reload.
    expect(await notifySelect().inputValue()).toBe("mentions");
    expect(await page.getByTestId("room-link").allTextContents()).toEqual(order);
    await page.reload();
    await page.getByRole("heading", { name: roomNames[0] }).waitFor(WAIT);
    await expect.poll(() => notifySelect().inputValue(), POLL).toBe("mentions");
  });

  test("the service worker shows a pushed message as a notification, one per room", async () => {
    const [porch, garden] = rooms as [{ id: string; name: string }, { id: string; name: string }];
    await deliverPush(messagePush(porch, 7, "ada: the kettle is on"));
    await expect.poll(() => notifications(), POLL).toHaveLength(1);
    const [first] = await notifications();
    expect(first).toMatchObject({
      title: `#${porch.name}`,
      body: "ada: the kettle is on",
      tag: `room-${porch.id}`,
      requireInteraction: false,
      data: { url: `/rooms/${porch.id}`, roomId: porch.id, seq: 7, kind: "message" },
    });

    // A newer push for the same room replaces it: still one notification for that room.
    await deliverPush(messagePush(porch, 9, "ada: tea's ready (+1 more)"));
    await expect.poll(async () => (await notifications(`room-${porch.id}`)).map((n) => n.body), POLL).toEqual([
      "ada: tea's ready (+1 more)",
    ]);
    expect(await notifications()).toHaveLength(1);

    // Another room: a second notification.
    await deliverPush(messagePush(garden, 3, "bo: tomatoes!"));
    await expect.poll(() => notifications(), POLL).toHaveLength(2);
    expect((await notifications(`room-${garden.id}`))[0]).toMatchObject({ title: `#${garden.name}`, body: "bo: tomatoes!" });
  });

  test("a push that is not Hearth's JSON still shows a notification", async () => {
    const registrationId = registrations.get(`${baseUrl}/`)!;
    await cdp.send("ServiceWorker.deliverPushMessage", { origin: baseUrl, registrationId, data: "plain text" });
    await expect.poll(async () => (await notifications("hearth")).map((n) => [n.title, n.body]), POLL).toEqual([
      ["Hearth", "plain text"],
    ]);
    await cdp.send("ServiceWorker.deliverPushMessage", { origin: baseUrl, registrationId, data: "null" });
    await expect.poll(async () => (await notifications("hearth")).map((n) => [n.title, n.body]), POLL).toEqual([["Hearth", ""]]);
    await page.evaluate(async () => {
      for (const n of await (await navigator.serviceWorker.ready).getNotifications({ tag: "hearth" })) n.close();
    });
  });

  test("clicking a notification opens Hearth at its room and closes it", async () => {
    const [porch, garden] = rooms as [{ id: string; name: string }, { id: string; name: string }];
    // Somewhere else first: the room list (client-side navigation, like a user would).
    await page.getByRole("link", { name: "Hearth" }).first().click();
    await expect.poll(() => new URL(page.url()).pathname, POLL).toBe("/");
    await page.getByRole("heading", { name: porch.name }).waitFor({ state: "detached", ...WAIT });

    await page.evaluate(async (tag) => {
      const registration = await navigator.serviceWorker.ready;
      registration.active!.postMessage({ type: "hearth:click-notification", tag });
    }, `room-${porch.id}`);
    await expect.poll(() => new URL(page.url()).pathname, POLL).toBe(`/rooms/${porch.id}`);
    await page.getByRole("heading", { name: porch.name }).waitFor(WAIT);
    // The clicked notification is gone; the other room's stays.
    await expect.poll(async () => (await notifications()).map((n) => n.tag), POLL).toEqual([`room-${garden.id}`]);

    // The other one, from inside a room: switches rooms.
    await page.evaluate(async (tag) => {
      (await navigator.serviceWorker.ready).active!.postMessage({ type: "hearth:click-notification", tag });
    }, `room-${garden.id}`);
    await expect.poll(() => new URL(page.url()).pathname, POLL).toBe(`/rooms/${garden.id}`);
    await page.getByRole("heading", { name: garden.name }).waitFor(WAIT);
    await expect.poll(() => notifications(), POLL).toHaveLength(0);
  });

  test("screenshots: the toggle on in the sidebar, the setting in the room header, and on a phone", async () => {
    await page.goto(`${baseUrl}/rooms/${rooms[0]!.id}`);
    await page.getByRole("heading", { name: roomNames[0] }).waitFor(WAIT);
    await expect.poll(() => toggle().getAttribute("aria-pressed"), POLL).toBe("true");
    await page.locator('[data-testid="connection-state"][data-state="online"]').waitFor(WAIT);
    await screenshot(page, "push.png");

    await page.setViewportSize({ width: 375, height: 720 });
    await page.getByRole("heading", { name: roomNames[0] }).waitFor(WAIT);
    expect(await notifySelect().isVisible()).toBe(true);
    // Nothing in the room header spills past the screen's edge.
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBe(0);
    await screenshot(page, "push-phone-room.png");
    await page.goto(`${baseUrl}/`);
    await expect.poll(() => toggle().isVisible(), POLL).toBe(true);
    await screenshot(page, "push-phone.png");
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  test("logging out makes the device forget the subscription; the next sign-in starts off", async () => {
    const endpoint = await page.evaluate(async () => (await (await navigator.serviceWorker.ready).pushManager.getSubscription())?.endpoint);
    expect(endpoint).toBeTruthy();
    const deleted = page.waitForResponse((r) => r.url() === `${baseUrl}/api/push/subscriptions` && r.request().method() === "DELETE", WAIT);
    await page.getByRole("button", { name: "Log out" }).click();
    const response = await deleted;
    expect(response.status()).toBe(204);
    expect(response.request().postDataJSON()).toEqual({ endpoint });
    await page.getByRole("button", { name: "Sign up" }).waitFor(WAIT);
    expect(await page.evaluate(() => navigator.serviceWorker.ready.then((r) => r.pushManager.getSubscription()))).toBeNull();
    // The server no longer has it for this user.
    const again = await fetch(`${baseUrl}/api/push/subscriptions`, {
      method: "DELETE",
      headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
      body: JSON.stringify({ endpoint }),
    });
    expect(again.status).toBe(404);

    // Signed in again (the init script puts the token back): notifications are off here.
    await page.reload();
    await expect.poll(() => toggle().getAttribute("aria-pressed"), POLL).toBe("false");
    expect(await probe()).toMatchObject({ requestPermissionCalls: 0, subscribeCalls: 0 });
  });

  test("a subscription made for other VAPID keys (the server's were replaced) is dropped, and on subscribes anew", async () => {
    const created = page.waitForResponse((r) => r.url() === `${baseUrl}/api/push/subscriptions` && r.request().method() === "POST", WAIT);
    await toggle().click();
    expect((await created).status()).toBe(201);
    await expect.poll(() => toggle().getAttribute("aria-pressed"), POLL).toBe("true");
    const before = await page.evaluate(() => localStorage.getItem("test.push-subscription"));
    // As if the subscription had been made under an older key pair.
    await page.evaluate(() => {
      const stored = JSON.parse(localStorage.getItem("test.push-subscription")!) as { serverKey: string };
      stored.serverKey = `BOLD${stored.serverKey.slice(4)}`;
      localStorage.setItem("test.push-subscription", JSON.stringify(stored));
    });
    await page.reload();
    await expect.poll(() => toggle().getAttribute("aria-pressed"), POLL).toBe("false");
    expect(await page.evaluate(() => localStorage.getItem("test.push-subscription"))).toBeNull();
    const again = page.waitForResponse((r) => r.url() === `${baseUrl}/api/push/subscriptions` && r.request().method() === "POST", WAIT);
    await toggle().click();
    const body = (await again).request().postDataJSON() as { endpoint: string };
    expect(body.endpoint).not.toBe((JSON.parse(before!) as { endpoint: string }).endpoint);
    await expect.poll(() => toggle().getAttribute("aria-pressed"), POLL).toBe("true");
  });

  test("a session that ends without Log out (expired) drops this device's subscription too", async () => {
    expect(await page.evaluate(() => localStorage.getItem("test.push-subscription"))).not.toBeNull();
    // The session token has expired: the server answers the page's first request with 401.
    expectedErrors.push(/status of 401/);
    await page.route(
      `${baseUrl}/api/me`,
      (route) => route.fulfill({ status: 401, contentType: "application/json", body: JSON.stringify({ error: { code: "invalid_token", message: "expired" } }) }),
      { times: 1 },
    );
    await page.reload();
    await page.getByRole("button", { name: "Sign up" }).waitFor(WAIT);
    await expect.poll(() => page.evaluate(() => localStorage.getItem("test.push-subscription")), POLL).toBeNull();
    expect((await probe()).unsubscribeCalls).toBe(1); // (counted since the reload)
  });

  test("nothing went wrong on the way", () => {
    expect(expectedErrors).toEqual([]);
    expect(incidents.errors).toEqual([]);
    expect(incidents.dialogs).toEqual([]);
    expect(incidents.foreignRequests).toEqual([]);
  });
});
