/**
 * An accessibility scan (axe-core, injected into the page) of every screen a new user meets,
 * at desktop (1280×800) and phone (390×844) widths: signing in and up, a room with messages
 * (formatted, reacted to, edited, deleted, replied to), a message's actions and reaction
 * chooser, a dialog open, the direct-message list. No violation of impact serious or critical may
 * remain. The counts by impact of every scan go to test-results/axe-summary.json.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import { CHROMIUM, CHROMIUM_FLAGS, PASSWORD, RESULTS, WAIT, runTag, screenshot } from "./support";
import { rest } from "./rest";

const baseUrl = inject("baseUrl");
const run = runTag();
const me = `axe-${run}`;
const friend = `axefriend-${run}`;
const roomName = `axe-room-${run}`;
const AXE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

const SIZES = { desktop: { width: 1280, height: 800 }, phone: { width: 390, height: 844 } } as const;
type Size = keyof typeof SIZES;

interface Violation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[]; failureSummary?: string }[];
}

let browser: Browser;
let token = "";
let roomId = "";
const summary: Record<string, Record<string, number>> = {};

/** Runs axe on the page as it is; records the counts; fails on serious or critical. */
async function scan(page: Page, name: string): Promise<void> {
  await page.addScriptTag({ content: AXE });
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(): Promise<{ violations: unknown[] }> } }).axe;
    return (await axe.run()).violations;
  }) as Violation[];
  const counts: Record<string, number> = {};
  for (const v of violations) counts[v.impact ?? "none"] = (counts[v.impact ?? "none"] ?? 0) + v.nodes.length;
  summary[name] = counts;
  await screenshot(page, `axe-${name}.png`);
  const bad = violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  const report = bad
    .map((v) => `${v.impact} ${v.id}: ${v.help}\n${v.nodes.map((n) => `  ${JSON.stringify(n.target)} ${n.failureSummary ?? ""}`).join("\n")}`)
    .join("\n");
  // Soft: the other screens of the step are still scanned and counted.
  expect.soft(bad, `${name}:\n${report}`).toEqual([]);
}

async function newPage(size: Size, signedIn: boolean): Promise<Page> {
  // bypassCSP: the page forbids inline scripts, and axe arrives as one (addScriptTag).
  const context = await browser.newContext({ viewport: SIZES[size], bypassCSP: true });
  if (signedIn) await context.addInitScript((value) => localStorage.setItem("hearth.token", value), token);
  return context.newPage();
}

beforeAll(async () => {
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
  ({ token } = await rest<{ token: string }>(baseUrl, "/api/auth/signup", null, { username: me, password: PASSWORD }));
  const { token: friendToken } = await rest<{ token: string }>(baseUrl, "/api/auth/signup", null, { username: friend, password: PASSWORD });
  ({ id: roomId } = await rest<{ id: string }>(baseUrl, "/api/rooms", token, {
    name: roomName,
    topic: "Checked by axe at two widths",
    visibility: "public",
  }));
  const formatted = [
    "a **second** one with `code`, a [link](https://example.com/docs) and https://example.org",
    "> a quote",
    "```",
    `const wide = "${"a code line wider than a phone ".repeat(4)}";`,
    "```",
  ].join("\n");
  const seqs: number[] = [];
  for (const [i, body] of ["first message", formatted, "soon gone", "and a third"].entries()) {
    const replyTo = i === 3 ? { replyTo: seqs[0] } : {};
    seqs.push((await rest<{ seq: number }>(baseUrl, `/api/rooms/${roomId}/messages`, token, { body, clientId: `axe-${run}-${i}`, ...replyTo })).seq);
  }
  // What messages that live show: a reaction chip, "(edited)", a tombstone, and the reply's quote (above).
  const change = (method: string, path: string, body?: unknown) =>
    fetch(`${baseUrl}/api/rooms/${roomId}/messages/${path}`, {
      method,
      headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    }).then((response) => expect(response.status, `${method} ${path}`).toBe(200));
  await change("PUT", `${seqs[0]}/reactions/${encodeURIComponent("👍")}`);
  await change("PATCH", `${seqs[0]}`, { body: "first message, edited" });
  await change("DELETE", `${seqs[2]}`);
  // A read receipt: the friend's avatar under the message they have read up to.
  await rest(baseUrl, `/api/rooms/${roomId}/join`, friendToken, {});
  await rest(baseUrl, `/api/rooms/${roomId}/read`, friendToken, { seq: seqs[1] });
  await rest(baseUrl, "/api/dms", token, { username: friend });
});

