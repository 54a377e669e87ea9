/**
 * Instance administration through the web client (issue #19 items 2 and 7; docs/admin.md): the
 * administrator switches sign-up to invite mode and creates an invite link; a newcomer is
 * refused without it and signs up with it (the link fills the code in). Screenshots of the
 * administration page at desktop and phone width. Sign-up is open again afterwards (the other
 * browser tests sign people up).
 */
import { join } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import { rest } from "./rest";
import { ADMIN_USERNAME, CHROMIUM, CHROMIUM_FLAGS, PASSWORD, RESULTS, WAIT, newIncidents, runTag, watchPage } from "./support";

const baseUrl = inject("baseUrl");
const run = runTag();
const incidents = newIncidents();
let browser: Browser;
let adminToken = "";
let page: Page;

async function signupMode(mode: string): Promise<void> {
  const res = await fetch(`${baseUrl}/api/admin/settings`, {
    method: "PUT",
    headers: { Authorization: `Bearer ${adminToken}`, "Content-Type": "application/json" },
    body: JSON.stringify({ signupMode: mode }),
  });
  expect(res.status).toBe(200);
}

/** Fills the sign-up form of a signed-out page and submits it. */
async function signUp(p: Page, username: string): Promise<void> {
  await p.getByLabel("Username").fill(username);
  await p.getByLabel("Password").fill(PASSWORD);
  await p.getByRole("button", { name: "Create account" }).click();
}

beforeAll(async () => {
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
  ({ token: adminToken } = await rest<{ token: string }>(baseUrl, "/api/auth/signup", null, { username: ADMIN_USERNAME, password: PASSWORD }));
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  await context.addInitScript((value) => localStorage.setItem("hearth.token", value), adminToken);
  page = await context.newPage();
  watchPage(page, "admin", incidents, baseUrl);
  await page.goto(`${baseUrl}/`);
  await page.getByTestId("current-user").waitFor(WAIT);
});

afterAll(async () => {
  if (adminToken) await signupMode("open");
  await browser?.close();
});

describe("administration", () => {
  test("the administrator turns on invite mode and makes a link; sign-up needs it", async () => {
    await page.getByTestId("admin-link").click();
    await page.getByRole("heading", { name: "Administration" }).waitFor(WAIT);
    const byInvite = page.getByRole("radio", { name: /By invite/ });
    const saved = page.waitForResponse((r) => r.url().endsWith("/api/admin/settings") && r.request().method() === "PUT", WAIT);
    await byInvite.check();
    expect((await saved).status()).toBe(200);
    await page.getByRole("button", { name: "Create invite link" }).click();
    const url = (await page.getByTestId("invite-url").first().textContent(WAIT))!;
    expect(url).toContain("/signup?invite=");
    await page.getByTestId("admin-user").filter({ hasText: ADMIN_USERNAME }).waitFor(WAIT);
    await page.screenshot({ path: join(RESULTS, "admin-desktop.png"), fullPage: true });

    // Without the invite: refused, in words.
    const stranger = await (await browser.newContext()).newPage();
    watchPage(stranger, "stranger", incidents, baseUrl, (text) => text.includes("403"));
    await stranger.goto(`${baseUrl}/signup`);
    await signUp(stranger, `nocode-${run}`);
    await expect.poll(() => stranger.getByRole("alert").textContent(), WAIT).toContain("needs an invite");

    // With the link: the code is filled in, and the account is made.
    const invited = await (await browser.newContext()).newPage();
    watchPage(invited, "invited", incidents, baseUrl);
    await invited.goto(url);
    expect(await invited.getByLabel("Invite code").inputValue()).toBe(new URL(url).searchParams.get("invite"));
    await signUp(invited, `invited-${run}`);
    await invited.getByTestId("current-user").filter({ hasText: `invited-${run}` }).waitFor(WAIT);
    // A member sees no way into administration.
    expect(await invited.getByTestId("admin-link").count()).toBe(0);

    // The link was for one use: the page shows it used.
    await page.reload();
    await expect.poll(() => page.getByTestId("invite").first().textContent(), WAIT).toContain("1 of 1 used");
  });

  test("the administrator makes a bot and sees its token once; the bot posts with it", async () => {
    await page.getByLabel("Name", { exact: true }).fill(`helper-${run}`);
    await page.getByRole("button", { name: "Create bot" }).click();
    const shown = page.getByTestId("shown-secret");
    const token = (await shown.locator("code").textContent(WAIT))!;
    expect(token).toMatch(/^hb_/);
    await page.getByTestId("admin-bot").filter({ hasText: `helper-${run}` }).waitFor(WAIT);
    // The token works like a session: the bot is who it says.
    const me = await rest<{ user: { username: string; role: string } }>(baseUrl, "/api/me", token);
    expect(me.user).toMatchObject({ username: `helper-${run}`, role: "bot" });
    await page.context().grantPermissions(["clipboard-read", "clipboard-write"]);
    await shown.getByRole("button", { name: "Copy" }).click();
    await shown.getByRole("button", { name: "Copied" }).waitFor(WAIT);
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(token);
    await shown.getByRole("button", { name: "Done" }).click();
    expect(await page.getByTestId("shown-secret").count()).toBe(0);
    // Focus returns to the form the secret came from.
    expect(await page.evaluate(() => document.activeElement?.className)).toBe("admin__name");
  });

  test("the administration page fits a phone", async () => {
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    await phone.addInitScript((value) => localStorage.setItem("hearth.token", value), adminToken);
    const p = await phone.newPage();
    await p.goto(`${baseUrl}/admin`);
    await p.getByRole("heading", { name: "Administration" }).waitFor(WAIT);
    await p.getByTestId("invite").first().waitFor(WAIT);
    const overflow = await p.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await p.screenshot({ path: join(RESULTS, "admin-phone.png"), fullPage: true });
    await phone.close();
  });

  test("nothing went wrong in the pages", () => {
    expect(incidents).toEqual(newIncidents());
  });
});
