import { defineConfig } from "vitest/config";

/**
 * Tests against a real `wrangler dev`, run in Node: the browser tests (test/browser/, Debian's
 * Chromium through playwright-core, against the Hearth that global-setup.ts starts on a free
 * port with fresh state) and the end-to-end tests (test/e2e/: real protocol clients and a
 * crash test, each starting a Hearth of its own). `npm run test:browser` installs Chromium if
 * needed and builds the client first.
 */
export default defineConfig({
  test: {
    include: ["test/browser/**/*.test.ts", "test/e2e/**/*.test.ts"],
    environment: "node",
    globalSetup: ["test/browser/global-setup.ts"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    teardownTimeout: 30_000,
    // One wrangler, one Chromium: files run one after another.
    fileParallelism: false,
  },
});
