/**
 * Fixture git repositories for the diff tests: the verify fixture application (test/helpers/project.ts)
 * with its generated files written, committed, then a change from test/fixtures/diff/<case>/ copied on top,
 * regenerated and committed, as a writer would. Dates and names are fixed, so commits are reproducible.
 */
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { runCheck } from "../../src/core/check.ts";
import { writeGenerated } from "../../src/core/emit/generated-files.ts";
import { fixtureProject } from "../helpers/project.ts";

export const CASES = join(import.meta.dir, "../fixtures/diff");
export const SNAPSHOTS = join(import.meta.dir, "__snapshots__");

const GIT_ENV = {
  GIT_AUTHOR_NAME: "Fixture",
  GIT_AUTHOR_EMAIL: "fixture@example.invalid",
  GIT_COMMITTER_NAME: "Fixture",
  GIT_COMMITTER_EMAIL: "fixture@example.invalid",
  GIT_AUTHOR_DATE: "2026-01-01T00:00:00Z",
  GIT_COMMITTER_DATE: "2026-01-01T00:00:00Z",
  GIT_CONFIG_NOSYSTEM: "1",
  HOME: "/nonexistent",
};

export function git(dir: string, ...args: string[]): string {
  const p = Bun.spawnSync(
    [
      "git",
      "-c",
      "user.name=Fixture",
      "-c",
      "user.email=fixture@example.invalid",
      "-c",
      "commit.gpgsign=false",
      "-c",
      "init.defaultBranch=main",
      ...args,
    ],
    {
      cwd: dir,
      env: { ...process.env, ...GIT_ENV },
      stdout: "pipe",
      stderr: "pipe",
    },
  );
  if (p.exitCode !== 0) throw new Error(`git ${args.join(" ")}: ${p.stderr.toString()}`);
  return p.stdout.toString();
}

/**
 * What `npm run generate` writes. The records must load and cross-check; a claim the proof stage refuses
 * (a Production variant shipping an unapproved flag) is the kind of mistake a diff must report, so it is
 * committed like any other.
 */
function generate(dir: string): void {
  const result = runCheck(dir, { freshness: false });
  if (!result.generated)
    throw new Error(
      `fixture does not generate:\n${result.diagnostics.map((d) => `${d.file}:${d.line} ${d.rule}: ${d.message}`).join("\n")}`,
    );
  writeGenerated(dir, result.generated);
}

function commitAll(dir: string, message: string): void {
  git(dir, "add", "-A");
  git(dir, "commit", "-q", "-m", message);
}

/** The verify fixture, generated and committed as the first commit of a new repository. */
export function fixtureRepo(): string {
  const dir = fixtureProject();
  // The fixture's own .gitignore keeps caches and outputs out of the commits, as the repository's does.
  writeFileSync(join(dir, ".gitignore"), "node_modules/\ndist/\n.cache/\n");
  generate(dir);
  git(dir, "init", "-q");
  commitAll(dir, "base");
  return dir;
}

/**
 * Copies test/fixtures/diff/<name>/ over the repository, regenerates, and commits (unless `commit` is
 * false). A file named `*.fixture` lands without that suffix: test files of a fixture are stored as
 * `x.test.ts.fixture`, so that the repository's own `bun test` does not run them.
 */
export function applyCase(dir: string, name: string, commit = true): void {
  const from = join(CASES, name);
  for (const entry of readdirSync(from, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const rel = relative(from, join(entry.parentPath, entry.name));
    const to = join(dir, rel.replace(/\.fixture$/, ""));
    mkdirSync(dirname(to), { recursive: true });
    copyFileSync(join(from, rel), to);
  }
  generate(dir);
  if (commit) commitAll(dir, name);
}

/** Paths, commit ids and timings differ per run; sizes, records and messages do not. */
export function normalise(text: string): string {
  return text.replace(/\b[0-9a-f]{40}\b/g, "<sha>").replace(/\b[0-9a-f]{7}\b/g, "<sha>");
}

/** Compares with the snapshot kept beside the tests; UPDATE_DIFF_SNAPSHOTS=1 rewrites it. */
export function snapshotFile(name: string, actual: string): { expected: string; actual: string } {
  const path = join(SNAPSHOTS, name);
  if (process.env.UPDATE_DIFF_SNAPSHOTS === "1") writeFileSync(path, actual);
  let expected = "";
  try {
    expected = readFileSync(path, "utf8");
  } catch {
    expected = `(no snapshot ${name}: run with UPDATE_DIFF_SNAPSHOTS=1)`;
  }
  return { expected, actual };
}
