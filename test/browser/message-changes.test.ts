/**
 * Messages that live (issue #16), through the real web client: two people in a room, one
 * reacts, the other edits with ↑, replies jump to an original that is no longer loaded, a
 * deletion is confirmed, and a socket that was down while messages changed catches up without
 * a reload. Screenshots at desktop and phone width show the toolbar, the long-press sheet,
 * chips, a reply quote, an edited message and a tombstone. The steps build on each other.
 */
import { copyFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import { rest } from "./rest";
import { CHROMIUM, CHROMIUM_FLAGS, PASSWORD, RESULTS, WAIT, newIncidents, runTag, screenshot, watchPage } from "./support";

const baseUrl = inject("baseUrl");
const run = runTag();
const alice = `ann-${run}`;
const bob = `ben-${run}`;
const roomName = `changes-${run}`;

let browser: Browser;
let tokenA = "";
let tokenB = "";
let roomId = "";
let contextB: BrowserContext;
let pageA: Page;
let pageB: Page;
const incidents = newIncidents();
let offline = false;

const composer = (page: Page) => page.getByRole("textbox", { name: `Message #${roomName}` });
const message = (page: Page, text: string | RegExp) =>
  page.getByTestId("message").filter({ has: page.getByTestId("message-body").filter({ hasText: text }) });
const chip = (item: Locator, emoji: string) => item.locator(`[data-testid="reaction"][data-emoji="${emoji}"]`);
const online = (page: Page) => page.locator('[data-testid="connection-state"][data-state="online"]').waitFor(WAIT);

/** Opens the room in a new page of `context`, signed in with `token`. */
async function openRoom(context: BrowserContext, token: string, who: string): Promise<Page> {
  await context.addInitScript((value) => localStorage.setItem("hearth.token", value), token);
  const page = await context.newPage();
  // While a step holds B offline, the browser logs the attempts it makes.
  watchPage(page, who, incidents, baseUrl, (text) => offline && text.includes("ERR_INTERNET_DISCONNECTED"));
  await page.goto(`${baseUrl}/rooms/${roomId}`);
  await online(page);
  return page;
}

/** Posts messages over REST as `token`'s user, waiting out the rate limit when refused. */
async function post(token: string, bodies: string[]): Promise<void> {
  for (const [index, body] of bodies.entries()) {
    for (;;) {
      const response = await fetch(`${baseUrl}/api/rooms/${roomId}/messages`, {
        method: "POST",
        headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
        body: JSON.stringify({ body, clientId: `seed-${run}-${body.length}-${index}-${Math.random().toString(36).slice(2)}` }),
      });
      if (response.status === 429) {
        await new Promise((r) => setTimeout(r, 250));
        continue;
      }
      expect(response.status, await response.clone().text()).toBeLessThan(300);
      break;
    }
  }
}

async function send(page: Page, text: string): Promise<void> {
  await composer(page).fill(text);
  await composer(page).press("Enter");
  await message(page, text).waitFor(WAIT);
}

/** Hovers a message and presses one of its toolbar buttons. */
/**
 * Clicks a button of the message's hover toolbar. The toolbar shows while the pointer is on
 * its message; if the list moved under the pointer meanwhile (a message arrived and the list
 * scrolled), the pointer is on another message: hover again and retry, as a person would.
 */
async function tool(item: Locator, label: string): Promise<void> {
  const button = item.getByTestId("message-toolbar").getByRole("button", { name: label, exact: true });
  const deadline = Date.now() + WAIT.timeout;
  for (;;) {
    await item.hover();
    try {
      return await button.click({ timeout: 2000 });
    } catch (err) {
      if (Date.now() > deadline) throw err;
    }
  }
}

async function react(page: Page, item: Locator, emoji: string): Promise<void> {
  await tool(item, "Add reaction");
  await page.getByTestId("reaction-popover").getByRole("button", { name: `React with ${emoji}` }).click();
}

/** A finger held on the element (phones): pointer events of type touch, no click. */
async function longPress(target: Locator): Promise<void> {
  const box = (await target.boundingBox())!;
  const at = { clientX: box.x + box.width / 2, clientY: box.y + 12, pointerType: "touch", isPrimary: true, pointerId: 7 };
  await target.dispatchEvent("pointerdown", at);
  await target.page().waitForTimeout(700);
  await target.dispatchEvent("pointerup", at);
}

beforeAll(async () => {
  mkdirSync(RESULTS, { recursive: true });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
  ({ token: tokenA } = await rest<{ token: string }>(baseUrl, "/api/auth/signup", null, { username: alice, password: PASSWORD }));
  ({ token: tokenB } = await rest<{ token: string }>(baseUrl, "/api/auth/signup", null, { username: bob, password: PASSWORD }));
  ({ id: roomId } = await rest<{ id: string }>(baseUrl, "/api/rooms", tokenA, { name: roomName, topic: "", visibility: "public" }));
  await rest(baseUrl, `/api/rooms/${roomId}/join`, tokenB, {});
  const contextA = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  contextB = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  // Test-only hook: B's sockets, to cut them and to read the URL a reconnect used.
  await contextB.addInitScript(() => {
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
  pageA = await openRoom(contextA, tokenA, "A");
  pageB = await openRoom(contextB, tokenB, "B");
});

afterAll(async () => {
  await browser?.close();
});

describe("messages that live: reactions, edits, replies, deletions", () => {
  test("B reacts to A's message: both see the chip, pressed only for B", async () => {
    await send(pageA, "the original plan");
    const onB = message(pageB, "the original plan");
    await onB.waitFor(WAIT);
    await react(pageB, onB, "👍");
    await expect.poll(() => chip(onB, "👍").getAttribute("aria-pressed"), WAIT).toBe("true");
    const onA = message(pageA, "the original plan");
    await expect.poll(() => chip(onA, "👍").textContent(), WAIT).toBe("👍1");
    expect(await chip(onA, "👍").getAttribute("aria-pressed")).toBe("false");
    expect(await chip(onA, "👍").getAttribute("title")).toBe(`${bob} reacted with 👍`);
    expect(await chip(onB, "👍").getAttribute("title")).toBe("You reacted with 👍");
  });

  test("A presses ↑ in the empty composer, edits the message, and B sees the new text and (edited)", async () => {
    await composer(pageA).click();
    await composer(pageA).press("ArrowUp");
    await pageA.getByTestId("compose-banner").filter({ hasText: "Editing" }).waitFor(WAIT);
    expect(await composer(pageA).inputValue()).toBe("the original plan");
    await composer(pageA).fill("the original plan, revised");
    await composer(pageA).press("Enter");
    const onB = message(pageB, "the original plan, revised");
    await onB.getByTestId("edited").waitFor(WAIT);
    expect(await onB.getByTestId("edited").getAttribute("title")).toMatch(/^Edited /);
    // The reaction stays, and A's composer is empty again.
    expect(await chip(onB, "👍").textContent()).toBe("👍1");
    expect(await composer(pageA).inputValue()).toBe("");
    await pageA.getByTestId("compose-banner").waitFor({ state: "detached", ...WAIT });
  });

  test("Escape cancels an edit and gives the draft back", async () => {
    await composer(pageA).fill("a draft I keep");
    await tool(message(pageA, "the original plan, revised"), "Edit message");
    await expect.poll(() => composer(pageA).inputValue(), WAIT).toBe("the original plan, revised");
    await composer(pageA).press("Escape");
    await expect.poll(() => composer(pageA).inputValue(), WAIT).toBe("a draft I keep");
    await composer(pageA).fill("");
  });

  test("B replies to it after a long conversation: the quote shows above the reply", async () => {
    await post(tokenA, Array.from({ length: 120 }, (_, i) => `filler ${i + 1}`));
    await message(pageB, /^filler 120$/).waitFor(WAIT);
    await tool(message(pageB, "the original plan, revised"), "Reply");
    const banner = pageB.getByTestId("compose-banner");
    await banner.filter({ hasText: `Replying to ${alice}` }).waitFor(WAIT);
    expect(await banner.getByTestId("reply-quote").textContent()).toContain("the original plan, revised");
    await send(pageB, "agreed, ship it");
    await banner.waitFor({ state: "detached", ...WAIT });
    for (const page of [pageA, pageB]) {
      const quote = message(page, "agreed, ship it").getByTestId("reply-quote");
      await quote.waitFor(WAIT);
      expect(await quote.textContent()).toContain(`${alice}the original plan, revised`);
    }
  });

  test("after a reload the original is not loaded: the quote loads the page around it and marks it", async () => {
    await pageB.reload();
    await online(pageB);
    const reply = message(pageB, "agreed, ship it");
    await reply.waitFor(WAIT);
    expect(await message(pageB, "the original plan, revised").count()).toBe(0);
    await reply.getByTestId("reply-quote").click();
    const original = message(pageB, "the original plan, revised");
    await original.waitFor(WAIT);
    await expect.poll(() => original.getAttribute("class"), WAIT).toContain("msg--highlight");
    expect(await original.isVisible()).toBe(true);
    expect(await original.evaluate((el) => el === document.activeElement)).toBe(true);
    // Older and newer messages around it are there to scroll through.
    await message(pageB, /^filler 1$/).waitFor(WAIT);
    await message(pageB, /^filler 10$/).waitFor(WAIT);
    const latest = pageB.getByRole("button", { name: "Jump to latest" });
    await latest.waitFor(WAIT);
    await screenshot(pageB, "changes-jump.png");
    await latest.click();
    await reply.waitFor(WAIT);
    await expect.poll(() => reply.isVisible(), WAIT).toBe(true);
    await latest.waitFor({ state: "detached", ...WAIT });
  });

  test("paging newer from a jump meets the latest messages again", async () => {
    await message(pageB, "agreed, ship it").getByTestId("reply-quote").click();
    await message(pageB, "the original plan, revised").waitFor(WAIT);
    const scroller = pageB.getByTestId("message-scroller");
    // Scroll down until the newer pages join the latest messages (the jump button goes).
    await expect
      .poll(async () => {
        await scroller.evaluate((el) => (el.scrollTop = el.scrollHeight));
        return pageB.getByRole("button", { name: "Jump to latest" }).count();
      }, { timeout: 20_000, interval: 300 })
      .toBe(0);
    await message(pageB, "agreed, ship it").waitFor(WAIT);
    await message(pageB, /^filler 60$/).waitFor(WAIT);
  });

  test("A deletes a message after confirming it; B sees the tombstone and the quote says so", async () => {
    const onA = message(pageA, "the original plan, revised");
    await tool(onA, "Delete message");
    const dialog = pageA.getByRole("dialog", { name: "Delete this message?" });
    await dialog.waitFor(WAIT);
    await dialog.getByRole("button", { name: "Cancel" }).click();
    await dialog.waitFor({ state: "detached", ...WAIT });
    const seq = await onA.getAttribute("data-seq");
    await tool(onA, "Delete message");
    await dialog.getByRole("button", { name: "Delete", exact: true }).click();
    for (const page of [pageA, pageB]) {
      const item = page.locator(`[data-testid="message"][data-seq="${seq}"]`);
      await item.getByTestId("tombstone").filter({ hasText: "message deleted" }).waitFor(WAIT);
      expect(await item.getByTestId("reaction").count()).toBe(0);
      const quote = message(page, "agreed, ship it").getByTestId("reply-quote");
      await expect.poll(() => quote.textContent(), WAIT).toContain("original message deleted");
    }
  });

  test("B's socket drops while A edits and reacts; B reconnects and shows both without a reload", async () => {
    await send(pageA, "before the outage");
    const onB = message(pageB, "before the outage");
    await onB.waitFor(WAIT);
    offline = true;
    await contextB.setOffline(true);
    await pageB.evaluate(() => {
      for (const socket of (window as unknown as { __sockets: WebSocket[] }).__sockets) socket.close();
    });
    await pageB.locator('[data-testid="connection-state"][data-state="reconnecting"]').waitFor(WAIT);

    const onA = message(pageA, "before the outage");
    await react(pageA, onA, "🎉");
    await chip(onA, "🎉").waitFor(WAIT);
    await tool(onA, "Edit message");
    await composer(pageA).fill("during the outage");
    await composer(pageA).press("Enter");
    await message(pageA, "during the outage").getByTestId("edited").waitFor(WAIT);
    expect(await message(pageB, "during the outage").count()).toBe(0);

    await contextB.setOffline(false);
    await online(pageB);
    offline = false;
    const changed = message(pageB, "during the outage");
    await changed.getByTestId("edited").waitFor(WAIT);
    await expect.poll(() => chip(changed, "🎉").textContent(), WAIT).toBe("🎉1");
    // It resumed from the newest change it had seen, not from every change since `since`.
    const url = await pageB.evaluate(() => {
      // The room's socket (the page also has its per-user channel, /api/me/ws).
      const sockets = (window as unknown as { __sockets: WebSocket[] }).__sockets.filter((s) => s.url.includes("/api/rooms/"));
      return sockets[sockets.length - 1]!.url;
    });
    expect(url).toMatch(/[?&]since=\d+/);
    expect(url).toMatch(/[?&]sinceChange=\d+/);
  });

  test("a reaction B made offline to a message deleted meanwhile is refused once B is back, and B is told why", async () => {
    await send(pageA, "short-lived");
    const onB = message(pageB, "short-lived");
    await onB.waitFor(WAIT);
    const seq = await onB.getAttribute("data-seq");
    offline = true;
    await contextB.setOffline(true);
    await pageB.evaluate(() => {
      for (const socket of (window as unknown as { __sockets: WebSocket[] }).__sockets) socket.close();
    });
    await pageB.locator('[data-testid="connection-state"][data-state="reconnecting"]').waitFor(WAIT);
    // Shown at once, sent when the socket is back.
    await react(pageB, onB, "😮");
    await expect.poll(() => chip(onB, "😮").getAttribute("aria-pressed"), WAIT).toBe("true");
    await tool(message(pageA, "short-lived"), "Delete message");
    await pageA.getByRole("dialog").getByRole("button", { name: "Delete", exact: true }).click();
    await contextB.setOffline(false);
    await online(pageB);
    offline = false;
    await pageB.locator(`[data-testid="message"][data-seq="${seq}"]`).getByTestId("tombstone").waitFor(WAIT);
    const notice = pageB.getByTestId("composer-notice");
    await notice.filter({ hasText: "That message is no longer in this room." }).waitFor(WAIT);
    await notice.getByRole("button", { name: "Dismiss this message" }).click();
    await notice.waitFor({ state: "detached", ...WAIT });
  });

  test("screenshots at desktop and phone width: toolbar, sheet, chips, a quote, (edited), a tombstone", async () => {
    // A short scene at the bottom of the room with one of each.
    await send(pageA, "lunch at noon?");
    await send(pageB, "the deploy is done");
    await send(pageA, "this one goes away");
    const lunch = message(pageB, "lunch at noon?");
    await react(pageB, lunch, "🎉");
    await react(pageA, message(pageA, "lunch at noon?"), "🎉");
    await react(pageA, message(pageA, "lunch at noon?"), "❤️");
    await tool(message(pageA, "this one goes away"), "Delete message");
    await pageA.getByRole("dialog").getByRole("button", { name: "Delete", exact: true }).click();
    await tool(message(pageB, "the deploy is done"), "Edit message");
    await composer(pageB).fill("the deploy is done (v2.4)");
    await composer(pageB).press("Enter");
    await tool(message(pageB, "lunch at noon?"), "Reply");
    await send(pageB, "yes, the usual place");
    await expect.poll(() => chip(message(pageB, "lunch at noon?"), "🎉").textContent(), WAIT).toBe("🎉2");
    await message(pageB, "the deploy is done (v2.4)").getByTestId("edited").waitFor(WAIT);
    await pageB.getByTestId("tombstone").last().waitFor(WAIT);
    // The talk goes on below it (on a phone the sheet will cover these, not the scene).
    for (const [token, body] of [[tokenA, "see you there"], [tokenB, "bring the slides"], [tokenA, "will do"], [tokenB, "great"], [tokenA, "🙂"]] as const) {
      await post(token, [body]);
    }
    await message(pageB, "🙂").waitFor(WAIT);

    // The full picker opens from the toolbar's chooser.
    await tool(message(pageB, "the deploy is done (v2.4)"), "Add reaction");
    await pageB.getByTestId("reaction-popover").getByRole("button", { name: "More emoji" }).click();
    await pageB.getByTestId("reaction-popover").locator("emoji-picker").waitFor(WAIT);
    await pageB.waitForTimeout(300);
    await screenshot(pageB, "changes-picker.png");
    await pageB.keyboard.press("Escape");
    await pageB.getByTestId("reaction-popover").waitFor({ state: "detached", ...WAIT });

    await message(pageB, "the deploy is done (v2.4)").hover();
    await pageB.waitForTimeout(200);
    const desktop = join(RESULTS, "changes-desktop.png");
    await pageB.screenshot({ path: desktop });
    copyFileSync(desktop, "/tmp/changes-desktop.png");

    // B on a phone: a touch screen without hover; a long press opens the sheet.
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    const pagePhone = await openRoom(phone, tokenB, "B phone");
    const onPhone = message(pagePhone, "lunch at noon?");
    await onPhone.waitFor(WAIT);
    // No hover on a touch screen: the toolbar stays hidden (transparent, not clickable).
    expect(await onPhone.getByTestId("message-toolbar").evaluate((el) => getComputedStyle(el).opacity)).toBe("0");
    await longPress(onPhone.getByTestId("message-body"));
    const sheet = pagePhone.getByTestId("message-sheet");
    await sheet.waitFor(WAIT);
    // Who reacted, by name, and the actions of someone else's message (no edit, no delete).
    expect(await sheet.getByRole("list", { name: "Who reacted" }).textContent()).toContain(`You and ${alice}`);
    expect(await sheet.getByRole("button", { name: "Reply" }).count()).toBe(1);
    expect(await sheet.getByRole("button", { name: "Edit message" }).count()).toBe(0);
    await pagePhone.waitForTimeout(200);
    const phoneShot = join(RESULTS, "changes-phone.png");
    await pagePhone.screenshot({ path: phoneShot });
    copyFileSync(phoneShot, "/tmp/changes-phone.png");
    // A quick reaction from the sheet toggles mine off.
    await sheet.getByRole("button", { name: "React with 🎉" }).click();
    await sheet.waitFor({ state: "detached", ...WAIT });
    await expect.poll(() => chip(onPhone, "🎉").textContent(), WAIT).toBe("🎉1");
    await phone.close();
  });

  test("nothing went wrong on the pages", () => {
    expect(incidents.errors).toEqual([]);
    expect(incidents.dialogs).toEqual([]);
    expect(incidents.foreignRequests).toEqual([]);
  });
});
