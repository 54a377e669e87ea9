/**
 * The whole app stays live through the per-user channel (issue #17, items 1, 2 and 5), through
 * the real web client against a real Hearth (`wrangler dev`, started by global-setup.ts): badges
 * that move without polling and clear on my other device, a DM call that rings in another room
 * and is accepted from there, presence that means the app (online, away, offline), and finding
 * my place in a room (the "New messages" line, the jump pills, the tab title's count).
 *
 * Bob has two devices: a laptop (1280×800) and a phone (390×844). The steps build on each other.
 */
import { mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import {
  CHROMIUM,
  FAKE_MEDIA_CHROMIUM_FLAGS,
  PASSWORD,
  RESULTS,
  WAIT,
  newIncidents,
  runTag,
  watchPage,
} from "./support";
import { rest } from "./rest";

const baseUrl = inject("baseUrl");
const run = runTag();
const alice = `alice-${run}`;
const bob = `bob-${run}`;
const AXE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };

let browser: Browser;
const contexts: BrowserContext[] = [];
const incidents = newIncidents();
const tokens = new Map<string, string>();
const room = { general: "", other: "", dm: "" };
let laptop: Page;
let phone: Page;
let alicePage: Page;

/** A signed-in page of `username` (the client keeps its token in localStorage) at `path`. */
async function openAs(username: string, path: string, viewport = DESKTOP): Promise<Page> {
  // bypassCSP: axe arrives as an inline script (addScriptTag), which the page's CSP forbids.
  const context = await browser.newContext({ viewport, bypassCSP: true });
  await context.grantPermissions(["camera", "microphone"], { origin: baseUrl });
  contexts.push(context);
  await context.addInitScript((t) => {
    if (!localStorage.getItem("hearth.token")) localStorage.setItem("hearth.token", t);
  }, tokens.get(username)!);
  const page = await context.newPage();
  watchPage(page, username, incidents, baseUrl);
  await page.goto(`${baseUrl}${path}`);
  await page.getByTestId("current-user").waitFor(WAIT);
  return page;
}

/** Posts messages as `username` over REST, waiting out the rate limit when refused. */
async function post(username: string, roomId: string, bodies: string[]): Promise<void> {
  for (const body of bodies) {
    for (;;) {
      const response = await fetch(`${baseUrl}/api/rooms/${roomId}/messages`, {
        method: "POST",
        headers: { Authorization: `Bearer ${tokens.get(username)}`, "Content-Type": "application/json" },
        body: JSON.stringify({ body, clientId: crypto.randomUUID() }),
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

const link = (page: Page, roomId: string) => page.locator(`a[data-testid="room-link"][href="/rooms/${roomId}"]`);
const unread = (page: Page, roomId: string) => link(page, roomId).getByTestId("unread-count");
const mentions = (page: Page, roomId: string) => link(page, roomId).getByTestId("mention-count");
const ringBanner = (page: Page) => page.getByRole("alertdialog", { name: new RegExp(`${alice} is calling`) });
const soundsPlayed = (page: Page) =>
  page.evaluate(() => (window as unknown as { __hearthSounds: { played(): string[] } }).__hearthSounds.played());
const online = (page: Page) => page.locator('[data-testid="connection-state"][data-state="online"]').waitFor(WAIT);
const memberStatus = (page: Page, name: string) =>
  page.getByTestId("members-panel").locator('[data-testid="member"]', { hasText: name }).getAttribute("data-status");
const dmStatus = (page: Page) => link(page, room.dm).locator(".dot").getAttribute("data-status");

/** No serious or critical accessibility problem (axe-core) on the page as it is now (see a11y.test.ts). */
async function expectAccessible(page: Page, name: string): Promise<void> {
  await page.addScriptTag({ content: AXE });
  const violations = (await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(): Promise<{ violations: unknown[] }> } }).axe;
    return (await axe.run()).violations;
  })) as { id: string; impact: string | null; nodes: { target: unknown[] }[] }[];
  const bad = violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  expect(bad.map((v) => `${v.impact} ${v.id}: ${v.nodes.map((n) => JSON.stringify(n.target)).join(" ")}`), name).toEqual([]);
}

/** The connection states of the page's RTCPeerConnections (the call code's debug handle). */
function pcStates(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const handle = (window as unknown as { __hearthCall?: { peerConnections(): RTCPeerConnection[] } }).__hearthCall;
    return handle ? handle.peerConnections().map((pc) => pc.connectionState) : [];
  });
}

/** Makes the page look hidden (or visible again) to the app, as switching tabs would. */
function setHidden(page: Page, hidden: boolean): Promise<void> {
  return page.evaluate((value) => {
    Object.defineProperty(document, "visibilityState", { configurable: true, get: () => (value ? "hidden" : "visible") });
    Object.defineProperty(document, "hidden", { configurable: true, get: () => value });
    document.dispatchEvent(new Event("visibilitychange"));
  }, hidden);
}

