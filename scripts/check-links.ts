/**
 * Checks every internal link and #anchor of a built site (the build runs this on its staging folder).
 *
 *   bun scripts/check-links.ts [dist]
 */
import { resolve } from "node:path";
import { checkLinks, formatLinkProblems } from "../src/site/check-links.ts";

const dir = resolve(process.argv[2] ?? "dist");
const r = await checkLinks(dir, { skip: ["pagefind", "variants"] });
if (r.problems.length) {
  console.error(formatLinkProblems(r.problems));
  console.error(`check-links: ${r.problems.length} broken link(s) or anchor(s) in ${r.pages} pages`);
  process.exit(1);
}
console.error(`check-links: ${r.links} links in ${r.pages} pages, all resolve`);
