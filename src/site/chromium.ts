/**
 * How this project drives a headless Chromium (Debian's, through playwright-core): the browser tests
 * (test/site) and the site benchmark (bench/site.ts) launch it the same way.
 */

/** The browser binary: $CHROMIUM_PATH, else Debian's package (apt-get install -y chromium). */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export const CHROME_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
