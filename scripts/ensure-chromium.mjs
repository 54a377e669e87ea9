#!/usr/bin/env node
// Makes sure Debian's Chromium is installed for the browser test (test/browser/).
// playwright-core drives /usr/bin/chromium; nothing is ever downloaded by Playwright itself.
import { existsSync } from "node:fs";
import { spawnSync } from "node:child_process";

const CHROMIUM = "/usr/bin/chromium";

if (existsSync(CHROMIUM)) process.exit(0);

console.log(`${CHROMIUM} is missing: installing Debian's chromium package (about 500 MB)…`);

const run = (command, args) =>
  spawnSync(command, args, {
    stdio: "inherit",
    env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
  });

const steps = [
  ["apt-get", ["update"]],
  ["apt-get", ["install", "-y", "chromium"]],
];
for (const [command, args] of steps) {
  const result = run(command, args);
  if (result.error || result.status !== 0) {
    const why = result.error ? result.error.message : `exit code ${result.status}`;
    console.error(
      `\nCould not install Chromium: \`${command} ${args.join(" ")}\` failed (${why}).\n` +
        `The browser test needs ${CHROMIUM}. Install it yourself (as root: ` +
        "`apt-get update && apt-get install -y chromium`) and run the test again.",
    );
    process.exit(1);
  }
}

if (!existsSync(CHROMIUM)) {
  console.error(`apt-get finished but ${CHROMIUM} is still missing.`);
  process.exit(1);
}
console.log(`Chromium installed at ${CHROMIUM}.`);
