/**
 * Starts a real Hearth (`wrangler dev`) for the browser tests, on a free port with a fresh
 * state directory, and hands its base URL to the tests (`inject("baseUrl")`).
 * dist/client must be built first (`npm run test:browser` does it).
 */
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { vapidKeys } from "../../scripts/vapid.mjs";
import { ROOT, startHearth } from "../support/wrangler";
import { ADMIN_USERNAME, RESULTS } from "./support";

declare module "vitest" {
  export interface ProvidedContext {
    /** Where the Hearth under test answers, e.g. http://127.0.0.1:41234 */
    baseUrl: string;
  }
}


export default async function setup(project: TestProject) {
  if (!existsSync(join(ROOT, "dist/client/index.html"))) {
    throw new Error("dist/client is not built: run `npm run build` (npm run test:browser does).");
  }
  mkdirSync(RESULTS, { recursive: true });
  // Fresh VAPID keys, so web push is configured (GET /api/push/key answers; push.test.ts).
  const vapid = vapidKeys();
  const hearth = await startHearth({
    vars: {
      VAPID_PUBLIC_KEY: vapid.publicKey,
      VAPID_PRIVATE_KEY: vapid.privateKey,
      VAPID_SUBJECT: "mailto:tests@hearth.test",
      // The administrator of the browser tests (admin.test.ts signs it up); no one else is one.
      ADMIN_USERNAMES: ADMIN_USERNAME,
    },
  });
  project.provide("baseUrl", hearth.url);
  return async () => {
    await hearth.stop();
    writeFileSync(join(RESULTS, "wrangler-dev.log"), hearth.output());
    hearth.removeState();
  };
}
