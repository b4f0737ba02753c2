/**
 * Site settings, all in one place. Each can be overridden by an environment variable so CI, the bench and
 * the browser tests can point the same build at other data without editing files.
 *
 *   SITE_REPO_URL     repository web URL used by "edit this record/page" links
 *   SITE_REPO_BRANCH  branch those links point at (default main)
 *   SITE_DATA_DIR     records folder (absolute or relative to the repository root; default data)
 *   SITE_RESULTS_ROOT folder holding .cache/verify/results.json (default the repository root)
 *   SITE_BUILD_DATE   YYYY-MM-DD used for Overdue badges and dates of files without git history (default today, UTC)
 */
import { existsSync, readFileSync } from "node:fs";
import { basename, dirname, isAbsolute, resolve } from "node:path";

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

export function todayUtc(): string {
  return new Date().toISOString().slice(0, 10);
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
    repoUrl: (env.SITE_REPO_URL ?? repoFromPackage(root) ?? DEFAULT_REPO_URL).replace(/\/+$/, ""),
    repoBranch: env.SITE_REPO_BRANCH ?? "main",
    buildDate,
  };
}

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
