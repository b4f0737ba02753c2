/**
 * Checks every internal link and #anchor of a built site (the build runs the same check on its staging
 * folder). Exit 1 when any is broken, 2 on a usage error.
 *
 *   bun scripts/check-links.ts [dist]
 */
import { resolve } from "node:path";
import { checkLinks, formatLinkProblems } from "../site/check-links.ts";
import { argsOrExit, type CommandSpec } from "./args.ts";
import type { Io } from "./io.ts";

export const CHECK_LINKS: CommandSpec = { usage: "bun scripts/check-links.ts [dist]", options: {}, positionals: 1 };

export async function main(argv: string[], io: Io): Promise<number> {
  const args = argsOrExit(argv, CHECK_LINKS, io);
  if (typeof args === "number") return args;
  const dir = resolve(io.cwd, args.positionals[0] ?? "dist");
  const r = await checkLinks(dir, { skip: ["pagefind", "variants"] });
  if (r.problems.length) {
    io.stderr(`${formatLinkProblems(r.problems)}\n`);
    io.stderr(`check-links: ${r.problems.length} broken link(s) or anchor(s) in ${r.pages} pages\n`);
    return 1;
  }
  io.stderr(`check-links: ${r.links} links in ${r.pages} pages, all resolve\n`);
  return 0;
}
