// @ts-check
/**
 * The docs site. Prose comes from content/*.mdx; records ALWAYS come from our validated loader
 * (src/core/site/data.ts → loadModel), never from Astro's file()/glob() loaders. A record error fails the
 * build with the same text `npm run check` prints. In `npm run dev`, edits to data/ and the example
 * sources trigger a full reload.
 */
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import mdx from "@astrojs/mdx";
import { defineConfig } from "astro/config";
import { siteConfig } from "./src/core/site/config.ts";
import { checkRecords } from "./src/core/site/data.ts";

process.env.ASTRO_TELEMETRY_DISABLED ??= "1";
const root = fileURLToPath(new URL(".", import.meta.url));
process.env.SITE_ROOT ??= root;

/** @returns {import("astro").AstroIntegration} */
function records() {
  return {
    name: "takeoff-records",
    hooks: {
      "astro:config:setup": ({ command, updateConfig, logger }) => {
        const config = siteConfig();
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

const contentDir = process.env.SITE_CONTENT_DIR ? resolve(process.env.SITE_CONTENT_DIR) : resolve(root, "content");

export default defineConfig({
  site: process.env.SITE_URL ?? "http://localhost:4321",
  trailingSlash: "always",
  build: { format: "directory", inlineStylesheets: "always" },
  integrations: [mdx(), records()],
  // Dual themes with enough contrast for axe in light and dark (the plain GitHub themes' comments fail it).
  markdown: { shikiConfig: { themes: { light: "github-light-high-contrast", dark: "github-dark-high-contrast" } } },
  devToolbar: { enabled: false },
  server: { port: 4321 },
  vite: { resolve: { alias: { "@content": contentDir } } },
});
