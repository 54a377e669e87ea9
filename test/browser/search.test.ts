/**
 * Search and the Mentions view (issue #18, items 1, 3 and 4) through the real web client:
 * alice opens search with Ctrl+K while another room is on screen, finds a word, pages with
 * "Load more", opens the hit that is in a room not on screen (the room opens at that message,
 * marked, without its older history loaded from the start) and comes back to her results as
 * she left them; filters narrow the search and a refused query shows the server's sentence; the
 * Mentions view lists a message that mentions her and opens it the same way. Screenshots at
 * desktop and phone width. The steps build on each other.
 *
 * A message is searchable once its room has copied it to D1 (a few seconds): the test polls
 * GET /api/search (and /api/mentions) until the server has it, then searches in the page.
 */
import { copyFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import type { SearchPage } from "../../worker/contract/rest";
import { rest } from "./rest";
import { CHROMIUM, CHROMIUM_FLAGS, PASSWORD, RESULTS, WAIT, newIncidents, runTag, watchPage } from "./support";

const baseUrl = inject("baseUrl");
const run = runTag();
const alice = `alice-${run}`;
const bob = `bob-${run}`;
const carol = `carol-${run}`;
const opsName = `ops-${run}`;
const lobbyName = `lobby-${run}`;
/** Messages in ops: the hit is one of the oldest, far from the newest page. */
const OPS_MESSAGES = 120;
const TARGET_SEQ = 40;
const TARGET = "Plan: the quokka migration starts on Monday";
/** Messages in the lobby that match too: more than one page of hits. */
const LOBBY_HITS = 25;
/** What alice's pages may log on purpose: the 400 of a refused query. */
const refused = (text: string) => /status of 400/.test(text);

let browser: Browser;
const tokens = new Map<string, string>();
let opsId = "";
let lobbyId = "";
let page: Page;
const incidents = newIncidents();

const token = (user: string) => tokens.get(user)!;
const hits = (p: Page) => p.getByTestId("search-hit");
const hitAt = (p: Page, roomId: string, seq: number) => p.locator(`[data-hit="${roomId}:${seq}"]`);
const messageAt = (p: Page, seq: number) => p.locator(`[data-testid="message"][data-seq="${seq}"]`);
const online = (p: Page) => p.locator('[data-testid="connection-state"][data-state="online"]').waitFor(WAIT);

/** Posts a message over REST as `user` (waiting out the rate limit); returns its seq. */
async function post(user: string, roomId: string, body: string): Promise<number> {
  const clientId = `s-${run}-${Math.random().toString(36).slice(2)}`;
  for (;;) {
    const response = await fetch(`${baseUrl}/api/rooms/${roomId}/messages`, {
      method: "POST",
      headers: { Authorization: `Bearer ${token(user)}`, "Content-Type": "application/json" },
      body: JSON.stringify({ body, clientId }),
    });
    if (response.status === 429) {
      await new Promise((ok) => setTimeout(ok, 250));
      continue;
    }
    const text = await response.text();
    expect(response.status, text).toBeLessThan(300);
    return (JSON.parse(text) as { seq: number }).seq;
  }
}

/** Polls GET `path` as alice until `done` holds for the page: the D1 copy has caught up. */
async function untilServerHas(path: string, done: (page: SearchPage) => boolean): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const page = await rest<SearchPage>(baseUrl, path, token(alice));
    if (done(page)) return;
    if (Date.now() > deadline) throw new Error(`${path} still answers ${JSON.stringify(page).slice(0, 300)}`);
    await new Promise((ok) => setTimeout(ok, 300));
  }
}

/** A new page of `context` signed in as alice, at `path`. */
async function openPage(context: BrowserContext, path: string): Promise<Page> {
  await context.addInitScript((value) => localStorage.setItem("hearth.token", value), token(alice));
  const p = await context.newPage();
  watchPage(p, "alice", incidents, baseUrl, refused);
  await p.goto(`${baseUrl}${path}`);
  return p;
}

async function shot(p: Page, name: string): Promise<void> {
  const file = join(RESULTS, name);
  await p.screenshot({ path: file });
  copyFileSync(file, join("/tmp", name));
}

/** Counts the requests `p` makes to GET /api/search from now on. */
function countSearches(p: Page): { count: number } {
  const seen = { count: 0 };
  p.on("request", (request) => {
    if (new URL(request.url()).pathname === "/api/search") seen.count++;
  });
  return seen;
}

