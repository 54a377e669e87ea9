import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

export default defineConfig(async () => {
  const migrations = await readD1Migrations("./migrations");
  return {
    plugins: [
      cloudflareTest({
        wrangler: { configPath: "./wrangler.toml" },
        miniflare: {
          bindings: {
            TEST_MIGRATIONS: migrations,
            JWT_SECRET: "test-secret-that-is-at-least-32-characters-long",
            // Small numbers so the limits can be hit quickly in tests.
            RATE_LIMIT_BURST: "5",
            RATE_LIMIT_PER_SECOND: "1",
            MAX_ROOM_CONNECTIONS: "8",
            D1_FLUSH_DELAY_MS: "60000",
            MAX_UPLOAD_BYTES: String(1024 * 1024),
          },
        },
      }),
    ],
    test: {
      include: ["test/worker/**/*.test.ts"],
      setupFiles: ["./test/worker/apply-migrations.ts"],
    },
  };
});
