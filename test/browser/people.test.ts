/**
 * People (issue #18 item 5) through the real web client: alice sets a display name and a
 * picture (resized to 256 px in the browser) from the sidebar; bob starts a DM by typing part of
 * her display name and picking the suggestion with the keyboard, and sees her name and picture in
 * the DM; alice invites bob to a private room the same way. Screenshots at desktop and phone
 * width. The steps build on each other.
 */
import { copyFileSync, mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import { rest } from "./rest";
import { CHROMIUM, CHROMIUM_FLAGS, PASSWORD, RESULTS, WAIT, newIncidents, runTag, watchPage } from "./support";

const baseUrl = inject("baseUrl");
const run = runTag();
const alice = `alice-${run}`;
const bob = `bob-${run}`;
const displayName = `Wren Ashdown ${run}`;
const secretRoom = `plans-${run}`;
// bypassCSP: axe arrives as an inline script, which the page's policy forbids.
const DESKTOP = { viewport: { width: 1280, height: 800 }, bypassCSP: true };
const AXE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };

let browser: Browser;
const tokens = new Map<string, string>();
let pageA: Page;
let pageB: Page;
let dmId = "";
const incidents = newIncidents();

const token = (user: string) => tokens.get(user)!;
const online = (page: Page) => page.locator('[data-testid="connection-state"][data-state="online"]').waitFor(WAIT);
const message = (page: Page, text: string) =>
  page.getByTestId("message").filter({ has: page.getByTestId("message-body").filter({ hasText: text }) });

/** A new page of `context` signed in as `user`, at `path`. */
async function openPage(context: BrowserContext, user: string, path: string): Promise<Page> {
  await context.addInitScript((value) => localStorage.setItem("hearth.token", value), token(user));
  const page = await context.newPage();
  watchPage(page, user.split("-")[0]!, incidents, baseUrl);
  await page.goto(`${baseUrl}${path}`);
  await (path.startsWith("/rooms/") ? online(page) : page.getByTestId("current-user").waitFor(WAIT));
  return page;
}

/** A 640 × 400 photo-like PNG (bands of colour and a circle), drawn by the page itself. */
async function pictureFile(page: Page): Promise<{ name: string; mimeType: string; buffer: Buffer }> {
  const dataUrl = await page.evaluate(() => {
    const canvas = document.createElement("canvas");
    canvas.width = 640;
    canvas.height = 400;
    const g = canvas.getContext("2d")!;
    const colours = ["#f4a261", "#2a9d8f", "#e9c46a", "#264653"];
    colours.forEach((c, i) => ((g.fillStyle = c), g.fillRect(i * 160, 0, 160, 400)));
    g.fillStyle = "#e76f51";
    g.beginPath();
    g.arc(320, 200, 120, 0, Math.PI * 2);
    g.fill();
    return canvas.toDataURL("image/png");
  });
  return { name: "holiday.png", mimeType: "image/png", buffer: Buffer.from(dataUrl.split(",")[1]!, "base64") };
}

/** The serious and critical accessibility problems axe finds on the page as it is. */
async function axeProblems(page: Page): Promise<string[]> {
  await page.addScriptTag({ content: AXE });
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(): Promise<{ violations: { id: string; impact?: string; nodes: { target: unknown }[] }[] }> } }).axe;
    return (await axe.run()).violations;
  });
  return violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => `${v.id}: ${JSON.stringify(v.nodes.map((n) => n.target))}`);
}

async function save(page: Page, name: string): Promise<void> {
  const path = join(RESULTS, name);
  await page.screenshot({ path });
  copyFileSync(path, join("/tmp", name));
}

beforeAll(async () => {
  mkdirSync(RESULTS, { recursive: true });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
  for (const user of [alice, bob]) {
    const { token: value } = await rest<{ token: string }>(baseUrl, "/api/auth/signup", null, { username: user, password: PASSWORD });
    tokens.set(user, value);
  }
  pageA = await openPage(await browser.newContext(DESKTOP), alice, "/");
  pageB = await openPage(await browser.newContext(DESKTOP), bob, "/");
});

