/**
 * The rough edges a new user hit (issue "Hardening", item 6), each checked in a real browser
 * at desktop (1280×800) and phone (390×844) widths against a real Hearth. Screenshots of
 * each go to test-results/hardening-*.png.
 */
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import { CHROMIUM, CHROMIUM_FLAGS, PASSWORD, WAIT, runTag, screenshot } from "./support";
import { rest } from "./rest";

const baseUrl = inject("baseUrl");
const run = runTag();
const me = `hx-${run}`;
const roomName = `the-fireside-book-club-${run}`;
const topic =
  "Monthly reading, one book at a time: this month a long Russian novel, next month something shorter. Bring tea, bring notes, and please no spoilers before the last Friday.";
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };

let browser: Browser;
let token = "";
let roomId = "";

async function context(viewport: { width: number; height: number }, signedIn = true): Promise<BrowserContext> {
  const ctx = await browser.newContext({ viewport });
  if (signedIn) await ctx.addInitScript((value) => localStorage.setItem("hearth.token", value), token);
  return ctx;
}

async function openRoom(ctx: BrowserContext): Promise<Page> {
  const page = await ctx.newPage();
  await page.goto(`${baseUrl}/rooms/${roomId}`);
  await page.locator('[data-testid="connection-state"][data-state="online"]').waitFor(WAIT);
  return page;
}

/** Whether an element's box lies inside the viewport. */
async function inViewport(page: Page, selector: string): Promise<boolean> {
  return page.locator(selector).evaluate((el) => {
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.left >= 0 && r.top >= 0 && r.right <= innerWidth && r.bottom <= innerHeight;
  });
}

beforeAll(async () => {
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
  ({ token } = await rest<{ token: string }>(baseUrl, "/api/auth/signup", null, { username: me, password: PASSWORD }));
  ({ id: roomId } = await rest<{ id: string }>(baseUrl, "/api/rooms", token, { name: roomName, topic, visibility: "public" }));
  const long = Array.from({ length: 60 }, (_, i) => `line ${i + 1} of a very long message`).join("\n");
  await rest(baseUrl, `/api/rooms/${roomId}/messages`, token, { body: long, clientId: `hx-${run}-long` });
  await rest(baseUrl, `/api/rooms/${roomId}/messages`, token, { body: "a short one", clientId: `hx-${run}-short` });
});

afterAll(async () => {
  await browser?.close();
});