beforeAll(async () => {
  mkdirSync(RESULTS, { recursive: true });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
  for (const user of [alice, bob, carol]) {
    const { token: value } = await rest<{ token: string }>(baseUrl, "/api/auth/signup", null, { username: user, password: PASSWORD });
    tokens.set(user, value);
  }
  ({ id: opsId } = await rest<{ id: string }>(baseUrl, "/api/rooms", token(bob), { name: opsName, topic: "", visibility: "public" }));
  ({ id: lobbyId } = await rest<{ id: string }>(baseUrl, "/api/rooms", token(carol), { name: lobbyName, topic: "", visibility: "public" }));
  for (const user of [alice, carol]) await rest(baseUrl, `/api/rooms/${opsId}/join`, token(user), {});
  await rest(baseUrl, `/api/rooms/${lobbyId}/join`, token(alice), {});

  // ops: 120 messages by bob and carol, the one alice will find (bob's) at seq 40.
  for (let seq = 1; seq <= OPS_MESSAGES; seq++) {
    const target = seq === TARGET_SEQ;
    expect(await post(target || seq % 2 ? bob : carol, opsId, target ? TARGET : `status update ${seq}: nothing to report`)).toBe(seq);
  }
  // Hits come newest first in the order rooms copy their messages to D1: ops's is copied before
  // the lobby's are sent, so it is the oldest hit.
  await untilServerHas("/api/search?q=quokka", (p) => p.hits.some((h) => h.roomId === opsId && h.seq === TARGET_SEQ));
  // The lobby, newer: more messages with the word, so the ops one is on the second page.
  for (let n = 1; n <= LOBBY_HITS; n++) await post(carol, lobbyId, `quokka sighting number ${n} near the lake`);
  await untilServerHas("/api/search?q=quokka&limit=50", (p) => p.hits.length === LOBBY_HITS + 1);

  page = await openPage(await browser.newContext({ viewport: { width: 1280, height: 800 } }), `/rooms/${lobbyId}`);
  await online(page);
});

afterAll(async () => {
  await browser?.close();
});

