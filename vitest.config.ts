import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { vapidKeys } from "./scripts/vapid.mjs";
import { pushService } from "./test/support/push-service";
import { webhookReceiver } from "./test/support/webhook-receiver";
import { TEST_RATE_BURST, TEST_RATE_PER_SECOND } from "./test/worker/limits";

/**
 * The workerd tests' world: every file under `include`, with the bindings below and `bindings`
 * over them. vitest.shards.config.ts builds the big rooms' world from it.
 */
export async function workerdTests(include: string[], bindings: Record<string, string> = {}) {
  const migrations = await readD1Migrations("./migrations");
  const vapid = vapidKeys();
  return {
    plugins: [
      cloudflareTest({
        wrangler: { configPath: "./wrangler.toml" },
        miniflare: {
          bindings: {
            TEST_MIGRATIONS: migrations,
            JWT_SECRET: "test-secret-that-is-at-least-32-characters-long",
            // Small numbers so the limits can be hit quickly in tests.
            RATE_LIMIT_BURST: String(TEST_RATE_BURST),
            RATE_LIMIT_PER_SECOND: String(TEST_RATE_PER_SECOND),
            MAX_ROOM_CONNECTIONS: "8",
            // No shards here: a room past 8 sockets is full (room_full). The big room's own
            // world, with shards, is vitest.shards.config.ts.
            MAX_ROOM_SHARDS: "0",
            D1_FLUSH_DELAY_MS: "60000",
            // Tests copy to D1 by calling a room's flush(): the batcher writes after 10 ms, not 500.
            COPY_BATCH_MS: "10",
            // Open sign-up, as `npm start` runs it (docs/admin.md); the admin tests set the mode themselves.
            SIGNUP_MODE: "open",
            MAX_UPLOAD_BYTES: String(1024 * 1024),
            // A VAPID pair made fresh for each run.
            VAPID_PUBLIC_KEY: vapid.publicKey,
            VAPID_PRIVATE_KEY: vapid.privateKey,
            VAPID_SUBJECT: "mailto:tests@hearth.test",
            PUSH_RETRY_MS: "20",
            PUSH_MIN_INTERVAL_MS: "10000",
            // Bots' webhooks: a short timeout and quick retries (docs/bots.md; defaults 7 s and 1 s).
            WEBHOOK_TIMEOUT_MS: "500",
            WEBHOOK_RETRY_MS: "20",
            ...bindings,
          },
          // Pushes go to a local push service that verifies and decrypts them; bots' webhook
          // calls to a local receiver that checks their signatures (test/support/).
          serviceBindings: { PUSH_TRANSPORT: pushService, WEBHOOK_TRANSPORT: webhookReceiver },
        },
      }),
    ],
    test: {
      include,
      setupFiles: ["./test/worker/apply-migrations.ts"],
    },
  };
}

export default defineConfig(() => workerdTests(["test/worker/**/*.test.ts"]));