describe("rough edges a new user hit", () => {
  test("sign-up at phone width: only the wrong field is marked, the hint does not strand '-.'", async () => {
    const ctx = await context(PHONE, false);
    const page = await ctx.newPage();
    await page.goto(baseUrl);
    await page.getByRole("button", { name: "Sign up" }).click();
    const username = page.getByLabel("Username");
    const password = page.getByLabel("Password");
    await username.fill("No Spaces!");
    await password.fill(PASSWORD);
    await page.getByRole("button", { name: "Create account" }).click();
    await page.getByRole("alert").waitFor(WAIT);
    expect(await username.getAttribute("aria-invalid")).toBe("true");
    expect(await password.getAttribute("aria-invalid")).toBe("false");
    // "_ and -" never breaks: no line holds "-." alone.
    expect(await page.locator("#auth-username-hint .nowrap").evaluate((el) => el.getClientRects().length)).toBe(1);
    await screenshot(page, "hardening-signup-phone.png");

    // The server's refusal (a taken name) is a sentence, and only the username is marked.
    await username.fill(me);
    await page.getByRole("button", { name: "Create account" }).click();
    const alert = page.getByRole("alert").filter({ hasText: "taken" });
    await alert.waitFor(WAIT);
    expect(await alert.textContent()).toBe(`The username “${me}” is taken. Pick another one.`);
    expect(await username.getAttribute("aria-invalid")).toBe("true");
    expect(await password.getAttribute("aria-invalid")).toBe("false");
    await ctx.close();
  });

  test("desktop room: the name fits, the topic can be read in full, the badge says Connected", async () => {
    const ctx = await context(DESKTOP);
    const page = await openRoom(ctx);
    await page.getByTestId("room-about").waitFor(WAIT);
    await screenshot(page, "hardening-room-desktop.png");
    const badge = page.getByTestId("connection-state");
    expect((await badge.textContent())?.trim()).toBe("Connected");
    const name = page.locator(".room__name");
    expect(await name.evaluate((el) => el.scrollWidth <= el.clientWidth)).toBe(true);
    expect(await page.locator(".room__topic").getAttribute("title")).toBe(topic);
    // The room details (open beside the chat on a wide screen) show the whole topic.
    await page.getByTestId("room-about").filter({ hasText: topic }).waitFor(WAIT);
    expect(await page.getByTestId("room-about").locator(".about__topic").evaluate((el) => el.scrollWidth <= el.clientWidth)).toBe(true);
    // The placeholder fits the box whole.
    const box = page.locator("#composer-input");
    expect(await box.evaluate(placeholderFits)).toBe(true);

    // Leave is in the "⋯" menu, with a label.
    await page.getByRole("button", { name: "More actions" }).click();
    await page.getByRole("menuitem", { name: "Leave room…" }).waitFor(WAIT);
    await page.keyboard.press("Escape");
    await page.getByRole("menu").waitFor({ state: "detached", ...WAIT });
    // Tab out of the open menu closes it and leaves focus on its button, not on the page.
    await page.getByRole("button", { name: "More actions" }).click();
    await page.getByRole("menuitem", { name: "Leave room…" }).waitFor(WAIT);
    await page.keyboard.press("Tab");
    await page.getByRole("menu").waitFor({ state: "detached", ...WAIT });
    expect(await page.evaluate(() => document.activeElement?.getAttribute("aria-label"))).toBe("More actions");
    // "Room details" from the menu takes the focus to the panel, already open or not.
    await page.getByRole("button", { name: "More actions" }).click();
    await page.getByRole("menuitem", { name: "Room details" }).click();
    await page.waitForFunction(() => document.activeElement?.textContent?.trim() === "Room details" && document.activeElement.tagName === "H2");
    await ctx.close();
  });

  test("a server refusal is shown as a sentence", async () => {
    const ctx = await context(DESKTOP);
    const page = await openRoom(ctx);
    await page.getByRole("button", { name: "Direct message" }).click();
    await page.getByLabel("Username").fill(`nobody-${run}`);
    await page.getByRole("button", { name: "Start conversation" }).click();
    const alert = page.getByRole("dialog").getByRole("alert");
    await alert.waitFor(WAIT);
    expect(await alert.textContent()).toBe(`There is no user called “nobody-${run}”.`);
    await ctx.close();
  });

  test("a very long message is folded, with Show more and Show less", async () => {
    const ctx = await context(DESKTOP);
    const page = await openRoom(ctx);
    const body = page.getByTestId("message-body").filter({ hasText: "line 60 of" });
    await body.waitFor(WAIT);
    const more = page.getByRole("button", { name: "Show more" });
    await more.waitFor(WAIT);
    const folded = (await body.boundingBox())!.height;
    const lineHeight = await body.evaluate((el) => parseFloat(getComputedStyle(el).lineHeight));
    expect(folded).toBeLessThanOrEqual(lineHeight * 25 + 2);
    await more.click();
    const less = page.getByRole("button", { name: "Show less" });
    await less.waitFor(WAIT);
    expect((await body.boundingBox())!.height).toBeGreaterThan(lineHeight * 55);
    await less.click();
    await more.waitFor(WAIT);
    // A short message has no such button.
    expect(await page.getByRole("button", { name: /^Show (more|less)/ }).count()).toBe(1);
    await ctx.close();
  });

  test("narrowing the window keeps an open dialog visible and usable", async () => {
    const ctx = await context(DESKTOP);
    const page = await openRoom(ctx);
    await page.getByRole("button", { name: "New room" }).click();
    const dialog = page.getByRole("dialog", { name: "Create a room" });
    await dialog.waitFor(WAIT);
    await page.setViewportSize(PHONE);
    await dialog.waitFor({ state: "visible", ...WAIT });
    expect(await inViewport(page, "dialog.modal")).toBe(true);
    await page.getByLabel("Name").fill("still typing");
    await screenshot(page, "hardening-dialog-narrowed.png");
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "detached", ...WAIT });
    // The page is not left blocked, and the placeholder followed the new width.
    expect(await page.locator("#composer-input").evaluate(placeholderFits)).toBe(true);
    await page.locator("#composer-input").click();
    await page.locator("#composer-input").fill("typed after the dialog");
    await ctx.close();
  });

  test("phone room: rare actions in a labelled ⋯ menu, the over-limit reason shows", async () => {
    const ctx = await context(PHONE);
    const page = await openRoom(ctx);
    expect(await page.getByRole("button", { name: /^Leave/ }).count()).toBe(0);
    await page.getByRole("button", { name: "More actions" }).click();
    for (const label of ["Invite someone…", "Room details", "Leave room…"]) {
      await page.getByRole("menuitem", { name: label }).waitFor(WAIT);
    }
    await screenshot(page, "hardening-menu-phone.png");
    await page.keyboard.press("Escape");

    const box = page.locator("#composer-input");
    expect(await box.evaluate(placeholderFits)).toBe(true);
    await box.fill("x".repeat(4005));
    const reason = page.getByText("5 characters over the 4000 limit");
    await reason.waitFor({ state: "visible", ...WAIT });
    expect(await page.getByRole("button", { name: "Send message" }).isDisabled()).toBe(true);
    expect(await inViewport(page, ".composer__over")).toBe(true);
    await screenshot(page, "hardening-over-limit-phone.png");
    await ctx.close();
  });

  test("phone: the image lightbox fits the screen and its close button can be reached", async () => {
    const ctx = await context(PHONE);
    const page = await openRoom(ctx);
    await page.evaluate(async () => {
      const canvas = new OffscreenCanvas(1600, 900);
      const ctx2 = canvas.getContext("2d")!;
      ctx2.fillStyle = "#f28c38";
      ctx2.fillRect(0, 0, 1600, 900);
      const blob = await canvas.convertToBlob({ type: "image/png" });
      const data = new DataTransfer();
      data.items.add(new File([blob], "wide.png", { type: "image/png" }));
      const box = document.querySelector<HTMLTextAreaElement>("#composer-input")!;
      box.focus();
      box.dispatchEvent(new ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true }));
    });
    await page.locator('[data-testid="upload-item"][data-status="uploaded"]').waitFor(WAIT);
    await page.locator("#composer-input").press("Enter");
    const thumb = page.getByTestId("attachment-image").last();
    await thumb.waitFor(WAIT);
    // Sizes are named with binary prefixes.
    expect(await thumb.getAttribute("aria-label")).toMatch(/\(\d+(\.\d)? (KiB|B)\)$/);
    await thumb.click();
    const lightbox = page.getByTestId("lightbox");
    await lightbox.waitFor(WAIT);
    await expect.poll(() => page.getByTestId("lightbox-image").evaluate((el: HTMLImageElement) => el.naturalWidth), WAIT).toBe(1600);
    expect(await inViewport(page, ".lightbox__close")).toBe(true);
    expect(await page.getByTestId("lightbox-image").evaluate((el) => el.getBoundingClientRect().right <= innerWidth)).toBe(true);
    await screenshot(page, "hardening-lightbox-phone.png");
    await page.getByRole("button", { name: "Close image" }).click();
    await lightbox.waitFor({ state: "hidden", ...WAIT });
    await ctx.close();
  });

  test("the API docs page has a table of contents and renders Markdown, escaped", async () => {
    const ctx = await context(DESKTOP, false);
    const page = await ctx.newPage();
    await page.goto(`${baseUrl}/api/docs`);
    const links = page.locator("nav a[href^='#']");
    expect(await links.count()).toBeGreaterThan(10);
    const missing = await links.evaluateAll((as) =>
      as.map((a) => a.getAttribute("href")!.slice(1)).filter((id) => !document.getElementById(id)),
    );
    expect(missing).toEqual([]);
    // Code spans are <code>, not raw backticks; no script came from a description.
    expect(await page.locator("main").evaluate((el) => el.textContent!.includes("`"))).toBe(false);
    expect(await page.locator("main p code, main li code").count()).toBeGreaterThan(0);
    expect(await page.locator("script").count()).toBe(0);
    await screenshot(page, "hardening-docs.png");
    await ctx.close();
  });
});

/** Whether a textarea's placeholder fits on its one line, whole. */
function placeholderFits(el: HTMLTextAreaElement): boolean {
  const style = getComputedStyle(el);
  const canvas = document.createElement("canvas").getContext("2d")!;
  canvas.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
  return canvas.measureText(el.placeholder).width <= el.clientWidth;
}
