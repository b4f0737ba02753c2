/**
 * Link checker for the built site: parses every HTML page (Bun's HTMLRewriter, a real HTML parser), and
 * checks that every internal href/src resolves to a built file and every #fragment to an id (or a[name])
 * on the target page. Also refuses javascript:, vbscript: and data: links anywhere: record text must
 * never become an executable link.
 */
import { readdirSync, statSync } from "node:fs";
import { join, relative, sep } from "node:path";

export interface LinkProblem {
  /** Page holding the link, relative to the site folder. */
  page: string;
  attr: string;
  url: string;
  message: string;
}

interface PageInfo {
  ids: Set<string>;
  links: { attr: string; url: string }[];
}

const UNSAFE = /^\s*(javascript|vbscript|data):/i;
const EXTERNAL = /^[a-z][a-z0-9+.-]*:|^\/\//i;

function walk(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) walk(full, out);
    else if (name.endsWith(".html")) out.push(full);
  }
  return out;
}

async function parse(html: string): Promise<PageInfo> {
  const info: PageInfo = { ids: new Set(), links: [] };
  const rewriter = new HTMLRewriter()
    .on("[id]", { element: (el) => void info.ids.add(el.getAttribute("id")!) })
    .on("a[name]", { element: (el) => void info.ids.add(el.getAttribute("name")!) })
    .on("a[href], area[href], link[href]", {
      element: (el) => {
        if (el.tagName === "link" && /\b(preconnect|dns-prefetch)\b/.test(el.getAttribute("rel") ?? "")) return;
        info.links.push({ attr: `${el.tagName}[href]`, url: el.getAttribute("href")! });
      },
    })
    .on("script[src], img[src], iframe[src], source[src]", {
      element: (el) => void info.links.push({ attr: `${el.tagName}[src]`, url: el.getAttribute("src")! }),
    })
    .on("form[action]", { element: (el) => void info.links.push({ attr: "form[action]", url: el.getAttribute("action")! }) });
  await rewriter.transform(new Response(html)).arrayBuffer();
  return info;
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

/** The HTML file a site path serves, or undefined. */
function resolvePath(siteDir: string, path: string): { file: string; html: boolean } | undefined {
  const clean = path.replace(/^\/+/, "");
  const base = join(siteDir, clean);
  if (path.endsWith("/")) {
    const index = join(base, "index.html");
    return isFile(index) ? { file: index, html: true } : undefined;
  }
  if (isFile(base)) return { file: base, html: base.endsWith(".html") };
  if (isFile(`${base}.html`)) return { file: `${base}.html`, html: true };
  if (isFile(join(base, "index.html"))) return { file: join(base, "index.html"), html: true };
  return undefined;
}

export interface CheckLinksOptions {
  /** Folders (relative to the site) whose pages are not checked, e.g. bundles written by others. */
  skip?: string[];
}

export async function checkLinks(
  siteDir: string,
  options: CheckLinksOptions = {},
): Promise<{ pages: number; links: number; problems: LinkProblem[] }> {
  const skip = (options.skip ?? []).map((s) => s.replace(/\/+$/, "") + sep);
  const files = walk(siteDir).filter((f) => !skip.some((s) => relative(siteDir, f).startsWith(s)));
  const pages = new Map<string, PageInfo>();
  await Promise.all(files.map(async (f) => pages.set(f, await parse(await Bun.file(f).text()))));
  const problems: LinkProblem[] = [];
  let links = 0;
  for (const [file, info] of pages) {
    const page = relative(siteDir, file).split(sep).join("/");
    const pageUrl = new URL(`/${page.replace(/(^|\/)index\.html$/, "$1")}`, "http://site.invalid");
    for (const { attr, url } of info.links) {
      links++;
      const problem = (message: string) => problems.push({ page, attr, url, message });
      if (UNSAFE.test(url)) {
        problem("unsafe URL scheme");
        continue;
      }
      if (EXTERNAL.test(url)) continue;
      let target: URL;
      try {
        target = new URL(url, pageUrl);
      } catch {
        problem("not a valid URL");
        continue;
      }
      let path: string;
      try {
        path = decodeURIComponent(target.pathname);
      } catch {
        problem("bad percent-encoding");
        continue;
      }
      const hit = resolvePath(siteDir, path);
      if (!hit) {
        problem("no such page or file");
        continue;
      }
      const fragment = target.hash ? decodeURIComponent(target.hash.slice(1)) : "";
      if (!fragment || fragment === "top") continue;
      if (!hit.html) {
        problem(`#${fragment} points into a file that is not a page`);
        continue;
      }
      const targetInfo = pages.get(hit.file) ?? (await parse(await Bun.file(hit.file).text()));
      if (!targetInfo.ids.has(fragment)) problem(`no element with id "${fragment}" on ${relative(siteDir, hit.file).split(sep).join("/")}`);
    }
  }
  return { pages: pages.size, links, problems };
}

export function formatLinkProblems(problems: LinkProblem[]): string {
  return problems.map((p) => `${p.page}: ${p.attr} "${p.url}": ${p.message}`).join("\n");
}