beforeAll(async () => {
  mkdirSync(RESULTS, { recursive: true });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: FAKE_MEDIA_CHROMIUM_FLAGS });
  for (const name of [alice, bob]) {
    const { token } = await rest<{ token: string }>(baseUrl, "/api/auth/signup", null, { username: name, password: PASSWORD });
    tokens.set(name, token);
  }
  const create = (name: string) =>
    rest<{ id: string }>(baseUrl, "/api/rooms", tokens.get(alice)!, { name, topic: "", visibility: "public" });
  room.general = (await create(`general-${run}`)).id;
  room.other = (await create(`other-${run}`)).id;
  for (const id of [room.general, room.other]) await rest(baseUrl, `/api/rooms/${id}/join`, tokens.get(bob)!, {});
  room.dm = (await rest<{ id: string }>(baseUrl, "/api/dms", tokens.get(alice)!, { username: bob })).id;
});

afterAll(async () => {
  for (const context of contexts) await context.close().catch(() => {});
  await browser?.close();
});

describe("the whole app is live", () => {
  test("badges move without polling: a mention reaches both of bob's devices, reading on one clears the other", async () => {
    laptop = await openAs(bob, `/rooms/${room.general}`);
    phone = await openAs(bob, "/", PHONE);
    await online(laptop);
    await link(laptop, room.other).waitFor(WAIT);
    const listAsked: string[] = [];
    laptop.on("request", (request) => {
      const url = new URL(request.url());
      if (request.method() === "GET" && url.pathname === "/api/rooms") listAsked.push(url.href);
    });
    const since = Date.now();

    await post(alice, room.other, [`hey @${bob}, the plan is in`]);
    for (const page of [laptop, phone]) {
      await unread(page, room.other).filter({ hasText: /^1 unread$/ }).waitFor(WAIT);
      await mentions(page, room.other).filter({ hasText: /^@1 mention$/ }).waitFor(WAIT);
    }
    await expect.poll(() => laptop.title(), WAIT).toBe("(1) Hearth");
    // A mention somewhere else chimes (sounds are on unless turned off).
    expect(await soundsPlayed(laptop)).toContain("chime");

    // Bob reads it on his phone: the laptop's badge goes too.
    await link(phone, room.other).click();
    await phone.getByTestId("message-body").filter({ hasText: "the plan is in" }).waitFor(WAIT);
    await unread(laptop, room.other).waitFor({ state: "detached", ...WAIT });
    await mentions(laptop, room.other).waitFor({ state: "detached", ...WAIT });
    await expect.poll(() => laptop.title(), WAIT).toBe("Hearth");

    // The old poll asked every 10 s: wait out more than one of its periods.
    await laptop.waitForTimeout(Math.max(0, 11_000 - (Date.now() - since)));
    expect(listAsked, "GET /api/rooms after the first load").toEqual([]);
  });

  test("bob sits in #general while alice calls him in their DM: it rings there and he accepts from there", async () => {
    await phone.getByRole("link", { name: "Back to rooms" }).click();
    // The phone is silenced: it still rings, without a sound.
    const toggle = phone.getByTestId("sound-toggle");
    await toggle.click();
    await expect.poll(() => toggle.getAttribute("aria-pressed")).toBe("false");
    // Something unread and a mention, to show beside the ring.
    await post(alice, room.other, [`@${bob} are you around?`, "calling you now"]);
    await unread(laptop, room.other).filter({ hasText: /^2 unread$/ }).waitFor(WAIT);

    alicePage = await openAs(alice, `/rooms/${room.dm}`);
    await online(alicePage);
    await alicePage.getByRole("button", { name: "Video call" }).click();
    await alicePage.getByTestId("call-view").waitFor(WAIT);

    for (const page of [laptop, phone]) {
      await ringBanner(page).waitFor(WAIT);
      await ringBanner(page).getByRole("button", { name: "Decline" }).waitFor(WAIT);
      // A call goes on in the DM: its row says so.
      await link(page, room.dm).getByTestId("call-badge").waitFor(WAIT);
    }
    expect(await ringBanner(laptop).textContent()).toContain("Direct message");
    expect(await soundsPlayed(laptop)).toContain("ring");
    expect(await soundsPlayed(phone)).not.toContain("ring");
    expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
    await laptop.screenshot({ path: "/tmp/live-desktop.png" });
    await phone.screenshot({ path: "/tmp/live-phone.png" });
    await expectAccessible(laptop, "ringing, desktop");
    await expectAccessible(phone, "ringing, phone");

    // Accepted on the laptop, from #general: the DM opens and the call is joined there.
    await ringBanner(laptop).getByRole("button", { name: "Accept" }).click();
    await laptop.waitForURL(`${baseUrl}/rooms/${room.dm}`, WAIT);
    await laptop.getByTestId("call-view").waitFor(WAIT);
    // Answered on one device: the phone stops ringing.
    await ringBanner(phone).waitFor({ state: "detached", ...WAIT });
    await ringBanner(laptop).waitFor({ state: "detached", ...WAIT });
    for (const page of [alicePage, laptop]) await expect.poll(() => pcStates(page), WAIT).toEqual(["connected"]);
    // The DM's header says alice is online.
    await laptop.getByTestId("dm-status").filter({ hasText: "online" }).waitFor(WAIT);

    await alicePage.getByRole("button", { name: "Hang up" }).click();
    await laptop.getByTestId("call-ended").waitFor(WAIT);
    await link(phone, room.dm).getByTestId("call-badge").waitFor({ state: "detached", ...WAIT });
    for (const page of [alicePage, laptop]) await page.getByTestId("call-ended").getByRole("button", { name: "Close" }).click();
  });

  test("alice shows online in #general while she is in a DM, away while her page is hidden, offline once closed", async () => {
    await link(laptop, room.general).click();
    await online(laptop);
    await laptop.getByTestId("members-panel").waitFor(WAIT);
    // Alice has no socket in #general: her channel puts her there.
    await expect.poll(() => memberStatus(laptop, alice), WAIT).toBe("online");
    await expect.poll(() => dmStatus(phone), WAIT).toBe("online");

    await setHidden(alicePage, true);
    await expect.poll(() => memberStatus(laptop, alice), WAIT).toBe("away");
    await expect.poll(() => dmStatus(phone), WAIT).toBe("away");
    expect(await link(phone, room.dm).textContent()).toContain("away");
    await laptop.getByTestId("presence-summary").filter({ hasText: "1 away" }).waitFor(WAIT);
    await laptop.screenshot({ path: `${RESULTS}/live-away.png` });
    await phone.screenshot({ path: `${RESULTS}/live-away-phone.png` });

    await setHidden(alicePage, false);
    await expect.poll(() => memberStatus(laptop, alice), WAIT).toBe("online");

    await alicePage.context().close();
    contexts.splice(contexts.indexOf(alicePage.context()), 1);
    await expect.poll(() => memberStatus(laptop, alice), WAIT).toBe("offline");
    await expect.poll(() => dmStatus(phone), WAIT).toBe("offline");
  });

  test("a New messages line above my first unread message, the jump pills, and the tab title's count", async () => {
    // Everything in "other" read so far; then 45 new messages, more than a screen.
    const { messages } = await rest<{ messages: { seq: number }[] }>(baseUrl, `/api/rooms/${room.other}/messages?limit=1`, tokens.get(bob)!);
    await rest(baseUrl, `/api/rooms/${room.other}/read`, tokens.get(bob)!, { seq: messages[0]!.seq });
    await unread(laptop, room.other).waitFor({ state: "detached", ...WAIT });
    await post(alice, room.other, Array.from({ length: 45 }, (_, i) => `news ${i + 1}`));
    await expect.poll(() => laptop.title(), WAIT).toBe("(45) Hearth");
    await unread(laptop, room.other).filter({ hasText: /^45 unread$/ }).waitFor(WAIT);

    await link(laptop, room.other).click();
    await laptop.getByTestId("message-body").filter({ hasText: /^news 45$/ }).waitFor(WAIT);
    const divider = laptop.getByTestId("unread-divider");
    await divider.waitFor({ state: "attached", ...WAIT });
    // The line sits right above the first new message.
    const next = await divider.evaluate((el) => el.nextElementSibling?.querySelector('[data-testid="message-body"]')?.textContent);
    expect(next).toBe("news 1");
    // It is above the screen (the view starts at the newest): a pill jumps up to it.
    const jumpUp = laptop.getByRole("button", { name: "Jump to first unread" });
    await jumpUp.waitFor(WAIT);
    await laptop.screenshot({ path: `${RESULTS}/live-jump-up.png` });
    await expectAccessible(laptop, "a room with a New messages line and a jump pill");
    await jumpUp.click();
    await expect
      .poll(() => divider.evaluate((el) => {
        const box = el.getBoundingClientRect();
        const view = el.closest('[data-testid="message-scroller"]')!.getBoundingClientRect();
        return box.top >= view.top && box.bottom <= view.bottom;
      }), WAIT)
      .toBe(true);
    await jumpUp.waitFor({ state: "detached", ...WAIT });
    await laptop.screenshot({ path: `${RESULTS}/live-divider.png` });
    // And back down.
    await laptop.getByRole("button", { name: "Jump to latest" }).click();
    await expect.poll(() => laptop.getByTestId("message-body").filter({ hasText: /^news 45$/ }).isVisible(), WAIT).toBe(true);
    // Reading the room clears the count in the title.
    await expect.poll(() => laptop.title(), WAIT).toBe("Hearth");
  });

  test("nothing went wrong on the way", () => {
    expect(incidents.errors).toEqual([]);
    expect(incidents.dialogs).toEqual([]);
    expect(incidents.foreignRequests).toEqual([]);
  });
});
