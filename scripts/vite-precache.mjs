// A Vite plugin that tells the service worker what to keep for offline use. After a build it
// lists every file in the output folder (the app shell: index.html, the hashed scripts and
// styles, lazy chunks included, icons and the manifest) and writes that list and a version
// (a hash of the files' names and contents) into dist/client/sw.js, in place of the
// `/*BUILD*/{...}` placeholder. A new build is a new sw.js, so browsers install it and swap
// the cache. `vite dev` serves the placeholder (no files): the worker then caches nothing.
import { createHash } from "node:crypto";
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";

const PLACEHOLDER = /\/\*BUILD\*\/\{[^}]*\}/;

function* walk(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(path);
    else yield path;
  }
}

/** @returns {import("vite").Plugin} */
export function precache() {
  let outDir = "";
  return {
    name: "hearth-precache",
    apply: "build",
    configResolved(config) {
      outDir = resolve(config.root, config.build.outDir);
    },
    closeBundle() {
      const hash = createHash("sha256");
      const files = [];
      for (const path of [...walk(outDir)].sort()) {
        const name = relative(outDir, path).split("\\").join("/");
        if (name === "sw.js" || name.endsWith(".map")) continue;
        hash.update(name).update(readFileSync(path));
        // index.html is served at "/" (the asset server redirects /index.html there).
        files.push(name === "index.html" ? "/" : `/${name}`);
      }
      const sw = join(outDir, "sw.js");
      const source = readFileSync(sw, "utf8");
      if (!PLACEHOLDER.test(source)) throw new Error("sw.js has no /*BUILD*/{...} placeholder for the precache list");
      const build = { version: hash.digest("hex").slice(0, 12), files };
      writeFileSync(sw, source.replace(PLACEHOLDER, JSON.stringify(build)));
    },
  };
}