afterAll(async () => {
  writeFileSync(join(RESULTS, "axe-summary.json"), `${JSON.stringify(summary, null, 2)}\n`);
  await browser?.close();
});

describe.each(Object.keys(SIZES) as Size[])("no serious accessibility problems at %s width", (size) => {
  test("sign-in and sign-up", async () => {
    const page = await newPage(size, false);
    await page.goto(baseUrl);
    await page.getByRole("button", { name: "Log in" }).first().waitFor(WAIT);
    await scan(page, `${size}-sign-in`);
    await page.getByRole("button", { name: "Sign up" }).click();
    await page.getByRole("button", { name: "Create account" }).click();
    await page.getByRole("alert").waitFor(WAIT);
    await scan(page, `${size}-sign-up`);
    await page.context().close();
  });

  test("a room with messages, then a dialog over it", async () => {
    const page = await newPage(size, true);
    await page.goto(`${baseUrl}/rooms/${roomId}`);
    await page.getByTestId("message-body").filter({ hasText: "and a third" }).waitFor(WAIT);
    await page.locator('[data-testid="message-body"] pre').waitFor(WAIT); // formatted (the parser is lazy)
    await page.locator('[data-testid="connection-state"][data-state="online"]').waitFor(WAIT);
    await page.getByText("This is the beginning of the room.").waitFor(WAIT);
    await page.getByTestId("tombstone").waitFor(WAIT);
    await page.getByTestId("read-receipt").waitFor(WAIT);
    await scan(page, `${size}-room`);
    // The keyboard in a message shows its toolbar; its reaction chooser opens from there.
    await page.getByTestId("message").first().focus();
    await page.keyboard.press("End"); // to the newest message, by the list's own keys
    await page.keyboard.press("Tab");
    await page.keyboard.press("Enter");
    await page.getByTestId("reaction-popover").waitFor(WAIT);
    await scan(page, `${size}-message-actions`);
    await page.keyboard.press("Escape");
    const more = page.getByRole("button", { name: "More actions" });
    if ((await more.count()) > 0) {
      await more.click();
      await page.getByRole("menuitem", { name: /^Leave/ }).click();
    } else {
      await page.getByRole("button", { name: /^Leave/ }).click(); // the header before the "⋯" menu
    }
    await page.getByRole("dialog").waitFor(WAIT);
    await scan(page, `${size}-dialog`);
    await page.context().close();
  });

  test("the room and direct-message list", async () => {
    const page = await newPage(size, true);
    await page.goto(baseUrl);
    await page.getByRole("link", { name: new RegExp(friend) }).waitFor(WAIT);
    await scan(page, `${size}-dm-list`);
    await page.context().close();
  });

  test("search with its filters and results, and the mentions view", async () => {
    const page = await newPage(size, true);
    // Hits once the room's copy reached D1, "No messages match" before: either is a whole screen.
    await page.goto(`${baseUrl}/search?q=message`);
    await page.locator('[data-testid="search-hit"], .results__status:has-text("No messages")').first().waitFor(WAIT);
    if (size === "phone") await page.getByRole("button", { name: /^Filters/ }).click();
    await scan(page, `${size}-search`);
    await page.getByTestId("mentions-link").evaluate((link: HTMLElement) => link.click());
    await page.locator(".results__status:not(:empty)").waitFor(WAIT);
    await scan(page, `${size}-mentions`);
    await page.context().close();
  });
});
