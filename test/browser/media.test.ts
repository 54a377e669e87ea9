/**
 * Media messages through the real web client: A sends an image (pasted), a file (picked) and
 * a voice note (recorded from Chromium's fake microphone); B sees the thumbnail, opens it full
 * size, plays the voice note and downloads the file byte for byte. Refusals show in words.
 * Runs against the Hearth that global-setup.ts starts (`wrangler dev`).
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync } from "node:fs";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import {
  CHROMIUM,
  FAKE_MEDIA_CHROMIUM_FLAGS as CHROMIUM_FLAGS,
  PASSWORD,
  RESULTS,
  WAIT,
  newIncidents,
  runTag,
  screenshot,
  watchPage,
} from "./support";

const baseUrl = inject("baseUrl");
const run = runTag();
const alice = `mia-${run}`;
const bob = `ben-${run}`;
const roomName = `gallery-${run}`;
const CAPTION = "<b>sunset</b> & friends";
const FILE_NAME = `notes-${run}.bin`;
const FILE_BYTES = randomBytes(200 * 1024);
const IMAGE = { width: 640, height: 400 };


let browser: Browser;
let contextA: BrowserContext;
let contextB: BrowserContext;
let pageA: Page;
let pageB: Page;
let roomId: string;
const incidents = newIncidents();
/** Console errors a step provokes on purpose (the refused upload's 415). */
const expectedErrors: RegExp[] = [];
/** GET /api/rooms/:id/attachments/:uploadId made by B, per upload id. */
const urlRequestsB = new Map<string, number>();

