// @ts-check
/**
 * The docs site. Prose comes from content/*.mdx; records ALWAYS come from our validated loader
 * (src/site/data.ts → loadModel), never from Astro's file()/glob() loaders. A record error fails the
 * build with the same text `npm run check` prints. In `npm run dev`, edits to data/ and the example
 * sources trigger a full reload.
 */
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import mdx from "@astrojs/mdx";
import { defineConfig } from "astro/config";
import { siteConfig } from "./src/site/config.ts";
import { checkContent, checkRecords } from "./src/site/data.ts";
import { checkPublicFiles } from "./src/site/safe.ts";
import { formatHeadline } from "./src/core/report/diagnostics.ts";

process.env.ASTRO_TELEMETRY_DISABLED ??= "1";
const root = fileURLToPath(new URL(".", import.meta.url));
process.env.SITE_ROOT ??= root;

/** @returns {import("astro").AstroIntegration} */
function records() {
  return {
    name: "takeoff-records",
    hooks: {
      "astro:config:setup": ({ command, updateConfig, logger }) => {
        // Build and dev alike: SITE_REPO_URL and the other settings are validated here (siteConfig throws),
        // and public/ must hold only regular files inside the repository (no links out, FIFOs, devices).
        const config = siteConfig();
        const refused = checkPublicFiles(config.root, config.publicDir);
        if (refused.length) {
          throw new Error(`${config.publicDir}/ holds files that must not be published:\n${refused.map(formatHeadline).join("\n")}`);
        }
        // MDX compiles to code: a page that would run any is refused before Astro reads it, in dev too.
        checkContent(config);
        if (command === "build") {
          // Fail before rendering anything; the message is check's own diagnostics.
          checkRecords(config);
          logger.info(`records: ${resolve(config.dataRoot, config.dataDir)}`);
        }
        const watched = [resolve(config.dataRoot, config.dataDir), resolve(root, "src/examples"), resolve(root, ".cache/verify")];
        updateConfig({
          vite: {
            plugins: [
              {
                name: "takeoff-watch-records",
                configureServer(server) {
                  server.watcher.add(watched);
                  const reload = (/** @type {string} */ file) => {
                    if (!watched.some((dir) => file.startsWith(dir))) return;
                    // Every page renders from these files: invalidate everything and reload the browser.
                    for (const env of Object.values(server.environments ?? {})) env.moduleGraph?.invalidateAll?.();
                    server.moduleGraph?.invalidateAll?.();
                    server.ws.send({ type: "full-reload", path: "*" });
                  };
                  server.watcher.on("change", reload);
                  server.watcher.on("add", reload);
                  server.watcher.on("unlink", reload);
                },
              },
            ],
          },
        });
      },
    },
  };
}

const { contentRoot, contentDir: contentName } = siteConfig();
const contentDir = resolve(contentRoot, contentName);
// The same folder checkPublicFiles inspects (SITE_PUBLIC_DIR, default public; siteConfig keeps it inside the root).
const publicDir = resolve(root, siteConfig().publicDir);

export default defineConfig({
  site: process.env.SITE_URL ?? "http://localhost:4321",
  publicDir,
  trailingSlash: "always",
  build: { format: "directory", inlineStylesheets: "always" },
  integrations: [mdx(), records()],
  // Dual themes with enough contrast for axe in light and dark (the plain GitHub themes' comments fail it).
  markdown: { shikiConfig: { themes: { light: "github-light-high-contrast", dark: "github-dark-high-contrast" } } },
  devToolbar: { enabled: false },
  server: { port: 4321 },
  // assetsInlineLimit 0: every script stays a file under /_astro/ (never an inline <script>), so the
  // server's Content-Security-Policy needs no 'unsafe-inline' and no per-build hashes for scripts.
  vite: { resolve: { alias: { "@content": contentDir } }, build: { assetsInlineLimit: 0 } },
});
