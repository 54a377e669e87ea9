import { join } from "node:path";
import type { BrowserContext, CDPSession, Page } from "playwright-core";
import { ROOT } from "../support/wrangler";

/** Where the browser tests leave screenshots and logs (git-ignored). */
export const RESULTS = join(ROOT, "test-results");
export const PASSWORD = "correct horse battery";
/** The one administrator of the browser tests' Hearth (ADMIN_USERNAMES in global-setup.ts). */
export const ADMIN_USERNAME = "hearth-admin";
/** How long a test waits for what a user would see. */
export const WAIT = { timeout: 15_000 };

/** A suffix that keeps one run's usernames and room names apart from other runs'. */
export function runTag(): string {
  return `${Date.now().toString(36)}${Math.floor(Math.random() * 1296).toString(36)}`;
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(RESULTS, name) });
}

/** What every browser test launches Chromium with (see ../shared/PLATFORM.md). */
export const CHROMIUM = "/usr/bin/chromium";

/** Headless, sandbox off (root), and nothing that reaches out to Google's hosts. */
export const CHROMIUM_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** A fake camera and microphone that need no permission prompt. */
const FAKE_MEDIA_FLAGS = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"];

/** CHROMIUM_FLAGS with a fake camera and microphone that need no permission prompt. */
export const FAKE_MEDIA_CHROMIUM_FLAGS = [...CHROMIUM_FLAGS, ...FAKE_MEDIA_FLAGS];

/** What a page did that it should not: errors, dialogs (alert), requests to other origins. */
export interface Incidents {
  errors: string[];
  dialogs: string[];
  foreignRequests: string[];
}

export function newIncidents(): Incidents {
  return { errors: [], dialogs: [], foreignRequests: [] };
}

/**
 * Records a page's errors, dialogs (dismissed) and requests to anywhere but `origin` into
 * `incidents`. `expected(text)` may claim a console error the step caused on purpose.
 */
export function watchPage(
  page: Page,
  who: string,
  incidents: Incidents,
  origin: string,
  expected: (text: string) => boolean = () => false,
): void {
  const tag = who ? `${who} ` : "";
  page.on("pageerror", (error) => incidents.errors.push(`${tag}page: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() !== "error" || expected(message.text())) return;
    incidents.errors.push(`${tag}console: ${message.text()}`);
  });
  page.on("dialog", (dialog) => {
    incidents.dialogs.push(`${tag}${dialog.type()} ${dialog.message()}`);
    void dialog.dismiss();
  });
  page.on("request", (request) => {
    const url = request.url();
    if (!url.startsWith(origin) && !url.startsWith("data:") && !url.startsWith("blob:")) incidents.foreignRequests.push(`${tag}${url}`);
  });
}

/**
 * A DevTools session on `page` that records service worker errors as incidents and keeps
 * `registrations` (scope URL → registration id) current, for the push and offline tests.
 */
export async function watchServiceWorkers(context: BrowserContext, page: Page, incidents: Incidents, registrations: Map<string, string>): Promise<CDPSession> {
  const cdp = await context.newCDPSession(page);
  cdp.on("ServiceWorker.workerErrorReported", ({ errorMessage }) => {
    incidents.errors.push(`service worker: ${errorMessage.errorMessage} (${errorMessage.sourceURL}:${errorMessage.lineNumber})`);
  });
  cdp.on("ServiceWorker.workerRegistrationUpdated", ({ registrations: list }) => {
    for (const r of list) {
      if (r.isDeleted) registrations.delete(r.scopeURL);
      else registrations.set(r.scopeURL, r.registrationId);
    }
  });
  await cdp.send("ServiceWorker.enable");
  return cdp;
}