afterAll(async () => {
  await browser?.close();
});

describe("people", () => {
  test("alice sets a display name and a picture from the sidebar; the picture is resized to 256 px", async () => {
    await pageA.getByTestId("profile-button").click();
    const dialog = pageA.getByRole("dialog", { name: "Your profile" });
    await dialog.waitFor(WAIT);
    const stored = pageA.waitForResponse((r) => r.request().method() === "PUT" && r.url().includes("/avatar?"), WAIT);
    await dialog.getByTestId("avatar-file").setInputFiles(await pictureFile(pageA));
    const put = await stored;
    expect(put.status()).toBe(200);
    expect(put.request().headers()["content-type"]).toBe("image/webp");
    const preview = dialog.locator("img.avatar");
    await preview.waitFor(WAIT);
    await expect.poll(() => preview.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth), WAIT).toBe(256);
    expect(await preview.evaluate((img: HTMLImageElement) => img.naturalHeight)).toBe(256);
    await dialog.getByRole("button", { name: "Remove picture" }).waitFor(WAIT);

    expect(await axeProblems(pageA)).toEqual([]);
    await dialog.getByLabel("Display name").fill(`  ${displayName}  `);
    await dialog.getByRole("button", { name: "Save" }).click();
    await dialog.waitFor({ state: "detached", ...WAIT });
    const me = pageA.getByTestId("profile-button");
    await me.getByText(displayName).waitFor(WAIT);
    expect(await me.getByTestId("current-user").textContent()).toBe(alice);
    expect(await me.locator("img.avatar").getAttribute("src")).toContain(`/avatar/`);

    // A reload keeps both (GET /api/me).
    await pageA.reload();
    await pageA.getByTestId("profile-button").getByText(displayName).waitFor(WAIT);
    await pageA.getByTestId("profile-button").locator("img.avatar").waitFor(WAIT);
  });

  test("bob starts a DM by typing part of her display name and picking the suggestion with the keyboard", async () => {
    await pageB.getByRole("button", { name: "Direct message" }).click();
    const dialog = pageB.getByRole("dialog", { name: "Direct message" });
    const field = dialog.getByRole("combobox", { name: "Name or username" });
    // Part of it, in other letters' case.
    await field.pressSequentially(`wren ash`, { delay: 30 });
    const option = dialog.getByRole("option").filter({ hasText: displayName });
    await option.waitFor(WAIT);
    expect(await field.getAttribute("aria-expanded")).toBe("true");
    expect(await option.textContent()).toContain(`@${alice}`);
    expect(await option.locator("img.avatar").count()).toBe(1);
    await field.press("ArrowDown");
    await expect.poll(() => option.getAttribute("aria-selected"), WAIT).toBe("true");
    expect(await field.getAttribute("aria-activedescendant")).toBe(await option.getAttribute("id"));
    await save(pageB, "people-suggestions-desktop.png");
    expect(await axeProblems(pageB)).toEqual([]);
    await field.press("Enter");
    expect(await field.inputValue()).toBe(alice);
    expect(await field.getAttribute("aria-expanded")).toBe("false");
    await dialog.getByRole("button", { name: "Start conversation" }).click();

    // The DM shows her display name, with her username and picture.
    await pageB.getByRole("heading", { name: displayName }).waitFor(WAIT);
    await online(pageB);
    dmId = new URL(pageB.url()).pathname.split("/").pop()!;
    await pageB.getByTestId("dm-status").getByText(`@${alice}`).waitFor(WAIT);
    const link = pageB.getByTestId("room-link").filter({ hasText: displayName });
    await link.waitFor(WAIT);
    expect(await link.textContent()).toContain(`@${alice}`);
    expect(await link.locator("img.avatar").count()).toBe(1);

    // Her message carries her username; the client shows her display name and picture with it.
    await rest(baseUrl, `/api/rooms/${dmId}/messages`, token(alice), { body: "hello from wren", clientId: `p-${run}-1` });
    const item = message(pageB, "hello from wren");
    await item.waitFor(WAIT);
    expect(await item.getAttribute("data-author")).toBe(alice);
    expect(await item.locator(".msg__author").textContent()).toBe(`${displayName} @${alice}`);
    await expect.poll(() => item.locator("img.avatar").evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth), WAIT).toBe(256);
    await pageB.getByRole("textbox", { name: `Message @${alice}` }).fill("hi Wren!");
    await pageB.getByRole("textbox", { name: `Message @${alice}` }).press("Enter");
    await message(pageB, "hi Wren!").waitFor(WAIT);
    // The room details name her with both names, and list her so among the members.
    const panel = pageB.getByTestId("members-panel");
    expect(await panel.getByTestId("room-about").textContent()).toContain(`${displayName} @${alice}`);
    await panel.getByTestId("member").filter({ hasText: displayName }).filter({ hasText: `@${alice}` }).waitFor(WAIT);
    await save(pageB, "people-dm-desktop.png");
  });

  test("alice invites bob to a private room by picking him from the suggestions", async () => {
    const { id } = await rest<{ id: string }>(baseUrl, "/api/rooms", token(alice), { name: secretRoom, topic: "", visibility: "private" });
    await pageA.goto(`${baseUrl}/rooms/${id}`);
    await online(pageA);
    await pageA.getByRole("button", { name: /Invite/ }).click();
    const dialog = pageA.getByRole("dialog", { name: `Invite to #${secretRoom}` });
    const field = dialog.getByRole("combobox", { name: "Name or username" });
    await field.pressSequentially(bob.slice(0, 6), { delay: 30 });
    // Alice herself is a member: never suggested.
    const option = dialog.getByRole("option").filter({ hasText: bob });
    await option.click();
    expect(await field.inputValue()).toBe(bob);
    expect(await dialog.getByRole("option").filter({ hasText: alice }).count()).toBe(0);
    await dialog.getByRole("button", { name: "Invite", exact: true }).click();
    await dialog.getByRole("status").filter({ hasText: `${bob} was added` }).waitFor(WAIT);
    await dialog.getByRole("button", { name: "Done" }).click();
    await pageB.getByRole("link", { name: secretRoom }).waitFor(WAIT);
  });

  test("at phone width: the DM with her name and picture, and the profile dialog", async () => {
    const phoneB = await browser.newContext(PHONE);
    const page = await openPage(phoneB, bob, `/rooms/${dmId}`);
    await page.getByRole("heading", { name: displayName }).waitFor(WAIT);
    await message(page, "hello from wren").locator("img.avatar").waitFor(WAIT);
    await save(page, "people-dm-phone.png");
    await page.goto(`${baseUrl}/`);
    await page.getByTestId("room-link").filter({ hasText: displayName }).waitFor(WAIT);
    await save(page, "people-list-phone.png");
    await phoneB.close();

    const phoneA = await browser.newContext(PHONE);
    const pageAPhone = await openPage(phoneA, alice, "/");
    await pageAPhone.getByTestId("profile-button").click();
    const dialog = pageAPhone.getByRole("dialog", { name: "Your profile" });
    await dialog.locator("img.avatar").waitFor(WAIT);
    expect(await dialog.getByLabel("Display name").inputValue()).toBe(displayName);
    // The dialog fits the phone's width.
    const box = (await dialog.boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(390);
    await save(pageAPhone, "people-profile-phone.png");

    // Removing the picture brings the initial back.
    await dialog.getByRole("button", { name: "Remove picture" }).click();
    await dialog.locator("span.avatar").waitFor(WAIT);
    expect(await dialog.locator("img.avatar").count()).toBe(0);
    await dialog.getByRole("button", { name: "Choose picture…" }).waitFor(WAIT);
    await phoneA.close();
  });

  test("nothing went wrong on the pages", () => {
    expect(incidents.errors).toEqual([]);
    expect(incidents.dialogs).toEqual([]);
    expect(incidents.foreignRequests).toEqual([]);
  });
});
