import { defineConfig } from "vite";
import preact from "@preact/preset-vite";
import { precache } from "./scripts/vite-precache.mjs";

/**
 * Builds the Hearth web client (client/) into dist/client, which wrangler.toml
 * serves as the Worker's static assets. `vite dev` proxies the API to a local
 * `wrangler dev` on port 8787. After a build, the service worker (client/public/sw.js) gets
 * the list of files to keep for offline use (scripts/vite-precache.mjs).
 */
export default defineConfig({
  root: "client",
  plugins: [preact(), precache()],
  build: {
    outDir: "../dist/client",
    emptyOutDir: true,
    // The emoji data file (~440 KB) must stay a separate file served by Hearth.
    assetsInlineLimit: 0,
    target: "es2022",
  },
  server: {
    proxy: {
      "/api": { target: "http://127.0.0.1:8787", ws: true },
      "/health": "http://127.0.0.1:8787",
    },
  },
});
