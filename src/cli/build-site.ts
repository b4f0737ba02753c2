/**
 * npm run build: the docs site into dist/, all or nothing (the steps: src/site/build.ts). Exit 0 built and
 * swapped in, 1 failed with the output folder untouched, 2 on a usage error.
 *
 *   bun scripts/build-site.ts [--out dist] [--quiet]
 *
 * Always builds this repository's site (where the code lives); --out is relative to it.
 * Environment: SITE_DATA_DIR, SITE_BUILD_DATE, SITE_REPO_URL, SITE_PUBLIC_DIR, … (src/site/config.ts).
 */
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { buildSite } from "../site/build.ts";
import { argsOrExit, type CommandSpec } from "./args.ts";
import type { Io } from "./io.ts";

export const BUILD_SITE: CommandSpec = {
  usage: "bun scripts/build-site.ts [--out dist] [--quiet]",
  options: {
    "--out": { value: "DIR", help: "output folder, relative to the repository (default dist)" },
    "--quiet": { help: "show Astro's output only when it fails" },
  },
};

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

export async function main(argv: string[], io: Io): Promise<number> {
  const args = argsOrExit(argv, BUILD_SITE, io);
  if (typeof args === "number") return args;
  return buildSite({ root: REPO, out: args.values.get("--out") ?? "dist", quiet: args.flags.has("--quiet") }, io);
}
