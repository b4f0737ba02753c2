/**
 * Site settings, all in one place. Each can be overridden by an environment variable so CI, the bench and
 * the browser tests can point the same build at other data without editing files.
 *
 *   SITE_REPO_URL     repository web URL used by "edit this record/page" links: an absolute http(s) URL
 *                     (checked by repoUrl() for `npm run build` and `npm run dev` alike)
 *   SITE_REPO_BRANCH  branch those links point at (default main)
 *   SITE_DATA_DIR     records folder (absolute or relative to the repository root; default data)
 *   SITE_RESULTS_ROOT folder holding .cache/verify/results.json (default the repository root)
 *   SITE_BUILD_DATE   YYYY-MM-DD used for Overdue badges and dates of files without git history (default today, UTC)
 *   SITE_PUBLIC_DIR   static files copied verbatim into the site (relative to the root, inside it; default public)
 */
import { existsSync, readFileSync } from "node:fs";
import { basename, dirname, isAbsolute, relative, resolve, sep } from "node:path";
import { todayUtc } from "../core/time/dates.ts";

export const DEFAULT_REPO_URL = "https://github.com/takeoff-docs/takeoff-docs";

export interface SiteConfig {
  /** Repository root: content/, src/examples/ and package.json live here. */
  root: string;
  /** Root and folder name passed to loadModel: records are read from `${dataRoot}/${dataDir}`. */
  dataRoot: string;
  dataDir: string;
  resultsRoot: string;
  repoUrl: string;
  repoBranch: string;
  buildDate: string;
  /** Folder of static files, relative to the root (checked with checkPublicFiles before Astro copies it). */
  publicDir: string;
  /** Root and folder name of the prose pages: `${contentRoot}/${contentDir}` (SITE_CONTENT_DIR, default content). */
  contentRoot: string;
  contentDir: string;
}

/**
 * The repository URL every "edit"/"source" link starts with, or an error. The one check for
 * SITE_REPO_URL, used by siteConfig and therefore by `npm run build`, `astro build` and `npm run dev`
 * alike: an absolute http(s) URL with a host and nothing that could end the attribute or the URL early.
 * (The built site's link checker, src/site/check-links.ts, also refuses javascript:, vbscript: and
 * data: links, but dev never runs it.)
 */
export function repoUrl(raw: string, name = "SITE_REPO_URL"): string {
  const bad = (why: string) => new Error(`${name}=${JSON.stringify(raw)}: ${why}; expected an https:// URL such as ${DEFAULT_REPO_URL}`);
  // Browsers strip surrounding spaces/controls and drop tabs and newlines inside a URL: refuse them all.
  if (/[\u0000-\u0020\u007f"'<>`\\]/.test(raw)) throw bad("it holds spaces, control characters, quotes, angle brackets or backslashes");
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw bad("not an absolute URL");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") throw bad(`the scheme ${url.protocol} is not allowed`);
  if (!/^[a-z][a-z0-9+.-]*:\/\/[^/]/i.test(raw) || !url.hostname) throw bad("no host");
  if (url.username || url.password) throw bad("credentials in the URL");
  if (url.search || url.hash) throw bad("a query or #fragment cannot prefix file paths");
  return raw.replace(/\/+$/, "");
}

function repoFromPackage(root: string): string | undefined {
  try {
    const pkg = JSON.parse(readFileSync(resolve(root, "package.json"), "utf8")) as { repository?: string | { url?: string } };
    const raw = typeof pkg.repository === "string" ? pkg.repository : pkg.repository?.url;
    if (!raw) return undefined;
    const url = raw.replace(/^git\+/, "").replace(/\.git$/, "");
    return /^https:\/\//.test(url) ? url : undefined;
  } catch {
    return undefined;
  }
}

export function siteConfig(env: Record<string, string | undefined> = process.env, root = env.SITE_ROOT ?? process.cwd()): SiteConfig {
  const dataEnv = env.SITE_DATA_DIR;
  let dataRoot = root;
  let dataDir = "data";
  if (dataEnv) {
    const abs = isAbsolute(dataEnv) ? dataEnv : resolve(root, dataEnv);
    if (!existsSync(abs)) throw new Error(`SITE_DATA_DIR=${dataEnv}: no such folder`);
    dataRoot = dirname(abs);
    dataDir = basename(abs);
  }
  const buildDate = env.SITE_BUILD_DATE ?? todayUtc();
  if (!/^\d{4}-\d{2}-\d{2}$/.test(buildDate)) throw new Error(`SITE_BUILD_DATE=${buildDate}: expected YYYY-MM-DD`);
  return {
    root,
    dataRoot,
    dataDir,
    resultsRoot: env.SITE_RESULTS_ROOT ? resolve(root, env.SITE_RESULTS_ROOT) : root,
    repoUrl: repoUrl(env.SITE_REPO_URL ?? repoFromPackage(root) ?? DEFAULT_REPO_URL),
    repoBranch: env.SITE_REPO_BRANCH ?? "main",
    buildDate,
    publicDir: publicDir(root, env.SITE_PUBLIC_DIR),
    ...contentFolder(root, env.SITE_CONTENT_DIR),
  };
}

function contentFolder(root: string, raw: string | undefined): { contentRoot: string; contentDir: string } {
  if (!raw) return { contentRoot: root, contentDir: "content" };
  const abs = resolve(root, raw);
  if (!existsSync(abs)) throw new Error(`SITE_CONTENT_DIR=${raw}: no such folder`);
  return { contentRoot: dirname(abs), contentDir: basename(abs) };
}

function publicDir(root: string, raw: string | undefined): string {
  if (!raw) return "public";
  const rel = relative(resolve(root), resolve(root, raw)).split(sep).join("/");
  if (!rel || rel === ".." || rel.startsWith("../") || isAbsolute(rel))
    throw new Error(`SITE_PUBLIC_DIR=${raw}: must be a folder inside ${root}`);
  return rel;
}

/**
 * The inline script in every page's <head> (src/layouts/Layout.astro renders exactly this text): sets the
 * stored theme before first paint. The server's Content-Security-Policy allows it by its hash and allows no
 * other inline script.
 */
export const THEME_SCRIPT = `document.documentElement.classList.add("js");try{var t=localStorage.getItem("theme");if(t==="light"||t==="dark")document.documentElement.dataset.theme=t}catch(e){}`;

/** Link to a line of a file in the repository. */
export function sourceUrl(config: Pick<SiteConfig, "repoUrl" | "repoBranch">, file: string, line?: number): string {
  const path = file.split("/").map(encodeURIComponent).join("/");
  return `${config.repoUrl}/blob/${encodeURIComponent(config.repoBranch)}/${path}${line ? `#L${line}` : ""}`;
}

/** Link to GitHub's editor for a file. */
export function editUrl(config: Pick<SiteConfig, "repoUrl" | "repoBranch">, file: string): string {
  const path = file.split("/").map(encodeURIComponent).join("/");
  return `${config.repoUrl}/edit/${encodeURIComponent(config.repoBranch)}/${path}`;
}
