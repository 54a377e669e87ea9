/**
 * Two people chat through the real web client, each in their own browser context, against a
 * real Hearth (`wrangler dev`, started by global-setup.ts). The steps run in order and build
 * on each other, like one session of two users.
 */
import { mkdirSync } from "node:fs";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
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
} from "./support";

const XSS = "<img src=x onerror=alert(1)>";

const baseUrl = inject("baseUrl");
const run = runTag();
const alice = `alice-${run}`;
const bob = `bob-${run}`;
const roomName = `lounge-${run}`;
const secretRoom = `secret-${run}`;
const archiveRoom = `archive-${run}`;
const composerLabel = `Message #${roomName}`;


let browser: Browser;
let contextA: BrowserContext;
let contextB: BrowserContext;
let pageA: Page;
let pageB: Page;
const incidents = newIncidents();
/** Set while a step blocks requests on purpose: the browser logs each blocked one. */
let blockingRequests = false;

async function openPage(context: BrowserContext, who: string): Promise<Page> {
  const page = await context.newPage();
  watchPage(page, who, incidents, baseUrl, (text) => blockingRequests && text.includes("net::ERR_FAILED"));
  await page.goto(baseUrl);
  return page;
}

async function signUp(page: Page, username: string): Promise<void> {
  await page.getByRole("button", { name: "Sign up" }).click();
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Create account" }).click();
  await page.getByTestId("current-user").filter({ hasText: username }).waitFor(WAIT);
}

const composer = (page: Page) => page.getByRole("textbox", { name: composerLabel });
const messageBody = (page: Page, text: string | RegExp) =>
  page.getByTestId("message-body").filter({ hasText: text });
const connection = (page: Page, state: string) =>
  page.locator(`[data-testid="connection-state"][data-state="${state}"]`);

async function typeAndSend(page: Page, text: string): Promise<void> {
  await composer(page).pressSequentially(text, { delay: 15 });
  await composer(page).press("Enter");
}