async function rest<T>(path: string, token: string | null, body?: unknown): Promise<T> {
  const response = await fetch(`${baseUrl}${path}`, {
    method: body === undefined ? "GET" : "POST",
    headers: {
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
      ...(body === undefined ? {} : { "Content-Type": "application/json" }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  expect(response.status, `${path}: ${text}`).toBeLessThan(300);
  return (text ? JSON.parse(text) : undefined) as T;
}

/** A signed-up user's browser context: the session token is in localStorage before any script runs. */
async function userContext(username: string): Promise<{ context: BrowserContext; token: string }> {
  const { token } = await rest<{ token: string }>("/api/auth/signup", null, {
    username,
    password: PASSWORD,
  });
  const context = await browser.newContext({
    viewport: { width: 1280, height: 800 },
    acceptDownloads: true,
  });
  await context.grantPermissions(["microphone"], { origin: baseUrl });
  await context.addInitScript((value) => {
    localStorage.setItem("hearth.token", value);
    // Content-Security-Policy violations, counted for the final check.
    const violations: string[] = [];
    (window as unknown as { __csp: string[] }).__csp = violations;
    document.addEventListener("securitypolicyviolation", (event) => {
      violations.push(`${event.violatedDirective} ${event.blockedURI}`);
    });
  }, token);
  return { context, token };
}

async function openPage(context: BrowserContext, who: string): Promise<Page> {
  const page = await context.newPage();
  watchPage(page, who, incidents, baseUrl, (text) => {
    const expected = expectedErrors.findIndex((pattern) => pattern.test(text));
    if (expected >= 0) expectedErrors.splice(expected, 1);
    return expected >= 0;
  });
  return page;
}

const composerLabel = `Message #${roomName}`;
const composer = (page: Page) => page.getByRole("textbox", { name: composerLabel });
const connection = (page: Page, state: string) =>
  page.locator(`[data-testid="connection-state"][data-state="${state}"]`);
const mediaMessage = (page: Page, kind: string) =>
  page.locator(`[data-testid="message"][data-kind="${kind}"]`);

beforeAll(async () => {
  mkdirSync(RESULTS, { recursive: true });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
  const a = await userContext(alice);
  const b = await userContext(bob);
  contextA = a.context;
  contextB = b.context;
  const room = await rest<{ id: string }>("/api/rooms", a.token, {
    name: roomName,
    topic: "Pictures, files and voice notes",
    visibility: "public",
  });
  roomId = room.id;
  await rest(`/api/rooms/${roomId}/join`, b.token, {});

  pageA = await openPage(contextA, "A");
  pageB = await openPage(contextB, "B");
  // B's clock is Playwright's: a later step moves it forward to expire signed URLs.
  await pageB.clock.install();
  pageB.on("request", (request) => {
    const match = /\/api\/rooms\/[^/]+\/attachments\/([^/?]+)/.exec(request.url());
    if (match) urlRequestsB.set(match[1]!, (urlRequestsB.get(match[1]!) ?? 0) + 1);
  });
  for (const page of [pageA, pageB]) {
    await page.goto(`${baseUrl}/rooms/${roomId}`);
    await connection(page, "online").waitFor(WAIT);
  }
});

afterAll(async () => {
  await browser?.close();
});

describe("images, files and voice notes", () => {
  test("the attach and record controls are labelled and reachable by keyboard", async () => {
    await composer(pageA).focus();
    await pageA.keyboard.press("Shift+Tab");
    expect(await pageA.evaluate(() => document.activeElement?.getAttribute("aria-label"))).toBe(
      "Attach files",
    );
    await pageA.getByRole("button", { name: "Record a voice note" }).waitFor(WAIT);
  });

  test("a pasted image uploads, then goes out with the typed caption", async () => {
    await pageA.evaluate(
      async ({ width, height }) => {
        const canvas = new OffscreenCanvas(width, height);
        const ctx = canvas.getContext("2d")!;
        const sky = ctx.createLinearGradient(0, 0, 0, height);
        sky.addColorStop(0, "#2b2d6e");
        sky.addColorStop(0.6, "#f28c38");
        sky.addColorStop(1, "#ffd27a");
        ctx.fillStyle = sky;
        ctx.fillRect(0, 0, width, height);
        ctx.fillStyle = "#fff3c4";
        ctx.beginPath();
        ctx.arc(width / 2, height * 0.62, height / 6, 0, Math.PI * 2);
        ctx.fill();
        ctx.fillStyle = "#1d1f2b";
        ctx.fillRect(0, height * 0.72, width, height * 0.28);
        const blob = await canvas.convertToBlob({ type: "image/png" });
        const data = new DataTransfer();
        data.items.add(new File([blob], "sunset.png", { type: "image/png" }));
        const box = document.querySelector<HTMLTextAreaElement>("#composer-input")!;
        box.focus();
        box.dispatchEvent(
          new ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true }),
        );
      },
      IMAGE,
    );
    const item = pageA.locator('[data-testid="upload-item"][data-name="sunset.png"]');
    await item.waitFor(WAIT);
    // Staged until sent: uploaded, but no message yet.
    await pageA
      .locator('[data-testid="upload-item"][data-name="sunset.png"][data-status="uploaded"]')
      .waitFor(WAIT);
    expect(await mediaMessage(pageB, "image").count()).toBe(0);
    await composer(pageA).fill(CAPTION);
    await composer(pageA).press("Enter");
    await item.waitFor({ state: "detached", ...WAIT });
    expect(await composer(pageA).inputValue()).toBe("");
  });

  test("B sees the thumbnail, sized before it loads, and the caption as plain text", async () => {
    const message = mediaMessage(pageB, "image");
    await message.waitFor(WAIT);
    const thumb = message.getByTestId("attachment-image");
    const box = await thumb.boundingBox();
    // 640×400 fits the 320-pixel box as 320×200.
    expect(Math.round(box!.width)).toBe(320);
    expect(Math.round(box!.height)).toBe(200);
    const img = thumb.locator("img");
    await expect.poll(() => img.evaluate((el: HTMLImageElement) => el.naturalWidth), WAIT).toBe(
      IMAGE.width,
    );
    expect(await img.getAttribute("loading")).toBe("lazy");
    const caption = message.getByTestId("message-body");
    expect(await caption.textContent()).toBe(CAPTION);
    expect(await caption.locator("b").count()).toBe(0);
  });

  test("clicking the thumbnail opens the full image; Escape closes it", async () => {
    const thumb = mediaMessage(pageB, "image").getByTestId("attachment-image");
    await thumb.click();
    const lightbox = pageB.getByRole("dialog", { name: `Image: ${CAPTION}` });
    await lightbox.waitFor(WAIT);
    const full = lightbox.getByTestId("lightbox-image");
    await expect.poll(() => full.evaluate((el: HTMLImageElement) => el.naturalWidth), WAIT).toBe(
      IMAGE.width,
    );
    await screenshot(pageB, "media-lightbox.png");
    await pageB.keyboard.press("Escape");
    await lightbox.waitFor({ state: "hidden", ...WAIT });
    expect(await thumb.evaluate((el) => el === document.activeElement)).toBe(true);
  });

  test("a picked file shows upload progress, then goes out when sent", async () => {
    // Slow uploads down so the progress bar can be seen moving.
    const cdp = await contextA.newCDPSession(pageA);
    await cdp.send("Network.enable");
    await cdp.send("Network.emulateNetworkConditions", {
      offline: false,
      latency: 20,
      downloadThroughput: -1,
      uploadThroughput: 80 * 1024,
    });
    const chooser = pageA.waitForEvent("filechooser");
    await pageA.getByRole("button", { name: "Attach files" }).click();
    await (
      await chooser
    ).setFiles({ name: FILE_NAME, mimeType: "application/octet-stream", buffer: FILE_BYTES });
    const progress = pageA.getByRole("progressbar", { name: `Uploading ${FILE_NAME}` });
    await progress.waitFor(WAIT);
    await expect
      .poll(async () => Number((await progress.getAttribute("value")) ?? 0), WAIT)
      .toBeGreaterThan(0);
    await screenshot(pageA, "media-uploading.png");
    await cdp.send("Network.emulateNetworkConditions", {
      offline: false,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput: -1,
    });
    await cdp.detach();
    await pageA.getByRole("button", { name: "Send message with 1 file" }).click();
    await pageA
      .locator(`[data-testid="upload-item"][data-name="${FILE_NAME}"]`)
      .waitFor({ state: "detached", ...WAIT });
    await mediaMessage(pageA, "file").getByTestId("attachment-file").waitFor(WAIT);
  });

  test("B downloads the file through its card, byte for byte", async () => {
    const card = mediaMessage(pageB, "file").getByTestId("attachment-file");
    await card.waitFor(WAIT);
    expect(await card.textContent()).toContain(FILE_NAME);
    expect(await card.textContent()).toContain("200 KiB");
    const link = card.getByRole("link", { name: `Download ${FILE_NAME} (200 KiB)` });
    await expect.poll(() => link.getAttribute("href"), WAIT).toContain("/media/");
    const download = pageB.waitForEvent("download");
    await link.click();
    const file = await download;
    expect(file.suggestedFilename()).toBe(FILE_NAME);
    const bytes = readFileSync((await file.path())!);
    expect(bytes.length).toBe(FILE_BYTES.length);
    expect(bytes.equals(FILE_BYTES)).toBe(true);
  });

  test("a refused microphone is explained in words", async () => {
    await pageA.evaluate(() => {
      const devices = navigator.mediaDevices as MediaDevices & { __real?: MediaDevices["getUserMedia"] };
      devices.__real = devices.getUserMedia.bind(devices);
      devices.getUserMedia = () =>
        Promise.reject(new DOMException("Permission denied", "NotAllowedError"));
    });
    await pageA.getByRole("button", { name: "Record a voice note" }).click();
    const notice = pageA.getByTestId("composer-notice");
    await notice.waitFor(WAIT);
    expect(await notice.textContent()).toContain("Microphone access was refused");
    expect(await pageA.getByRole("alert").filter({ hasText: "Microphone" }).count()).toBe(1);
    await pageA.evaluate(() => {
      const devices = navigator.mediaDevices as MediaDevices & { __real?: MediaDevices["getUserMedia"] };
      devices.getUserMedia = devices.__real!;
    });
    await pageA.getByRole("button", { name: "Dismiss this message" }).click();
    await notice.waitFor({ state: "detached", ...WAIT });
  });

  test("A records a voice note: running time, cancel, then send", async () => {
    // Cancelled: nothing is sent.
    await pageA.getByRole("button", { name: "Record a voice note" }).click();
    await pageA.locator('[data-testid="recorder"][data-state="recording"]').waitFor(WAIT);
    await pageA.getByRole("button", { name: "Cancel voice note" }).click();
    await pageA.getByTestId("recorder").waitFor({ state: "detached", ...WAIT });
    // Recorded and sent.
    await pageA.getByRole("button", { name: "Record a voice note" }).click();
    await pageA.locator('[data-testid="recorder"][data-state="recording"]').waitFor(WAIT);
    const time = pageA.getByRole("timer", { name: "Recording time" });
    await time.filter({ hasText: "0:01" }).waitFor(WAIT);
    await screenshot(pageA, "media-recording.png");
    await pageA.waitForTimeout(500);
    await pageA.getByRole("button", { name: "Send voice note" }).click();
    await pageA.getByTestId("recorder").waitFor({ state: "detached", ...WAIT });
    await mediaMessage(pageA, "audio").getByTestId("attachment-audio").waitFor(WAIT);
    expect(await mediaMessage(pageA, "audio").count()).toBe(1);
  });

  test("B plays the voice note, and sees its length", async () => {
    const message = mediaMessage(pageB, "audio");
    await message.waitFor(WAIT);
    const audio = message.getByTestId("attachment-audio");
    expect(await audio.getAttribute("aria-label")).toMatch(/^Voice note, [12] seconds?$/);
    await expect.poll(() => audio.getAttribute("src"), WAIT).toContain("/media/");
    const played = await audio.evaluate(
      (el: HTMLAudioElement) =>
        new Promise<{ duration: number; currentTime: number; playing: boolean }>((ok, fail) => {
          let playing = false;
          const timer = setTimeout(() => fail(new Error(`not playing: ${el.error?.message}`)), 10_000);
          el.addEventListener("playing", () => (playing = true));
          el.addEventListener("timeupdate", () => {
            if (!playing || el.currentTime < 0.3) return;
            clearTimeout(timer);
            ok({ duration: el.duration, currentTime: el.currentTime, playing });
          });
          void el.play().catch(fail);
        }),
    );
    expect(played.playing).toBe(true);
    expect(played.currentTime).toBeGreaterThan(0.3);
    // The recorder wrote the length into the WebM: the player knows it without playing through.
    expect(Number.isFinite(played.duration)).toBe(true);
    expect(played.duration).toBeGreaterThan(1);
    expect(played.duration).toBeLessThan(3);
    await audio.evaluate((el: HTMLAudioElement) => el.pause());
  });

  test("an 'image' that is really text, dropped on the chat, is refused in words", async () => {
    expectedErrors.push(/status of 415/);
    await pageA.evaluate(() => {
      const data = new DataTransfer();
      data.items.add(new File(["this is not a picture"], "fake.png", { type: "image/png" }));
      (window as unknown as { __drag: DataTransfer }).__drag = data;
      const target = document.querySelector('[data-testid="message-scroller"]')!;
      for (const type of ["dragenter", "dragover"]) {
        target.dispatchEvent(new DragEvent(type, { dataTransfer: data, bubbles: true, cancelable: true }));
      }
    });
    await pageA.getByTestId("drop-overlay").waitFor({ state: "visible", ...WAIT });
    await screenshot(pageA, "media-drop.png");
    await pageA.evaluate(() => {
      const data = (window as unknown as { __drag: DataTransfer }).__drag;
      const target = document.querySelector('[data-testid="message-scroller"]')!;
      target.dispatchEvent(new DragEvent("drop", { dataTransfer: data, bubbles: true, cancelable: true }));
    });
    await pageA.getByTestId("drop-overlay").waitFor({ state: "hidden", ...WAIT });
    const error = pageA.getByTestId("upload-error");
    await error.waitFor(WAIT);
    expect(await error.textContent()).toBe(
      "“fake.png” was refused: its contents are not a PNG, JPEG, GIF or WebP image.",
    );
    // Nothing to send, nothing to retry: only dismiss.
    expect(await pageA.getByRole("button", { name: /^Retry/ }).count()).toBe(0);
    await expect.poll(() => pageA.getByRole("button", { name: /^Send message/ }).isDisabled()).toBe(true);
    await screenshot(pageA, "media-refused.png");
    await pageA.getByRole("button", { name: "Dismiss fake.png" }).click();
    await error.waitFor({ state: "detached", ...WAIT });
    expect(expectedErrors).toEqual([]);
  });

  test("signed URLs are fetched once per file, and again once expired", async () => {
    const imageMessage = mediaMessage(pageB, "image");
    const ids = await pageB
      .locator('[data-testid="message"][data-kind] [data-testid="attachment-image"]')
      .count();
    expect(ids).toBe(1);
    const counts = [...urlRequestsB.values()];
    expect(counts.length).toBe(3); // image, file, voice note
    // The lightbox and the download reused the thumbnail's and the card's URLs.
    expect(counts.every((n) => n === 1)).toBe(true);
    // Ten minutes later the URL in hand has expired: opening the image asks for a new one.
    await pageB.clock.fastForward("10:00");
    await imageMessage.getByTestId("attachment-image").click();
    const lightbox = pageB.getByRole("dialog", { name: `Image: ${CAPTION}` });
    await lightbox.waitFor(WAIT);
    await expect.poll(() => Math.max(...urlRequestsB.values()), WAIT).toBe(2);
    await pageB.keyboard.press("Escape");
    await lightbox.waitFor({ state: "hidden", ...WAIT });
  });

  test("a failed upload is told in words and sent after Retry, never before", async () => {
    const put = /\/api\/rooms\/[^/]+\/uploads\/f_[0-9a-z]+\?/;
    expectedErrors.push(/ERR_FAILED/);
    await pageA.route(put, (route) => route.abort());
    const chooser = pageA.waitForEvent("filechooser");
    await pageA.getByRole("button", { name: "Attach files" }).click();
    await (await chooser).setFiles({
      name: "retry-me.txt",
      mimeType: "text/plain",
      buffer: Buffer.from("second time lucky\n"),
    });
    await composer(pageA).fill("second try");
    await composer(pageA).press("Enter");
    const error = pageA.getByTestId("upload-error");
    await error.waitFor(WAIT);
    expect(await error.textContent()).toBe(
      "Uploading “retry-me.txt” failed. Check your connection and retry.",
    );
    await pageB.waitForTimeout(300);
    expect(await mediaMessage(pageB, "file").count()).toBe(1);
    await pageA.unroute(put);
    await pageA.getByRole("button", { name: "Retry retry-me.txt" }).click();
    await error.waitFor({ state: "detached", ...WAIT });
    const card = mediaMessage(pageB, "file").filter({ hasText: "retry-me.txt" });
    await card.waitFor(WAIT);
    expect(await card.getByTestId("message-body").textContent()).toBe("second try");
    expect(await card.textContent()).toContain("18 B");
    expect(expectedErrors).toEqual([]);
  });

  test("screenshots of both sides, and of B on a phone", async () => {
    await screenshot(pageA, "media-a.png");
    await screenshot(pageB, "media-b.png");
    await pageB.setViewportSize({ width: 375, height: 740 });
    await composer(pageB).waitFor(WAIT);
    const scroller = pageB.getByTestId("message-scroller");
    await scroller.evaluate((el) => el.scrollTo({ top: el.scrollHeight }));
    await screenshot(pageB, "media-phone.png");
    // Nothing sticks out sideways at phone width.
    expect(await scroller.evaluate((el) => el.scrollWidth - el.clientWidth)).toBeLessThanOrEqual(0);
    await pageB.setViewportSize({ width: 1280, height: 800 });
  });

  test("nothing went wrong along the way, and the CSP was never violated", async () => {
    for (const page of [pageA, pageB]) {
      expect(await page.evaluate(() => (window as unknown as { __csp: string[] }).__csp)).toEqual([]);
    }
    expect(incidents.errors).toEqual([]);
    expect(incidents.dialogs).toEqual([]);
    expect(incidents.foreignRequests).toEqual([]);
  });
});
