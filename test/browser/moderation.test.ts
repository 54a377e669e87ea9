/**
 * Keeping a room in order through the web client (issue #19 items 3 and 7; docs/admin.md
 * "Rooms and moderation"): the owner renames the room and makes bob a moderator in its settings;
 * bob removes carol and deletes her message; carol's open room says she was removed and does
 * not reconnect. Screenshots of the settings at desktop and phone width.
 */
import { join } from "node:path";
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import { rest } from "./rest";
import { CHROMIUM, CHROMIUM_FLAGS, PASSWORD, RESULTS, WAIT, newIncidents, runTag, watchPage } from "./support";

const baseUrl = inject("baseUrl");
const run = runTag();
const [alice, bob, carol] = ["alice", "bob", "carol"].map((n) => `${n}-${run}`) as [string, string, string];
const incidents = newIncidents();
const tokens = new Map<string, string>();
let browser: Browser;
let roomId = "";
let pageA: Page;
let pageB: Page;
let pageC: Page;

const online = (page: Page) => page.locator('[data-testid="connection-state"][data-state="online"]').waitFor(WAIT);
const message = (page: Page, text: string) =>
  page.getByTestId("message").filter({ has: page.getByTestId("message-body").filter({ hasText: text }) });

async function openPage(context: BrowserContext, user: string): Promise<Page> {
  await context.addInitScript((value) => localStorage.setItem("hearth.token", value), tokens.get(user)!);
  const page = await context.newPage();
  watchPage(page, user.split("-")[0]!, incidents, baseUrl);
  await page.goto(`${baseUrl}/rooms/${roomId}`);
  await online(page);
  return page;
}

/** Closes the settings dialog by its Close button, and waits until it is gone. */
async function closeSettings(page: Page): Promise<void> {
  const dialog = page.getByRole("dialog").filter({ has: page.getByTestId("room-settings") });
  await dialog.getByRole("button", { name: "Close" }).first().click();
  await page.getByTestId("room-settings").waitFor({ state: "detached", ...WAIT });
}

async function openSettings(page: Page): Promise<Locator> {
  await page.getByRole("button", { name: "More actions" }).click();
  await page.getByRole("menuitem", { name: "Room settings…" }).click();
  const dialog = page.getByTestId("room-settings");
  await dialog.waitFor(WAIT);
  return dialog;
}

beforeAll(async () => {
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
  for (const user of [alice, bob, carol]) {
    tokens.set(user, (await rest<{ token: string }>(baseUrl, "/api/auth/signup", null, { username: user, password: PASSWORD })).token);
  }
  ({ id: roomId } = await rest<{ id: string }>(baseUrl, "/api/rooms", tokens.get(alice)!, { name: `plans-${run}`, topic: "", visibility: "public" }));
  for (const user of [bob, carol]) await rest(baseUrl, `/api/rooms/${roomId}/join`, tokens.get(user)!, {});
  await rest(baseUrl, `/api/rooms/${roomId}/messages`, tokens.get(carol)!, { body: "buy my crypto course", clientId: `spam-${run}` });
  const desktop = { viewport: { width: 1280, height: 800 } };
  pageA = await openPage(await browser.newContext(desktop), alice);
  pageB = await openPage(await browser.newContext(desktop), bob);
  pageC = await openPage(await browser.newContext(desktop), carol);
});

afterAll(async () => {
  await browser?.close();
});

describe("room moderation", () => {
  test("the owner renames the room and makes bob a moderator", async () => {
    const settings = await openSettings(pageA);
    await settings.getByLabel("Name", { exact: true }).fill(`launch-${run}`);
    await settings.getByRole("button", { name: "Save" }).click();
    await settings.getByRole("status").filter({ hasText: "Saved" }).waitFor(WAIT);
    await settings.getByLabel(`Role of ${bob}`).selectOption("moderator");
    await expect.poll(() => settings.getByTestId("settings-member").filter({ hasText: bob }).textContent(), WAIT).toContain("Moderator");
    await pageA.screenshot({ path: join(RESULTS, "moderation-settings-desktop.png") });
    await closeSettings(pageA);
    await pageA.getByRole("heading", { name: `launch-${run}` }).waitFor(WAIT);
  });

  test("bob, a moderator, removes carol and deletes her message; carol's screen says so", async () => {
    await pageB.reload();
    await online(pageB);
    const settings = await openSettings(pageB);
    // A moderator sees no role choices, and no actions on the owner.
    expect(await settings.getByLabel(`Role of ${carol}`).count()).toBe(0);
    expect(await settings.getByTestId("settings-member").filter({ hasText: alice }).getByRole("button").count()).toBe(0);
    await settings.getByTestId("settings-member").filter({ hasText: carol }).getByRole("button", { name: "Remove" }).click();
    await pageB.getByRole("dialog", { name: `Remove ${carol}?` }).getByRole("button", { name: "Remove" }).click();
    await expect.poll(() => settings.getByTestId("settings-member").filter({ hasText: carol }).count(), WAIT).toBe(0);
    await closeSettings(pageB);

    // Carol's open room: told, and not reconnecting.
    await pageC.getByRole("alert").filter({ hasText: "removed from this room" }).waitFor(WAIT);

    // Bob deletes the message she left.
    const spam = message(pageB, "buy my crypto course");
    await spam.hover();
    await spam.getByTestId("message-toolbar").getByRole("button", { name: "Delete message", exact: true }).click();
    await pageB.getByRole("dialog").getByRole("button", { name: "Delete", exact: true }).click();
    await message(pageA, "buy my crypto course").waitFor({ state: "detached", ...WAIT });
    expect(await pageA.getByTestId("tombstone").count()).toBeGreaterThan(0);
  });

  test("the owner adds an incoming webhook; a script posts through its URL and the room shows it", async () => {
    const settings = await openSettings(pageA);
    await settings.getByLabel("Integration name").fill(`ci-${run}`.slice(0, 32));
    await settings.getByRole("button", { name: "Add webhook" }).click();
    const url = (await settings.getByTestId("webhook-url").locator("code").textContent(WAIT))!;
    expect(url).toContain("/api/hooks/");
    // Shown once: put away with Done, and not shown again.
    await settings.getByTestId("webhook-url").getByRole("button", { name: "Done" }).click();
    expect(await settings.getByTestId("webhook-url").count()).toBe(0);
    await closeSettings(pageA);
    const res = await fetch(url, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ text: "build 42 passed" }) });
    expect(res.status).toBeLessThan(300);
    await message(pageA, "build 42 passed").waitFor(WAIT);
    // Shown as an integration, not as a person.
    expect(await message(pageA, "build 42 passed").locator(".msg__bot").textContent()).toBe("bot");
  });

  test("the settings fit a phone", async () => {
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    const page = await openPage(phone, alice);
    const settings = await openSettings(page);
    await settings.getByLabel(`Role of ${bob}`).waitFor(WAIT);
    await page.screenshot({ path: join(RESULTS, "moderation-settings-phone.png") });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await phone.close();
  });

  test("nothing went wrong in the pages", () => {
    expect(incidents).toEqual(newIncidents());
  });
});
