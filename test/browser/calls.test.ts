/**
 * Video calls through the real web client (issue 4), against a real Hearth (`wrangler dev`,
 * started by global-setup.ts): Chromium's fake camera and microphone, the stock PeerJS
 * client against Hearth's signaling server, WebRTC between browser contexts.
 *
 * A starts a video call from the room header, B sees it ring and accepts, both decode each
 * other's video (getStats), A hangs up and the call ends on both sides. Then a three-person
 * mesh (A, B, C). Then the failures the user is told about in words.
 */
import { mkdirSync } from "node:fs";
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
const alice = `alice-${run}`;
const bob = `bob-${run}`;
const carol = `carol-${run}`;

let browser: Browser;
const contexts: BrowserContext[] = [];
const incidents = newIncidents();
let roomId = "";
const tokens = new Map<string, string>();
/** While a step kills a signaling socket mid-send, the browser's complaint about it is expected. */
let killingSignaling = false;

async function rest<T>(method: string, path: string, token?: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = {};
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  expect(response.status, `${method} ${path}: ${text}`).toBeLessThan(300);
  return (text ? JSON.parse(text) : undefined) as T;
}

async function signUp(username: string): Promise<string> {
  const { token } = await rest<{ token: string }>("POST", "/api/auth/signup", undefined, {
    username,
    password: PASSWORD,
  });
  tokens.set(username, token);
  return token;
}

/** A fresh browser context signed in as `username` (the client keeps its token in localStorage), in the room. */
async function openAs(username: string, viewport = { width: 1280, height: 800 }): Promise<Page> {
  const context = await browser.newContext({ viewport });
  await context.grantPermissions(["camera", "microphone"], { origin: baseUrl });
  contexts.push(context);
  const page = await context.newPage();
  watchPage(page, username, incidents, baseUrl, (text) => killingSignaling && text.includes("WebSocket is already in CLOSING or CLOSED state"));
  const token = tokens.get(username)!;
  await context.addInitScript((t) => {
    if (!localStorage.getItem("hearth.token")) localStorage.setItem("hearth.token", t);
  }, token);
  await page.goto(`${baseUrl}/rooms/${roomId}`);
  await page.locator('[data-testid="connection-state"][data-state="online"]').waitFor(WAIT);
  return page;
}

async function closeContextOf(page: Page): Promise<void> {
  const context = page.context();
  await context.close();
  contexts.splice(contexts.indexOf(context), 1);
}

/** The connection states of the page's RTCPeerConnections (through the client's debug handle). */
function pcStates(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const handle = (window as unknown as { __hearthCall?: { peerConnections(): RTCPeerConnection[] } }).__hearthCall;
    return handle ? handle.peerConnections().map((pc) => pc.connectionState) : [];
  });
}

/** Sum of getStats inbound-rtp video framesDecoded over the page's open peer connections. */
function framesDecoded(page: Page): Promise<number> {
  return page.evaluate(async () => {
    const handle = (window as unknown as { __hearthCall: { peerConnections(): RTCPeerConnection[] } }).__hearthCall;
    let total = 0;
    for (const pc of handle.peerConnections()) {
      if (pc.connectionState === "closed") continue;
      const report = await pc.getStats();
      report.forEach((s: { type: string; kind?: string; framesDecoded?: number }) => {
        if (s.type === "inbound-rtp" && s.kind === "video") total += s.framesDecoded ?? 0;
      });
    }
    return total;
  });
}

/** videoWidth of each remote <video> on the page. */
function remoteVideoWidths(page: Page): Promise<number[]> {
  return page
    .getByTestId("remote-video")
    .evaluateAll((videos) => videos.map((v) => (v as HTMLVideoElement).videoWidth));
}

const scripts = (page: Page) =>
  page.evaluate(() =>
    performance
      .getEntriesByType("resource")
      .map((e) => e.name)
      .filter((name) => name.endsWith(".js")),
  );

const since = (start: number) => `${((performance.now() - start) / 1000).toFixed(2)} s`;

beforeAll(async () => {
  mkdirSync(RESULTS, { recursive: true });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
  const tokenA = await signUp(alice);
  await signUp(bob);
  await signUp(carol);
  const room = await rest<{ id: string }>("POST", "/api/rooms", tokenA, {
    name: `calls-${run}`,
    topic: "Cameras on",
    visibility: "public",
  });
  roomId = room.id;
  for (const who of [bob, carol]) await rest("POST", `/api/rooms/${roomId}/join`, tokens.get(who));
});