describe("search", () => {
  test("Ctrl+K opens search; the word is marked in each hit; 'Load more' brings the next page", async () => {
    // "/" typed in the composer is text, not the shortcut.
    const composer = page.getByRole("textbox", { name: `Message #${lobbyName}` });
    await composer.click();
    await page.keyboard.press("/");
    expect(await composer.inputValue()).toBe("/");
    expect(new URL(page.url()).pathname).toBe(`/rooms/${lobbyId}`);
    await composer.fill("");
    await page.keyboard.press("Control+k");
    const field = page.getByTestId("search-input");
    await expect.poll(() => field.evaluate((el) => el === document.activeElement), WAIT).toBe(true);
    await field.fill("Quokka");
    await field.press("Enter");
    await expect.poll(() => page.url(), WAIT).toContain("/search?q=Quokka");

    await expect.poll(() => hits(page).count(), WAIT).toBe(20);
    const first = hits(page).first();
    expect(await first.locator("mark").first().textContent()).toMatch(/^quokka$/i);
    expect(await first.textContent()).toContain(lobbyName);
    expect(await first.textContent()).toContain(carol);
    // Marks are elements built from the offsets: the snippet's text is the message's text.
    expect(await first.getByTestId("hit-snippet").textContent()).toMatch(/quokka sighting number \d+ near the lake/);

    await page.getByTestId("load-more").click();
    await expect.poll(() => hits(page).count(), WAIT).toBe(LOBBY_HITS + 1);
    await page.getByText("No more messages.").waitFor(WAIT);
    // Newest first: the ops message, the oldest, is last.
    const last = hits(page).last();
    expect(await last.getAttribute("data-hit")).toBe(`${opsId}:${TARGET_SEQ}`);
    expect(await last.textContent()).toContain(opsName);
    expect(await last.textContent()).toContain(bob);
    expect(await last.locator("mark").textContent()).toMatch(/^quokka$/i);
    await last.scrollIntoViewIfNeeded();
    await shot(page, "search-desktop.png");
  });

  test("opening a hit in a room not on screen opens that room at the message, marked, and back keeps the results", async () => {
    const results = page.getByTestId("hit-results");
    await hitAt(page, opsId, TARGET_SEQ).scrollIntoViewIfNeeded();
    const scrolledTo = await results.evaluate((el) => el.scrollTop);
    expect(scrolledTo).toBeGreaterThan(0);
    await hitAt(page, opsId, TARGET_SEQ).click();

    await page.getByRole("heading", { name: opsName }).waitFor(WAIT);
    expect(new URL(page.url()).search).toBe(`?at=${TARGET_SEQ}`);
    const target = messageAt(page, TARGET_SEQ);
    await target.and(page.locator(".msg--highlight")).waitFor(WAIT);
    expect(await target.textContent()).toContain(TARGET);
    await shot(page, "search-opened-desktop.png");
    // Scrolled to, in the middle of the pane.
    const scroller = page.getByTestId("message-scroller");
    const [box, pane] = [await target.boundingBox(), await scroller.boundingBox()];
    expect(box!.y).toBeGreaterThan(pane!.y);
    expect(box!.y + box!.height).toBeLessThan(pane!.y + pane!.height);
    // The page around it, not the history from the start, nor the newest page.
    expect(await messageAt(page, 1).count()).toBe(0);
    expect(await messageAt(page, OPS_MESSAGES).count()).toBe(0);
    expect(await page.getByText("This is the beginning of the room.").count()).toBe(0);
    await page.getByTestId("jump-latest").waitFor(WAIT);

    // Back to the results: as they were, scrolled where they were, without asking again.
    const searches = countSearches(page);
    await page.getByTestId("back-to-results").click();
    await expect.poll(() => hits(page).count(), WAIT).toBe(LOBBY_HITS + 1);
    expect(await page.getByTestId("search-input").inputValue()).toBe("Quokka");
    await expect.poll(() => results.evaluate((el) => el.scrollTop), WAIT).toBe(scrolledTo);
    expect(await hitAt(page, opsId, TARGET_SEQ).evaluate((el) => el === document.activeElement)).toBe(true);
    expect(searches.count).toBe(0);

    // The browser's Back too: into the room, and back to the results again.
    await hitAt(page, opsId, TARGET_SEQ).click();
    await messageAt(page, TARGET_SEQ).waitFor(WAIT);
    await page.goBack();
    await expect.poll(() => hits(page).count(), WAIT).toBe(LOBBY_HITS + 1);
    expect(searches.count).toBe(0);
  });

  test("filters narrow the search and map onto the URL; a refused query shows the server's sentence", async () => {
    await page.getByTestId("filter-room").selectOption(opsId);
    await expect.poll(() => hits(page).count(), WAIT).toBe(1);
    expect(new URL(page.url()).searchParams.get("room")).toBe(opsId);
    await page.getByTestId("filter-from").fill(carol);
    await page.getByTestId("filter-from").press("Enter");
    await page.getByText(/No messages match “Quokka” with these filters/).waitFor(WAIT);
    expect(await hits(page).count()).toBe(0);
    await page.getByRole("button", { name: "Clear filters" }).click();
    await expect.poll(() => hits(page).count(), WAIT).toBe(20);
    expect(new URL(page.url()).search).toBe("?q=Quokka");

    const field = page.getByTestId("search-input");
    await field.fill("q".repeat(201));
    await field.press("Enter");
    const error = page.getByTestId("search-error");
    await error.waitFor(WAIT);
    expect(await error.textContent()).toBe("The search must be at most 200 characters.");
    await field.fill("quokka");
    await field.press("Enter");
    await expect.poll(() => hits(page).count(), WAIT).toBe(20);
  });

  test("the Mentions view lists a message that mentions alice, and opens it like a hit", async () => {
    const seq = await post(bob, opsId, `@${alice} can you review the rollout checklist?`);
    await untilServerHas("/api/mentions", (p) => p.hits.some((h) => h.roomId === opsId && h.seq === seq));

    await page.getByTestId("mentions-link").click();
    const mention = hitAt(page, opsId, seq);
    await mention.waitFor(WAIT);
    expect(await hits(page).first().getAttribute("data-hit")).toBe(`${opsId}:${seq}`);
    expect(await mention.textContent()).toContain(`@${alice} can you review the rollout checklist?`);
    expect(await mention.textContent()).toContain(bob);
    await shot(page, "search-mentions-desktop.png");

    await mention.click();
    await messageAt(page, seq).and(page.locator(".msg--highlight")).waitFor(WAIT);
    await page.getByTestId("back-to-results").click();
    await hitAt(page, opsId, seq).waitFor(WAIT);
    expect(new URL(page.url()).pathname).toBe("/mentions");
  });

  test("at phone width the search panel and the mentions view take the screen", async () => {
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    const small = await openPage(phone, "/search?q=quokka");
    await expect.poll(() => hits(small).count(), WAIT).toBe(20);
    expect(await small.locator(".sidebar").isVisible()).toBe(false);
    await shot(small, "search-phone.png");
    await small.getByRole("button", { name: /Filters/ }).click();
    await small.getByTestId("filter-has").waitFor({ state: "visible", ...WAIT });
    await shot(small, "search-phone-filters.png");

    await small.goto(`${baseUrl}/search?q=quokka&room=${opsId}`);
    await hitAt(small, opsId, TARGET_SEQ).click();
    await messageAt(small, TARGET_SEQ).and(small.locator(".msg--highlight")).waitFor(WAIT);
    await shot(small, "search-phone-opened.png");
    await small.getByTestId("back-to-results").click();
    await hitAt(small, opsId, TARGET_SEQ).waitFor(WAIT);

    await small.goto(`${baseUrl}/mentions`);
    await hits(small).first().waitFor(WAIT);
    await shot(small, "search-phone-mentions.png");
    await phone.close();
  });

  test("nothing went wrong on the pages", () => {
    expect(incidents.errors).toEqual([]);
    expect(incidents.dialogs).toEqual([]);
    expect(incidents.foreignRequests).toEqual([]);
  });
});
