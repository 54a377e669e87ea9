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
export const FAKE_MEDIA_FLAGS = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"];
