/**
 * Read receipts (issue #17 item 4) through the real web client: "Seen" under alice's DM
 * message once bob has the DM open, readers' avatars under the newest message each has read in
 * a small room (from the room's details after a reload, live from `read` frames before), and
 * "Send read receipts" turned off: bob's reads no longer show to alice, and bob sees no one's.
 * Screenshots at desktop and phone width. The steps build on each other.
 */
import { copyFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import { rest } from "./rest";
import { CHROMIUM, CHROMIUM_FLAGS, PASSWORD, RESULTS, WAIT, newIncidents, runTag, watchPage } from "./support";

const baseUrl = inject("baseUrl");
const run = runTag();
const alice = `alice-${run}`;
const bob = `bob-${run}`;
const carol = `carol-${run}`;
/** More members who read the room over REST: enough for "+N" after five avatars. */
const others = ["dan", "eve", "fay", "gus", "hal", "ivy"].map((name) => `${name}-${run}`);
const roomName = `team-${run}`;

let browser: Browser;
const tokens = new Map<string, string>();
let roomId = "";
let dmId = "";
let pageA: Page;
let pageB: Page;
const incidents = newIncidents();

const token = (user: string) => tokens.get(user)!;
const online = (page: Page) => page.locator('[data-testid="connection-state"][data-state="online"]').waitFor(WAIT);
const message = (page: Page, text: string) =>
  page.getByTestId("message").filter({ has: page.getByTestId("message-body").filter({ hasText: text }) });
const receipt = (item: Locator) => item.getByTestId("read-receipt");
const allReceipts = (page: Page) => page.getByTestId("read-receipt");
const receiptsSwitch = (page: Page) => page.getByRole("switch", { name: "Send read receipts" });

/** A new page of `context` signed in as `user`, at `path`. */
async function openPage(context: BrowserContext, user: string, path: string): Promise<Page> {
  await context.addInitScript((value) => localStorage.setItem("hearth.token", value), token(user));
  const page = await context.newPage();
  watchPage(page, user.split("-")[0]!, incidents, baseUrl);
  await page.goto(`${baseUrl}${path}`);
  await (path.startsWith("/rooms/") ? online(page) : page.getByTestId("current-user").waitFor(WAIT));
  return page;
}

/** Posts a message over REST as `user`; returns its seq. */
async function post(user: string, room: string, body: string): Promise<number> {
  const clientId = `rr-${run}-${Math.random().toString(36).slice(2)}`;
  return (await rest<{ seq: number }>(baseUrl, `/api/rooms/${room}/messages`, token(user), { body, clientId })).seq;
}

/** Sends a message through `page`'s composer and waits for it to be stored. */
async function send(page: Page, label: string, text: string): Promise<void> {
  const composer = page.getByRole("textbox", { name: `Message ${label}` });
  await composer.fill(text);
  await composer.press("Enter");
  await message(page, text).waitFor(WAIT);
}

/** Goes to a room through the sidebar (no reload: the page keeps its socket and state). */
async function goTo(page: Page, name: string): Promise<void> {
  await page.getByTestId("room-link").filter({ hasText: name }).click();
  await page.getByRole("heading", { name }).waitFor(WAIT);
  await online(page);
}

/** Resolves when `page` next tells the server how far it has read `room`. */
function readReported(page: Page, room: string): Promise<unknown> {
  return page.waitForResponse((r) => r.url().endsWith(`/api/rooms/${room}/read`) && r.request().method() === "POST", WAIT);
}

beforeAll(async () => {
  mkdirSync(RESULTS, { recursive: true });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
  for (const user of [alice, bob, carol, ...others]) {
    const { token: value } = await rest<{ token: string }>(baseUrl, "/api/auth/signup", null, { username: user, password: PASSWORD });
    tokens.set(user, value);
  }
  ({ id: dmId } = await rest<{ id: string }>(baseUrl, "/api/dms", token(alice), { username: bob }));
  ({ id: roomId } = await rest<{ id: string }>(baseUrl, "/api/rooms", token(alice), { name: roomName, topic: "", visibility: "public" }));
  for (const user of [bob, carol, ...others]) await rest(baseUrl, `/api/rooms/${roomId}/join`, token(user), {});
  const desktop = { viewport: { width: 1280, height: 800 } };
  pageA = await openPage(await browser.newContext(desktop), alice, `/rooms/${dmId}`);
  pageB = await openPage(await browser.newContext(desktop), bob, "/");
});

afterAll(async () => {
  await browser?.close();
});

describe("read receipts", () => {
  test('"Seen" appears under alice\'s DM message when bob reads it, and moves to her newest read one', async () => {
    await send(pageA, `@${bob}`, "are you there?");
    await send(pageA, `@${bob}`, "lunch at noon?");
    // Bob has not opened the DM: nothing is seen.
    await pageA.waitForTimeout(500);
    expect(await allReceipts(pageA).count()).toBe(0);

    await goTo(pageB, alice);
    const seen = receipt(message(pageA, "lunch at noon?"));
    await seen.waitFor(WAIT);
    expect(await seen.textContent()).toBe("Seen");
    expect(await seen.getAttribute("title")).toBe(`Seen by ${bob}`);
    // The newest such message only.
    expect(await allReceipts(pageA).count()).toBe(1);
    // Bob writes back and reads on: "Seen" stays under alice's own newest message.
    await send(pageB, `@${alice}`, "yes, noon works");
    await send(pageA, `@${bob}`, "see you there");
    await receipt(message(pageA, "see you there")).waitFor(WAIT);
    expect(await allReceipts(pageA).count()).toBe(1);
    // Bob sees no "Seen" under alice's messages (only under his own, once alice has read it).
    await receipt(message(pageB, "yes, noon works")).waitFor(WAIT);
    expect(await allReceipts(pageB).count()).toBe(1);
  });

  test("in a small room, each reader's avatar shows under the newest message they have read", async () => {
    const first = await post(alice, roomId, "agenda: ship the receipts");
    await post(alice, roomId, "who can review?");
    // Carol read only the first message (her own client is not open: over REST).
    await rest(baseUrl, `/api/rooms/${roomId}/read`, token(carol), { seq: first });
    await goTo(pageA, roomName);
    const firstItem = message(pageA, "agenda: ship the receipts");
    await expect.poll(() => receipt(firstItem).textContent(), WAIT).toContain(`Read by ${carol}`);

    // Bob opens the room: his avatar arrives live under the newest message.
    await goTo(pageB, roomName);
    const newest = receipt(message(pageA, "who can review?"));
    await expect.poll(() => newest.textContent(), WAIT).toContain(`Read by ${bob}`);
    expect(await newest.getAttribute("title")).toBe(`Read by ${bob}`);
    expect(await newest.locator(".avatar").count()).toBe(1);
    // Carol reads on, live: she moves down beside bob and appears once.
    await rest(baseUrl, `/api/rooms/${roomId}/read`, token(carol), { seq: first + 1 });
    await expect.poll(() => newest.textContent(), WAIT).toContain(`Read by ${bob}, ${carol}`);
    expect(await receipt(firstItem).count()).toBe(0);
    // Not for myself: alice's own reads never show to her.
    expect(await allReceipts(pageA).filter({ hasText: alice }).count()).toBe(0);
  });

  test("more than five readers show as five avatars and +N; a reload starts from the room's details", async () => {
    const last = await post(carol, roomId, "reviewed, looks good");
    for (const user of [carol, ...others]) await rest(baseUrl, `/api/rooms/${roomId}/read`, token(user), { seq: last });
    await pageA.reload();
    await online(pageA);
    const row = receipt(message(pageA, "reviewed, looks good"));
    await expect.poll(() => row.locator(".avatar").count(), WAIT).toBe(5);
    // Eight readers (bob has the room open and reads it too): five faces, then "+3".
    await expect.poll(() => row.textContent(), WAIT).toContain("+3");
    const names = [bob, carol, ...others].sort((a, b) => a.localeCompare(b));
    expect(await row.getAttribute("title")).toBe(`Read by ${names.join(", ")}`);

    const desktop = join(RESULTS, "receipts-desktop.png");
    await pageA.screenshot({ path: desktop });
    copyFileSync(desktop, "/tmp/receipts-desktop.png");

    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    const pagePhone = await openPage(phone, alice, `/rooms/${roomId}`);
    await receipt(message(pagePhone, "reviewed, looks good")).waitFor(WAIT);
    const phoneRoom = join(RESULTS, "receipts-phone.png");
    await pagePhone.screenshot({ path: phoneRoom });
    copyFileSync(phoneRoom, "/tmp/receipts-phone.png");
    await pagePhone.goto(`${baseUrl}/rooms/${dmId}`);
    await online(pagePhone);
    await receipt(message(pagePhone, "see you there")).waitFor(WAIT);
    await pagePhone.screenshot({ path: join(RESULTS, "receipts-phone-dm.png") });
    await pagePhone.goto(`${baseUrl}/`);
    await receiptsSwitch(pagePhone).waitFor(WAIT);
    await pagePhone.getByTestId("room-link").first().waitFor(WAIT);
    await pagePhone.screenshot({ path: join(RESULTS, "receipts-phone-list.png") });
    await phone.close();
  });

  test("after bob turns read receipts off, alice no longer sees his and bob sees none", async () => {
    expect(await receiptsSwitch(pageB).getAttribute("aria-checked")).toBe("true");
    await expect.poll(() => allReceipts(pageB).count(), WAIT).toBeGreaterThan(0);
    const saved = pageB.waitForResponse((r) => r.url().endsWith("/api/me") && r.request().method() === "PATCH", WAIT);
    await receiptsSwitch(pageB).click();
    expect((await saved).status()).toBe(200);
    await expect.poll(() => receiptsSwitch(pageB).getAttribute("aria-checked"), WAIT).toBe("false");
    // Bob sees no one's: not carol's and the others' in the room, not alice's in their DM.
    await expect.poll(() => allReceipts(pageB).count(), WAIT).toBe(0);
    await goTo(pageB, alice);
    await message(pageB, "yes, noon works").waitFor(WAIT);
    expect(await allReceipts(pageB).count()).toBe(0);

    // Alice, after a reload: bob's earlier reads are gone from the room and the DM.
    await pageA.reload();
    await online(pageA);
    const row = receipt(message(pageA, "reviewed, looks good"));
    await expect.poll(() => row.textContent(), WAIT).toContain(`Read by ${carol}`);
    expect(await row.textContent()).not.toContain(bob);
    await goTo(pageA, bob);
    await message(pageA, "see you there").waitFor(WAIT);
    expect(await allReceipts(pageA).count()).toBe(0);

    // Bob reads a new message live: no receipt reaches alice, and a `read` frame would be ignored by bob.
    const reported = readReported(pageB, dmId);
    await send(pageA, `@${bob}`, "are receipts off now?");
    await message(pageB, "are receipts off now?").waitFor(WAIT);
    await reported;
    await pageA.waitForTimeout(1000);
    expect(await allReceipts(pageA).count()).toBe(0);
    // The setting holds across a reload (GET /api/me).
    await pageB.reload();
    await online(pageB);
    await expect.poll(() => receiptsSwitch(pageB).getAttribute("aria-checked"), WAIT).toBe("false");
    await message(pageB, "are receipts off now?").waitFor(WAIT);
    expect(await allReceipts(pageB).count()).toBe(0);
  });

  test("nothing went wrong on the pages", () => {
    expect(incidents.errors).toEqual([]);
    expect(incidents.dialogs).toEqual([]);
    expect(incidents.foreignRequests).toEqual([]);
  });
});