afterAll(async () => {
  for (const context of contexts) await context.close().catch(() => {});
  await browser?.close();
});

describe("video calls in Hearth", () => {
  let pageA: Page;
  let pageB: Page;

  /** B hangs up; A, left alone, sees "Call ended"; both close that panel. */
  async function bHangsUpAndBothClose(): Promise<void> {
    await pageB.getByRole("button", { name: "Hang up" }).click();
    await pageA.getByTestId("call-ended").filter({ hasText: "Call ended" }).waitFor(WAIT);
    for (const page of [pageA, pageB]) {
      await page.getByTestId("call-ended").getByRole("button", { name: "Close" }).click();
    }
  }

  test("A calls, B is rung and accepts, both decode video, A hangs up and it ends on both sides", async () => {
    pageA = await openAs(alice);
    pageB = await openAs(bob);

    // Nothing of the call code is loaded before a call starts.
    const before = await scripts(pageA);

    const started = performance.now();
    await pageA.getByRole("button", { name: "Video call" }).click();
    await pageA.getByTestId("call-view").waitFor(WAIT);
    await pageA.getByTestId("call-status").filter({ hasText: "Calling" }).waitFor(WAIT);
    const lazy = (await scripts(pageA)).filter((name) => !before.includes(name));
    expect(lazy.length, "the call code and peerjs are loaded when the call starts").toBeGreaterThanOrEqual(2);

    // B is told it rings, in words, with Accept and Decline.
    const ringing = pageB.getByTestId("ringing");
    await ringing.filter({ hasText: `${alice} is calling` }).waitFor(WAIT);
    console.log(`  ringing reached B after ${since(started)}`);
    await ringing.getByRole("button", { name: "Decline" }).waitFor(WAIT);
    await screenshot(pageB, "ringing.png");

    const accepted = performance.now();
    await ringing.getByRole("button", { name: "Accept" }).click();
    await ringing.waitFor({ state: "detached", ...WAIT });

    // Both sides: one peer connection, connected.
    for (const page of [pageA, pageB]) {
      await expect.poll(() => pcStates(page), WAIT).toEqual(["connected"]);
    }
    console.log(`  both peer connections 'connected' ${since(accepted)} after Accept`);

    // Both decode the other's video: framesDecoded rises between two samples ~1 s apart.
    for (const page of [pageA, pageB]) {
      await expect.poll(() => framesDecoded(page), WAIT).toBeGreaterThan(0);
    }
    const first = await Promise.all([framesDecoded(pageA), framesDecoded(pageB)]);
    await pageA.waitForTimeout(1_000);
    const second = await Promise.all([framesDecoded(pageA), framesDecoded(pageB)]);
    console.log(`  framesDecoded A ${first[0]} -> ${second[0]}, B ${first[1]} -> ${second[1]} over ~1 s`);
    expect(second[0]).toBeGreaterThan(first[0]!);
    expect(second[1]).toBeGreaterThan(first[1]!);

    for (const page of [pageA, pageB]) {
      await expect.poll(() => remoteVideoWidths(page), WAIT).toEqual([expect.any(Number)]);
      expect((await remoteVideoWidths(page))[0]).toBeGreaterThan(0);
      await page.getByTestId("call-status").filter({ hasText: "In a call with" }).waitFor(WAIT);
    }
    await pageA.getByTestId("remote-tile").filter({ hasText: bob }).waitFor(WAIT);
    await pageB.getByTestId("remote-tile").filter({ hasText: alice }).waitFor(WAIT);

    // Mute and camera are toggle buttons with aria-pressed.
    const mute = pageB.getByRole("button", { name: "Mute" });
    await expect.poll(() => mute.getAttribute("aria-pressed")).toBe("false");
    await mute.click();
    await expect.poll(() => mute.getAttribute("aria-pressed")).toBe("true");
    expect(
      await pageB.evaluate(() => {
        const video = document.querySelector<HTMLVideoElement>('[data-testid="local-video"]');
        const stream = video?.srcObject as MediaStream | null;
        return stream?.getAudioTracks().map((t) => t.enabled);
      }),
    ).toEqual([false]);
    await mute.click();
    await expect.poll(() => mute.getAttribute("aria-pressed")).toBe("false");
    const camera = pageA.getByRole("button", { name: "Camera off" });
    await camera.click();
    await expect.poll(() => camera.getAttribute("aria-pressed")).toBe("true");
    await camera.click();
    await expect.poll(() => camera.getAttribute("aria-pressed")).toBe("false");
    await screenshot(pageA, "call-2.png");

    // A hangs up: the call ends for A, and B notices and ends it too.
    const hungUp = performance.now();
    await pageA.getByRole("button", { name: "Hang up" }).click();
    await pageA.getByTestId("call-ended").filter({ hasText: "Call ended" }).waitFor(WAIT);
    const endedB = pageB.getByTestId("call-ended");
    await endedB.filter({ hasText: "Call ended" }).waitFor(WAIT);
    expect(await endedB.textContent()).toContain(`${alice} left the call.`);
    console.log(`  B showed "Call ended" ${since(hungUp)} after A hung up`);
    await expect.poll(() => pcStates(pageB), WAIT).toEqual(["closed"]);
    await expect.poll(() => pcStates(pageA), WAIT).toEqual(["closed"]);
    await pageB.getByTestId("call-in-progress").waitFor({ state: "detached", ...WAIT });
    // The camera is released.
    expect(await pageA.getByTestId("local-video").count()).toBe(0);

    for (const page of [pageA, pageB]) {
      await page.getByTestId("call-ended").getByRole("button", { name: "Close" }).click();
      await page.getByTestId("call-ended").waitFor({ state: "detached", ...WAIT });
    }
  });

  test("three people in one call: each sees and plays the other two", async () => {
    const pageC = await openAs(carol);
    const pages = [pageA, pageB, pageC];

    const started = performance.now();
    await pageA.getByRole("button", { name: "Video call" }).click();
    await pageB.getByTestId("ringing").getByRole("button", { name: "Accept" }).click();
    // C declines first, then joins from the "call in progress" bar.
    const ringingC = pageC.getByTestId("ringing");
    await ringingC.getByRole("button", { name: "Decline" }).click();
    await ringingC.waitFor({ state: "detached", ...WAIT });
    const bar = pageC.getByTestId("call-in-progress");
    await bar.filter({ hasText: alice }).waitFor(WAIT);
    await bar.getByRole("button", { name: "Join call" }).click();

    for (const page of pages) {
      await expect.poll(() => pcStates(page), { timeout: 20_000 }).toEqual(["connected", "connected"]);
    }
    console.log(`  three-way mesh connected ${since(started)} after A clicked Video call`);
    for (const page of pages) {
      await expect
        .poll(async () => (await remoteVideoWidths(page)).filter((w) => w > 0).length, { timeout: 20_000 })
        .toBe(2);
      // The videos play.
      const playing = await page
        .getByTestId("remote-video")
        .evaluateAll((videos) => videos.map((v) => !(v as HTMLVideoElement).paused));
      expect(playing).toEqual([true, true]);
    }
    await pageC.getByTestId("remote-tile").filter({ hasText: alice }).waitFor(WAIT);
    await pageC.getByTestId("remote-tile").filter({ hasText: bob }).waitFor(WAIT);
    await screenshot(pageC, "call-3.png");

    // At phone width the videos stack.
    await pageB.setViewportSize({ width: 375, height: 740 });
    await pageB.waitForTimeout(300);
    const boxes = await pageB.getByTestId("remote-tile").evaluateAll((tiles) =>
      tiles.map((t) => {
        const r = t.getBoundingClientRect();
        return { x: Math.round(r.x), y: Math.round(r.y), w: Math.round(r.width) };
      }),
    );
    expect(boxes).toHaveLength(2);
    expect(boxes[0]!.x).toBe(boxes[1]!.x);
    expect(boxes[1]!.y).toBeGreaterThan(boxes[0]!.y);
    expect(boxes[0]!.w).toBeLessThanOrEqual(375);
    expect(await pageB.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await screenshot(pageB, "call-3-phone.png");
    await pageB.setViewportSize({ width: 1280, height: 800 });

    // C leaves: A and B go on together.
    await pageC.getByRole("button", { name: "Hang up" }).click();
    for (const page of [pageA, pageB]) {
      await expect.poll(() => remoteVideoWidths(page), WAIT).toHaveLength(1);
      await page.getByTestId("call-view").waitFor(WAIT);
    }
    // B leaves: A is alone, so the call ends for A too.
    await pageB.getByRole("button", { name: "Hang up" }).click();
    await pageA.getByTestId("call-ended").filter({ hasText: "Call ended" }).waitFor(WAIT);
    await closeContextOf(pageC);
    for (const page of [pageA, pageB]) {
      await page.getByTestId("call-ended").getByRole("button", { name: "Close" }).click();
    }
  });

  test("someone whose call server connection dropped while a third joined is connected to them once back", async () => {
    // Every signaling socket of B's goes through this route, so the test can cut it and keep
    // it cut ("away"), as a network drop would.
    let away = false;
    const live: { page: { close(): Promise<void> }; server: { close(): Promise<void> } }[] = [];
    await pageB.routeWebSocket(/\/peerjs\/peerjs/, (ws) => {
      if (away) return void ws.close();
      const server = ws.connectToServer();
      live.push({ page: ws, server });
    });
    await pageA.getByRole("button", { name: "Video call" }).click();
    await pageB.getByTestId("ringing").getByRole("button", { name: "Accept" }).click();
    for (const page of [pageA, pageB]) await expect.poll(() => pcStates(page), { timeout: 20_000 }).toEqual(["connected"]);

    // B's connection to the call server drops (the media to A goes on) and stays down.
    away = true;
    for (const socket of live.splice(0)) {
      await socket.server.close();
      await socket.page.close();
    }
    await pageB.getByText("Reconnecting to the call server").waitFor(WAIT);
    // Meanwhile C joins: the server lists only A, so C calls only A.
    const pageC = await openAs(carol);
    await pageC.getByTestId("call-in-progress").getByRole("button", { name: "Join call" }).click();
    await expect.poll(() => pcStates(pageC), { timeout: 20_000 }).toEqual(["connected"]);

    // B is back: B and C find each other, and nobody lost anyone.
    away = false;
    for (const page of [pageA, pageB, pageC]) {
      await expect.poll(async () => (await pcStates(page)).filter((s) => s === "connected").length, { timeout: 20_000 }).toBe(2);
    }
    await pageB.unrouteAll();
    for (const page of [pageC, pageB]) await page.getByRole("button", { name: "Hang up" }).click();
    await pageA.getByTestId("call-ended").filter({ hasText: "Call ended" }).waitFor(WAIT);
    await closeContextOf(pageC);
    for (const page of [pageA, pageB]) {
      await page.getByTestId("call-ended").getByRole("button", { name: "Close" }).click();
    }
  });

  test("a call offer lost on the way is placed again: the two connect without waiting out the timeout", async () => {
    // A's call server connection loses the first OFFER it should deliver, as a socket that died
    // before the server noticed would. B (who joins, so B calls A) must place the call again.
    const offers: string[] = [];
    await pageA.routeWebSocket(/\/peerjs\/peerjs/, (ws) => {
      const server = ws.connectToServer();
      server.onMessage((message) => {
        const type = typeof message === "string" ? (JSON.parse(message) as { type?: string }).type : undefined;
        if (type === "OFFER") {
          offers.push(offers.length === 0 ? "lost" : "delivered");
          if (offers.length === 1) return;
        }
        ws.send(message);
      });
    });
    const started = performance.now();
    await pageA.getByRole("button", { name: "Video call" }).click();
    await pageB.getByTestId("ringing").getByRole("button", { name: "Accept" }).click();
    // Well before the 20 s after which an unanswered call is given up as unreachable.
    await expect.poll(() => pcStates(pageA), { timeout: 15_000 }).toEqual(["connected"]);
    await expect.poll(async () => (await pcStates(pageB)).filter((s) => s === "connected").length, { timeout: 15_000 }).toBe(1);
    console.log(`  connected ${since(started)} after A clicked Video call, the first offer lost`);
    expect(offers).toEqual(["lost", "delivered"]);
    for (const page of [pageA, pageB]) await page.getByTestId("call-status").filter({ hasText: "In a call with" }).waitFor(WAIT);

    await pageA.unrouteAll();
    await bHangsUpAndBothClose();
  });

  test("a caller whose call server connection died with its offer places the call again once back", async () => {
    // B joins A's call, so B calls A; B's socket to the call server dies right as B's OFFER
    // leaves (the offer is lost with it) and stays down past the 6 s re-offer timer.
    let away = false;
    const lost: string[] = [];
    const live: { page: { close(): Promise<void> }; server: { close(): Promise<void> } }[] = [];
    await pageB.routeWebSocket(/\/peerjs\/peerjs/, (ws) => {
      if (away) return void ws.close();
      const server = ws.connectToServer();
      live.push({ page: ws, server });
      ws.onMessage((message) => {
        const type = typeof message === "string" ? (JSON.parse(message) as { type?: string }).type : undefined;
        if (type === "OFFER" && lost.length === 0) {
          lost.push(type);
          away = true;
          // The candidates that follow the offer meet a closing socket, as they would for real.
          killingSignaling = true;
          for (const socket of live.splice(0)) {
            void socket.server.close();
            void socket.page.close();
          }
          return;
        }
        server.send(message);
      });
    });
    await pageA.getByRole("button", { name: "Video call" }).click();
    await pageB.getByTestId("ringing").getByRole("button", { name: "Accept" }).click();
    await pageB.getByText("Reconnecting to the call server").waitFor(WAIT);
    await pageB.waitForTimeout(7_000);
    expect(lost).toEqual(["OFFER"]);

    // Back: B calls A again at once; B's unanswered call would otherwise be given up 20 s after
    // it was placed, about 13 s from now, and nobody would call again.
    away = false;
    killingSignaling = false;
    const back = performance.now();
    await expect.poll(() => pcStates(pageA), { timeout: 10_000 }).toEqual(["connected"]);
    await expect.poll(async () => (await pcStates(pageB)).filter((s) => s === "connected").length, { timeout: 10_000 }).toBe(1);
    console.log(`  connected ${since(back)} after B's call server connection was allowed back`);

    await pageB.unrouteAll();
    await bHangsUpAndBothClose();
  });

  test("failures are told in words: no camera (audio only offered), access refused", async () => {
    // No camera: getUserMedia with video fails with NotFoundError; audio alone works.
    await pageA.evaluate(() => {
      const media = navigator.mediaDevices;
      const real = media.getUserMedia.bind(media);
      media.getUserMedia = (constraints) =>
        constraints?.video
          ? Promise.reject(new DOMException("Requested device not found", "NotFoundError"))
          : real(constraints);
    });
    await pageA.getByRole("button", { name: "Video call" }).click();
    const ended = pageA.getByTestId("call-ended");
    await ended.filter({ hasText: "No camera found" }).waitFor(WAIT);
    expect(await ended.getByRole("alert").textContent()).toContain("join with audio only");
    await ended.getByRole("button", { name: "Join with audio only" }).click();

    // The audio-only call rings B; B joins with audio only too.
    await pageA.getByTestId("call-status").filter({ hasText: "Calling" }).waitFor(WAIT);
    expect(await pageA.getByRole("button", { name: "Camera off" }).count()).toBe(0);
    // The banner on a phone.
    await pageB.setViewportSize({ width: 375, height: 740 });
    await pageB.getByTestId("ringing").filter({ hasText: `${alice} is calling` }).waitFor(WAIT);
    expect(await pageB.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await screenshot(pageB, "ringing-phone.png");
    await pageB.setViewportSize({ width: 1280, height: 800 });
    await pageB.getByTestId("ringing").getByRole("button", { name: "Audio only" }).click();
    for (const page of [pageA, pageB]) {
      await expect.poll(() => pcStates(page), WAIT).toEqual(["connected"]);
      await page.getByTestId("call-status").filter({ hasText: "In a call with" }).waitFor(WAIT);
    }
    await bHangsUpAndBothClose();

    // Camera and microphone refused.
    await pageB.evaluate(() => {
      navigator.mediaDevices.getUserMedia = () =>
        Promise.reject(new DOMException("Permission denied", "NotAllowedError"));
    });
    await pageB.getByRole("button", { name: "Audio call" }).click();
    const refused = pageB.getByTestId("call-ended");
    await refused.filter({ hasText: "Camera or microphone blocked" }).waitFor(WAIT);
    expect(await refused.getByRole("alert").textContent()).toContain("was not allowed to use your microphone");
    await refused.getByRole("button", { name: "Close" }).click();
  });

  test("keyboard: the call buttons are reachable and labelled; nothing went wrong along the way", async () => {
    // A fresh page: the previous step replaced getUserMedia on this one.
    await pageA.reload();
    await pageA.locator('[data-testid="connection-state"][data-state="online"]').waitFor(WAIT);
    const video = pageA.getByRole("button", { name: "Video call" });
    await video.focus();
    await pageA.keyboard.press("Enter");
    await pageA.getByRole("button", { name: "Hang up" }).waitFor(WAIT);
    await pageA.getByRole("button", { name: "Hang up" }).focus();
    await pageA.keyboard.press("Enter");
    await pageA.getByTestId("call-ended").waitFor(WAIT);
    await pageA.getByTestId("call-ended").getByRole("button", { name: "Close" }).press("Enter");

    expect(incidents.errors).toEqual([]);
    expect(incidents.foreignRequests).toEqual([]);
  });
});
