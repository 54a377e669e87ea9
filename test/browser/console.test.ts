/**
 * The protocol console (/console) through the real web client against a real Hearth: one room
 * opened over Hearth's socket, SignalR (@microsoft/signalr) and Connect (@connectrpc/connect-web)
 * at once; a message sent over each protocol in turn shows up in every column in the same seq
 * order. At desktop and phone width. Also checks that the chat page never fetches the
 * console's chunk (where the SignalR and Connect clients live) until /console is opened.
 */
import { mkdirSync } from "node:fs";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import { CHROMIUM, CHROMIUM_FLAGS, PASSWORD, RESULTS, WAIT, newIncidents, runTag, screenshot, watchPage } from "./support";

const baseUrl = inject("baseUrl");
const run = runTag();

let browser: Browser;

beforeAll(async () => {
  mkdirSync(RESULTS, { recursive: true });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
});

afterAll(async () => {
  await browser?.close();
});

async function signUp(page: Page, username: string): Promise<void> {
  await page.getByRole("button", { name: "Sign up" }).click();
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Create account" }).click();
  await page.getByTestId("current-user").filter({ hasText: username }).waitFor(WAIT);
}

async function createRoom(page: Page, name: string): Promise<void> {
  await page.getByRole("button", { name: "New room" }).click();
  await page.getByLabel("Name").fill(name);
  await page.getByRole("radio", { name: /Public/ }).check();
  await page.getByRole("button", { name: "Create room" }).click();
  await page.getByRole("heading", { name }).waitFor(WAIT);
  await page.locator(`[data-testid="connection-state"][data-state="online"]`).waitFor(WAIT);
}

/** The console's lazily loaded chunk: the only file that holds the SignalR and Connect clients. */
const CONSOLE_CHUNK = /\/assets\/ConsolePage-[^/]*\.js$/;

const SENDS = [
  { radio: "Hearth socket", body: "one over the Hearth socket" },
  { radio: "SignalR", body: "two over SignalR" },
  { radio: "Connect", body: "three over Connect" },
  { radio: "REST", body: "four over REST" },
];

const WIDTHS = [
  { name: "desktop", viewport: { width: 1280, height: 800 } },
  { name: "phone", viewport: { width: 390, height: 844 } },
];

describe("the protocol console", () => {
  for (const { name, viewport } of WIDTHS) {
    test(`${name}: one room over socket, SignalR and Connect, one ordered stream in every column`, async () => {
      const context = await browser.newContext({ viewport });
      const page = await context.newPage();
      const incidents = newIncidents();
      watchPage(page, name, incidents, baseUrl);
      const scripts: string[] = [];
      page.on("request", (request) => {
        if (request.resourceType() === "script") scripts.push(request.url());
      });
      const socketUrls: string[] = [];
      page.on("websocket", (ws) => socketUrls.push(ws.url()));

      const user = `con-${name}-${run}`;
      const room = `console-${name}-${run}`;
      await page.goto(baseUrl);
      await signUp(page, user);
      await createRoom(page, room);

      // The chat page has loaded everything it needs, and not the console's libraries.
      expect(scripts.length).toBeGreaterThan(0);
      expect(scripts.filter((url) => CONSOLE_CHUNK.test(new URL(url).pathname) || /signalr|connectrpc/i.test(url))).toEqual([]);
      expect(await page.evaluate(() => performance.getEntriesByType("resource").map((e) => e.name).filter((n) => /ConsolePage/.test(n)))).toEqual([]);

      // Into the console through the sidebar link (at phone width, back to the room list first).
      if (name === "phone") await page.getByRole("link", { name: "Back to rooms" }).click();
      await page.getByRole("link", { name: "Protocol console" }).click();
      await page.getByRole("heading", { name: "Protocol console", level: 1 }).waitFor(WAIT);
      expect(new URL(page.url()).pathname).toBe("/console");
      expect(scripts.some((url) => CONSOLE_CHUNK.test(new URL(url).pathname))).toBe(true);

      await page.getByRole("combobox", { name: "Room" }).selectOption({ label: `#${room}` });
      for (const protocol of ["socket", "signalr", "connect"]) {
        await page.locator(`[data-testid="console-column"][data-protocol="${protocol}"][data-state="connected"]`).waitFor(WAIT);
      }
      expect(await page.getByTestId("console-column").count()).toBe(3);
      await screenshot(page, `console-${name}-connected.png`);

      for (const [index, send] of SENDS.entries()) {
        await page.getByRole("radio", { name: send.radio, exact: true }).check();
        await page.getByLabel("Message", { exact: true }).fill(send.body);
        await page.getByRole("button", { name: "Send", exact: true }).click();
        await page.getByTestId("console-outcome").filter({ hasText: `Sent over ${send.radio}: stored as #${index + 1}.` }).waitFor(WAIT);
      }

      // Every column received all four, in the same seq order, each tagged with how it was sent.
      for (const protocol of ["socket", "signalr", "connect"]) {
        const column = page.locator(`[data-testid="console-column"][data-protocol="${protocol}"]`);
        await column.getByTestId("console-message").nth(SENDS.length - 1).waitFor(WAIT);
        const seqs = await column.getByTestId("console-message").evaluateAll((items) => items.map((li) => Number(li.getAttribute("data-seq"))));
        expect(seqs, protocol).toEqual([1, 2, 3, 4]);
        const lines = await column.getByTestId("console-message").allTextContents();
        for (const [i, send] of SENDS.entries()) {
          expect(lines[i], protocol).toContain(send.body);
          expect(lines[i], protocol).toContain(`via ${send.radio}`);
        }
      }
      await page.locator(`[data-testid="console-agreement"][data-agree="true"]`).filter({ hasText: "4 messages" }).waitFor(WAIT);
      expect(await page.getByRole("alert").count()).toBe(0);
      // No socket carries the session token in its URL (the hub socket opens with a one-use id).
      expect(socketUrls.some((u) => new URL(u).pathname === "/hubs/chat")).toBe(true);
      expect(socketUrls.filter((u) => /access_token|bearer|ey[A-Za-z0-9_-]{20,}\./i.test(u))).toEqual([]);
      expect(await page.getByTestId("console-note").count(), "the Connect stream is confirmed by now").toBe(0);

      // Keyboard focus is visible on the controls.
      await page.getByLabel("Message", { exact: true }).focus();
      const outline = await page.getByLabel("Message", { exact: true }).evaluate((el) => getComputedStyle(el).outlineStyle);
      expect(outline).not.toBe("none");

      await screenshot(page, `console-${name}.png`);
      if (name === "phone") {
        // The stacked columns scroll with the page: the bottom of it too.
        await page.getByTestId("console").evaluate((el) => el.scrollTo(0, el.scrollHeight));
        await screenshot(page, "console-phone-bottom.png");
      }
      expect(incidents.errors).toEqual([]);
      expect(incidents.dialogs).toEqual([]);
      expect(incidents.foreignRequests).toEqual([]);
      await context.close();
    });
  }
});
