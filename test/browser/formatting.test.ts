/**
 * Message formatting (issue #16, item 8) in a real browser against a real Hearth: a message
 * with bold, links, a bare address, a code block and a `javascript:` link is sent from the
 * composer and shows as elements, with every link safe and the unsafe one left as text.
 * Screenshots at desktop and phone width go to test-results/formatting-*.png.
 */
import { mkdirSync } from "node:fs";
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import { rest } from "./rest";
import { CHROMIUM, CHROMIUM_FLAGS, PASSWORD, RESULTS, WAIT, newIncidents, runTag, screenshot, watchPage } from "./support";

const baseUrl = inject("baseUrl");
const run = runTag();
const me = `md-${run}`;
const roomName = `formatting-${run}`;
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };

const MESSAGE = [
  "**Bold move** and *style* ~~old plan~~ with `inline **code**`",
  "Read [the guide](https://example.com/guide) or https://example.org/path.",
  "Not a link: [x](javascript:alert(1)) nor <b>bold</b>",
  "```",
  "const answer = 42; // a long line of code that should scroll sideways on a phone instead of wrapping or widening the page",
  "```",
  "> quoted words",
  "",
  "1. first",
  "2. second",
  "   - nested, with a long address: https://example.net/a/long/path/that/does/not/fit/on/a/phone/screen?at=all",
].join("\n");
const LONG = "https://example.net/a/long/path/that/does/not/fit/on/a/phone/screen?at=all";

let browser: Browser;
let token = "";
let roomId = "";
const incidents = newIncidents();

async function openRoom(viewport: { width: number; height: number }): Promise<{ ctx: BrowserContext; page: Page }> {
  const ctx = await browser.newContext({ viewport });
  await ctx.addInitScript((value) => localStorage.setItem("hearth.token", value), token);
  const page = await ctx.newPage();
  watchPage(page, `${viewport.width}px`, incidents, baseUrl);
  await page.goto(`${baseUrl}/rooms/${roomId}`);
  await page.locator('[data-testid="connection-state"][data-state="online"]').waitFor(WAIT);
  return { ctx, page };
}

/** The message's body, once formatted (the parser arrives in a chunk of its own). */
async function formattedBody(page: Page): Promise<Locator> {
  const body = page.getByTestId("message-body").filter({ hasText: "Bold move" });
  await body.locator("strong").first().waitFor(WAIT);
  return body;
}

/** Every link in every message body: its address, rel, target and text. */
function messageLinks(page: Page) {
  return page.locator('[data-testid="message-body"] a').evaluateAll((anchors) =>
    anchors.map((a) => ({
      href: a.getAttribute("href"),
      rel: a.getAttribute("rel"),
      target: a.getAttribute("target"),
      text: a.textContent,
    })),
  );
}

beforeAll(async () => {
  mkdirSync(RESULTS, { recursive: true });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
  ({ token } = await rest<{ token: string }>(baseUrl, "/api/auth/signup", null, { username: me, password: PASSWORD }));
  ({ id: roomId } = await rest<{ id: string }>(baseUrl, "/api/rooms", token, { name: roomName, visibility: "public" }));
  await rest(baseUrl, `/api/rooms/${roomId}/messages`, token, { body: "plain words, no formatting", clientId: `md-${run}-0` });
});

afterAll(async () => {
  await browser?.close();
});

describe("message formatting", () => {
  test("a message sent from the composer shows bold, links, code and quotes, and no unsafe link", async () => {
    const { ctx, page } = await openRoom(DESKTOP);
    const composer = page.getByRole("textbox", { name: `Message #${roomName}` });
    await composer.fill(MESSAGE);
    await composer.press("Enter");
    const body = await formattedBody(page);

    expect(await body.locator("strong").first().textContent()).toBe("Bold move");
    expect(await body.locator("em").first().textContent()).toBe("style");
    expect(await body.locator("del").textContent()).toBe("old plan");
    // A code span formats nothing inside it.
    expect(await body.locator("p code").textContent()).toBe("inline **code**");
    expect(await body.locator("pre > code").textContent()).toContain("const answer = 42;");
    expect(await body.locator("blockquote").textContent()).toBe("quoted words");
    expect(await body.locator("ol > li > ul > li").textContent()).toBe(`nested, with a long address: ${LONG}`);
    // One newline is one line break.
    expect(await body.locator("p").first().locator("br").count()).toBe(2);

    const safe = { rel: "noopener noreferrer nofollow", target: "_blank" };
    expect(await messageLinks(page)).toEqual([
      { href: "https://example.com/guide", text: "the guide", ...safe },
      { href: "https://example.org/path", text: "https://example.org/path", ...safe },
      { href: LONG, text: LONG, ...safe },
    ]);
    // The javascript: link and the HTML are the characters typed.
    const text = await body.textContent();
    expect(text).toContain("Not a link: [x](javascript:alert(1)) nor <b>bold</b>");
    expect(await body.locator("b, script, img").count()).toBe(0);
    // Plain text is still plain.
    expect(await page.getByTestId("message-body").filter({ hasText: "plain words" }).innerHTML()).toBe(
      "plain words, no formatting",
    );
    await screenshot(page, "formatting-desktop.png");
    await ctx.close();
  });

  test("from history at phone width: the same elements, and the code block scrolls instead of widening the page", async () => {
    const { ctx, page } = await openRoom(PHONE);
    const body = await formattedBody(page);
    expect(await body.locator("pre > code").count()).toBe(1);
    expect((await messageLinks(page)).map((link) => link.href)).toEqual([
      "https://example.com/guide",
      "https://example.org/path",
      LONG,
    ]);
    const pre = body.locator("pre");
    const overflow = await pre.evaluate((el) => ({ scroll: el.scrollWidth, client: el.clientWidth }));
    expect(overflow.scroll).toBeGreaterThan(overflow.client);
    const scroller = page.getByTestId("message-scroller");
    expect(await scroller.evaluate((el) => el.scrollWidth <= el.clientWidth)).toBe(true);
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= innerWidth)).toBe(true);
    await screenshot(page, "formatting-phone.png");
    await ctx.close();
  });

  test("nothing ran: no dialog, no error, no request to another host", () => {
    expect(incidents.dialogs).toEqual([]);
    expect(incidents.errors).toEqual([]);
    expect(incidents.foreignRequests).toEqual([]);
  });
});
