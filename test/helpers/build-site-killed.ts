/**
 * A child process for the crash tests: the site build as scripts/build-site.ts runs it, which SIGKILLs itself
 * right after the step named on the command line (injected through the build's hooks, as no production
 * caller does). `--swap rename` forces the two-rename swap.
 *
 *   bun test/helpers/build-site-killed.ts ROOT OUT STEP [--swap rename]
 */
import { processIo } from "../../src/cli/io.ts";
import { buildSite, type BuildStep } from "../../src/site/build.ts";

const [root, out, step, swapFlag, swap] = process.argv.slice(2);
if (!root || !out || !step || (swapFlag !== undefined && swapFlag !== "--swap"))
  throw new Error("usage: build-site-killed.ts ROOT OUT STEP [--swap rename]");
const kill = (s: BuildStep) => {
  if (s === step) process.kill(process.pid, "SIGKILL");
};
process.exitCode = await buildSite({ root, out, quiet: true }, processIo(), {
  after: kill,
  exchange: swap === "rename" ? false : undefined,
});
