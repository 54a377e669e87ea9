// Draws the web app manifest's PNG icons (client/public/icons/) from Hearth's flame, with the
// Chromium the browser tests use. Run it again after changing the artwork; the PNGs are
// committed (a build needs no browser):  node scripts/icons.mjs
//  - icon-{192,512}.png: the rounded tile of favicon.svg, for "any" purpose;
//  - maskable-{192,512}.png: a full-bleed tile with the flame inside the central 80% circle
//    that every launcher mask keeps (https://w3c.github.io/manifest/#icon-masks).
import { resolve } from "node:path";
import { chromium } from "playwright-core";

const OUT = resolve(import.meta.dirname, "../client/public/icons");
const BRAND = "#5b5bd6";
const FLAME = "M32 12c3 8 14 13 14 26a14 14 0 0 1-28 0c0-7 4-11 7-14 0 5 2 8 5 9-2-8 0-15 2-21z";

/** The tile as an SVG of `size` px; a maskable one has square corners and a smaller flame. */
function svg(size, maskable) {
  const tile = maskable ? `<rect width="64" height="64" fill="${BRAND}"/>` : `<rect width="64" height="64" rx="14" fill="${BRAND}"/>`;
  // The flame spans y 12..52 (40 of 64 units); a maskable one is scaled to stay well inside the safe circle.
  const flame = maskable ? `<g transform="translate(32 32) scale(0.72) translate(-32 -32)"><path d="${FLAME}" fill="#fff"/></g>` : `<path d="${FLAME}" fill="#fff"/>`;
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" width="${size}" height="${size}">${tile}${flame}</svg>`;
}

const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--headless", "--no-sandbox", "--disable-gpu"] });
try {
  const page = await browser.newPage();
  for (const size of [192, 512]) {
    for (const maskable of [false, true]) {
      await page.setViewportSize({ width: size, height: size });
      await page.setContent(`<style>html,body{margin:0;background:transparent}svg{display:block}</style>${svg(size, maskable)}`);
      const file = resolve(OUT, `${maskable ? "maskable" : "icon"}-${size}.png`);
      await page.screenshot({ path: file, omitBackground: true, clip: { x: 0, y: 0, width: size, height: size } });
      console.log(file);
    }
  }
} finally {
  await browser.close();
}