/** Posts messages over REST as the page's user, waiting out the rate limit when refused. */
async function seedMessages(page: Page, roomId: string, bodies: string[]): Promise<void> {
  const token = await page.evaluate(() => localStorage.getItem("hearth.token"));
  for (const [index, body] of bodies.entries()) {
    for (;;) {
      const response = await fetch(`${baseUrl}/api/rooms/${roomId}/messages`, {
        method: "POST",
        headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
        body: JSON.stringify({ body, clientId: `seed-${run}-${index}` }),
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

async function createRoom(page: Page, name: string, visibility: "Public" | "Private") {
  await page.getByRole("button", { name: "New room" }).click();
  await page.getByLabel("Name").fill(name);
  await page.getByRole("radio", { name: new RegExp(visibility) }).check();
  await page.getByRole("button", { name: "Create room" }).click();
  await page.getByRole("heading", { name }).waitFor(WAIT);
  await connection(page, "online").waitFor(WAIT);
}

beforeAll(async () => {
  mkdirSync(RESULTS, { recursive: true });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
  contextA = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  contextB = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  // Test-only hook: remember B's sockets so a step can cut the connection.
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
  pageA = await openPage(contextA, "A");
  pageB = await openPage(contextB, "B");
});

afterAll(async () => {
  await browser?.close();
});

describe("two people chatting in Hearth", () => {
  test("the page is served under a strict Content Security Policy", async () => {
    const response = await fetch(baseUrl);
    expect(response.headers.get("content-security-policy")).toContain("script-src 'self'");
    // Any violation (an inline script, a foreign request) shows up in the final check.
  });

  test("both sign up through the form", async () => {
    await pageA.getByRole("button", { name: "Log in" }).first().waitFor(WAIT);
    await screenshot(pageA, "login.png");
    await signUp(pageA, alice);
    await signUp(pageB, bob);
  });

  test("signing up with a taken username shows the server's message", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(baseUrl);
    await page.getByRole("button", { name: "Sign up" }).click();
    await page.getByLabel("Username").fill(alice);
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Create account" }).click();
    const alert = page.getByRole("alert");
    await alert.waitFor(WAIT);
    expect((await alert.textContent())?.trim()).not.toBe("");
    await context.close();
  });

  test("A creates a public room and is online in it", async () => {
    await pageA.getByRole("button", { name: "New room" }).click();
    await pageA.getByLabel("Name").fill(roomName);
    await pageA.getByLabel(/Topic/).fill("Where the fire is warm");
    await pageA.getByRole("radio", { name: /Public/ }).check();
    await pageA.getByRole("button", { name: "Create room" }).click();
    await pageA.getByRole("heading", { name: roomName }).waitFor(WAIT);
    await connection(pageA, "online").waitFor(WAIT);
    await pageA.getByRole("link", { name: roomName }).waitFor(WAIT);
  });

  test("B finds the room among the public rooms and joins it", async () => {
    await pageB.getByRole("button", { name: "Browse rooms" }).click();
    await pageB.getByRole("button", { name: `Join ${roomName}` }).click();
    await pageB.getByRole("heading", { name: roomName }).waitFor(WAIT);
    await connection(pageB, "online").waitFor(WAIT);
  });

  test("each sees the other online in the room", async () => {
    for (const page of [pageA, pageB]) {
      await page.getByTestId("presence-summary").filter({ hasText: "2 online" }).waitFor(WAIT);
    }
    const panel = pageA.getByTestId("members-panel");
    await panel.locator(`[data-testid="member"][data-online="true"]`, { hasText: bob }).waitFor(WAIT);
  });

  test("A's typing shows on B's screen, then A's message appears there live", async () => {
    await composer(pageA).pressSequentially("hello from A", { delay: 15 });
    await pageB.getByTestId("typing-indicator").filter({ hasText: `${alice} is typing…` }).waitFor(WAIT);
    await composer(pageA).press("Enter");
    await messageBody(pageB, "hello from A").waitFor(WAIT);
    await messageBody(pageA, "hello from A").waitFor(WAIT);
    // B's room socket speaks subprotocol version 2: compact message frames (docs/protocol.md).
    const protocols = await pageB.evaluate(() =>
      (window as unknown as { __sockets: WebSocket[] }).__sockets.filter((s) => s.url.includes("/api/rooms/")).map((s) => s.protocol),
    );
    expect(protocols).toContain("hearth.v2");
    // Sending clears the indicator.
    await pageB.getByTestId("typing-indicator").filter({ hasText: "typing" }).waitFor({
      state: "detached",
      ...WAIT,
    });
    expect(await composer(pageA).inputValue()).toBe("");
  });

  test("B's typing shows on A's screen, then B's reply appears there live", async () => {
    await composer(pageB).pressSequentially("hi A, B here", { delay: 15 });
    await pageA.getByTestId("typing-indicator").filter({ hasText: `${bob} is typing…` }).waitFor(WAIT);
    await composer(pageB).press("Enter");
    await messageBody(pageA, "hi A, B here").waitFor(WAIT);
    const author = pageA.locator(`[data-testid="message"][data-author="${bob}"]`).first();
    await author.waitFor(WAIT);
  });

  test("Shift+Enter makes a new line instead of sending", async () => {
    await composer(pageB).pressSequentially("line one");
    await composer(pageB).press("Shift+Enter");
    await composer(pageB).pressSequentially("line two");
    expect(await composer(pageB).inputValue()).toBe("line one\nline two");
    await composer(pageB).press("Enter");
    const body = messageBody(pageA, "line two");
    await body.waitFor(WAIT);
    expect(await body.innerText()).toBe("line one\nline two");
  });

  test("markup in a message is shown as literal text", async () => {
    await typeAndSend(pageA, XSS);
    for (const page of [pageA, pageB]) {
      const body = messageBody(page, XSS);
      await body.waitFor(WAIT);
      expect(await body.textContent()).toBe(XSS);
      expect(await page.locator('[data-testid="message-body"] img').count()).toBe(0);
    }
    expect(incidents.dialogs).toEqual([]);
  });

  test("the emoji picker (served by Hearth) inserts an emoji", async () => {
    await pageA.getByRole("button", { name: "Insert emoji" }).click();
    const picker = pageA.locator("emoji-picker");
    await picker.waitFor(WAIT);
    await picker.getByRole("combobox", { name: "Search" }).fill("grinning");
    const firstResult = picker.locator('#search-results [role="option"]').first();
    await firstResult.waitFor(WAIT);
    await firstResult.click();
    await expect.poll(() => composer(pageA).inputValue(), WAIT).toMatch(/\p{Extended_Pictographic}/u);
    const text = `${await composer(pageA).inputValue()} emoji time`;
    await composer(pageA).press("End");
    await composer(pageA).pressSequentially(" emoji time");
    await composer(pageA).press("Enter");
    await messageBody(pageB, text).waitFor(WAIT);
  });

  test("dialogs work from the keyboard alone", async () => {
    const newRoom = pageB.getByRole("button", { name: "New room" });
    await newRoom.focus();
    await pageB.keyboard.press("Enter");
    const name = pageB.getByLabel("Name");
    await name.waitFor(WAIT);
    expect(await name.evaluate((el) => el === document.activeElement)).toBe(true);
    await screenshot(pageB, "dialog-create-room.png");
    await pageB.keyboard.press("Escape");
    await name.waitFor({ state: "detached", ...WAIT });
    expect(await newRoom.evaluate((el) => el === document.activeElement)).toBe(true);
    await composer(pageB).focus();
  });

  test("screenshots of both sides, and of B on a phone", async () => {
    await screenshot(pageA, "chat-a.png");
    await screenshot(pageB, "chat-b.png");
    await pageB.setViewportSize({ width: 375, height: 740 });
    await composer(pageB).waitFor(WAIT);
    await screenshot(pageB, "chat-phone.png");
    await pageB.getByRole("link", { name: "Back to rooms" }).click();
    await pageB.getByRole("link", { name: roomName }).waitFor(WAIT);
    await screenshot(pageB, "rooms-phone.png");
    await pageB.getByRole("link", { name: roomName }).click();
    await composer(pageB).waitFor(WAIT);
    await pageB.setViewportSize({ width: 1280, height: 800 });
  });

  test("A reloads the page and still sees the history", async () => {
    await pageA.reload();
    await pageA.getByRole("heading", { name: roomName }).waitFor(WAIT);
    for (const text of ["hello from A", "hi A, B here", XSS, "line two"]) {
      await messageBody(pageA, text).waitFor(WAIT);
    }
    await connection(pageA, "online").waitFor(WAIT);
    // Still live after the reload.
    await typeAndSend(pageB, "welcome back");
    await messageBody(pageA, "welcome back").waitFor(WAIT);
  });

  test("a dropped connection comes back by itself, with what was missed and what was queued", async () => {
    // Keep B away: every socket B opens is closed at once (by Playwright, before it reaches
    // Hearth), and so is any ticket request, until lifted.
    blockingRequests = true;
    let away = true;
    await pageB.routeWebSocket(/\/api\/rooms\/[^/]+\/ws/, (ws) => {
      if (away) ws.close({ code: 4000, reason: "test: offline" });
      else ws.connectToServer();
    });
    await pageB.route("**/api/rooms/*/ticket", (route) => (away ? route.abort() : route.continue()));
    await pageB.evaluate(() => {
      const sockets = (window as unknown as { __sockets: WebSocket[] }).__sockets;
      for (const socket of sockets) socket.close();
    });
    await connection(pageB, "reconnecting").waitFor(WAIT);
    await screenshot(pageB, "reconnecting.png");

    await typeAndSend(pageA, "sent while B was away");
    await typeAndSend(pageB, "queued while offline");
    await pageB.getByTestId("pending-message").filter({ hasText: "queued while offline" }).waitFor(WAIT);
    // B looks elsewhere and comes back while still away: the queued message waits for them.
    await pageB.getByRole("link", { name: "Hearth" }).click();
    await composer(pageB).waitFor({ state: "detached", ...WAIT });
    await pageB.getByRole("link", { name: roomName }).click();
    await pageB.getByTestId("pending-message").filter({ hasText: "queued while offline" }).waitFor(WAIT);

    away = false;
    await connection(pageB, "online").waitFor({ timeout: 30_000 });
    blockingRequests = false;
    await messageBody(pageB, "sent while B was away").waitFor(WAIT);
    await messageBody(pageA, "queued while offline").waitFor(WAIT);
    await pageB.getByTestId("pending-message").waitFor({ state: "detached", ...WAIT });
    // Stored once, shown once.
    await pageA.waitForTimeout(500);
    expect(await messageBody(pageA, "queued while offline").count()).toBe(1);
    expect(await messageBody(pageB, "queued while offline").count()).toBe(1);
  });

  test("a private room by invitation, a direct message, and unread counts", async () => {
    await createRoom(pageA, secretRoom, "Private");
    await pageA.getByRole("button", { name: /Invite/ }).click();
    await pageA.getByLabel("Username").fill(bob);
    await pageA.getByRole("button", { name: "Invite", exact: true }).click();
    await pageA.getByRole("status").filter({ hasText: `${bob} was added` }).waitFor(WAIT);
    await pageA.getByRole("button", { name: "Done" }).click();

    await pageB.getByRole("button", { name: "Direct message" }).click();
    await pageB.getByLabel("Username").fill(alice);
    await pageB.getByRole("button", { name: "Start conversation" }).click();
    await pageB.getByRole("heading", { name: alice }).waitFor(WAIT);
    await connection(pageB, "online").waitFor(WAIT);
    await pageB.getByRole("textbox", { name: `Message @${alice}` }).fill("psst, a secret");
    await pageB.getByRole("textbox", { name: `Message @${alice}` }).press("Enter");
    await messageBody(pageB, "psst, a secret").waitFor(WAIT);

    // The per-user channel brings the DM and its unread count to A, the private room to B.
    const dmLink = pageA.getByRole("link", { name: new RegExp(bob) });
    await dmLink.getByTestId("unread-count").filter({ hasText: "1" }).waitFor(WAIT);
    await pageB.getByRole("link", { name: secretRoom }).waitFor(WAIT);
    await screenshot(pageA, "unread-a.png");

    await dmLink.click();
    await messageBody(pageA, "psst, a secret").waitFor(WAIT);
    await dmLink.getByTestId("unread-count").waitFor({ state: "detached", ...WAIT });

    await pageB.getByRole("link", { name: secretRoom }).click();
    await connection(pageB, "online").waitFor(WAIT);
  });

  test("B leaves the private room and it leaves B's list", async () => {
    await pageB.getByRole("button", { name: "More actions" }).click();
    await pageB.getByRole("menuitem", { name: /^Leave/ }).click();
    await pageB.getByRole("button", { name: "Leave room" }).click();
    await pageB.getByRole("link", { name: secretRoom }).waitFor({ state: "detached", ...WAIT });
    await pageB.getByRole("heading", { name: "Welcome to Hearth" }).waitFor(WAIT);
  });

  test("scrolling to the top loads older messages", async () => {
    await createRoom(pageA, archiveRoom, "Public");
    const roomId = new URL(pageA.url()).pathname.split("/").pop()!;
    const bodies = Array.from({ length: 70 }, (_, i) => `archived message ${i + 1}`);
    await seedMessages(pageA, roomId, bodies);
    await pageA.reload();
    await messageBody(pageA, "archived message 70").waitFor(WAIT);
    // The newest page (50) is shown; the first 20 wait on the server.
    expect(await messageBody(pageA, /^archived message 1$/).count()).toBe(0);
    const scroller = pageA.getByTestId("message-scroller");
    await scroller.evaluate((el) => el.scrollTo({ top: 0 }));
    await pageA.getByText("This is the beginning of the room.").waitFor(WAIT);
    await messageBody(pageA, /^archived message 1$/).waitFor(WAIT);
    const count = await pageA.getByTestId("message-body").count();
    expect(count).toBe(70);
    // The view stays where the reader was instead of jumping to the very top.
    expect(await scroller.evaluate((el) => el.scrollTop)).toBeGreaterThan(0);
  });

  test("nothing went wrong along the way", () => {
    expect(incidents.errors).toEqual([]);
    expect(incidents.dialogs).toEqual([]);
    expect(incidents.foreignRequests).toEqual([]);
  });
});
