/**
 * npm run diff: what a change does to the records, the claims, the bundles and the diagnostics, against a
 * base commit (default: the merge base with the default branch). Exit 0, 1 when a --fail-on condition is
 * met or the base cannot be measured, 2 on a usage error (a bad option, a ref that is no commit).
 *
 *   bun scripts/diff.ts [--base REF] [--format text|markdown|json] [--out FILE] [--fail-on LIST] [--prove] [--today YYYY-MM-DD] [--min-change BYTES] [--no-cache]
 *
 * The report goes to stdout (a terminal table, coloured only on a TTY without NO_COLOR; Markdown for
 * $GITHUB_STEP_SUMMARY; JSON for tools); --out also writes the Markdown to FILE inside the repository (a
 * pull-request comment file). Progress goes to stderr.
 */
import { relative, resolve, sep } from "node:path";
import { writeAtomic } from "../core/fs/write-atomic.ts";
import { isInside } from "../core/fs/safe-fs.ts";
import { isRealDate } from "../core/schema/kinds.ts";
import { failures, parseByteCount, parseFailOn } from "../diff/fail-on.ts";
import { DEFAULT_MIN_CHANGE } from "../diff/compare.ts";
import { refProblem } from "../diff/git.ts";
import { renderMarkdown } from "../diff/render-markdown.ts";
import { renderTerminal } from "../diff/render-terminal.ts";
import { runDiff } from "../diff/run-diff.ts";
import { argsOrExit, type CommandSpec } from "./args.ts";
import type { Io } from "./io.ts";

const FORMATS = ["text", "markdown", "json"];

export const DIFF: CommandSpec = {
  usage:
    "bun scripts/diff.ts [--base REF] [--format text|markdown|json] [--out FILE] [--fail-on LIST] [--prove] [--today YYYY-MM-DD] [--min-change BYTES] [--no-cache]",
  options: {
    "--base": {
      value: "REF",
      help: "the commit to compare with (default: the merge base of HEAD with the default branch)",
      check: refProblem,
    },
    "--format": {
      value: "text|markdown|json",
      help: "a terminal table (default), Markdown for $GITHUB_STEP_SUMMARY and comments, or JSON for tools",
      check: (v) => (FORMATS.includes(v) ? undefined : `--format takes "text", "markdown" or "json", not ${JSON.stringify(v)}`),
    },
    "--out": {
      value: "FILE",
      help: "also write the report as Markdown to FILE, a path inside the repository (a pull-request comment file)",
    },
    "--fail-on": {
      value: "LIST",
      help: "exit 1 when met, comma-separated: size:+5% or size:+2kB (gzip:, brotli: likewise), unproven (a claim lost its proof), new-errors",
      check: (v) => {
        const r = parseFailOn(v);
        return "problem" in r ? r.problem : undefined;
      },
    },
    "--prove": {
      help: "run the proofs (bun test, about a minute per side) where no results match a side's inputs; this runs the base's test files",
    },
    "--today": {
      value: "YYYY-MM-DD",
      help: "the date `expires` is judged against on both sides (default: today, UTC)",
      check: (v) => (isRealDate(v) ? undefined : `--today takes a date written YYYY-MM-DD, not ${JSON.stringify(v)}`),
    },
    "--min-change": {
      value: "BYTES",
      help: `size changes smaller than this (raw, gzip and brotli alike; 10, 10B, 1kB, 1KiB) are summarised in one line, not listed (default: ${DEFAULT_MIN_CHANGE} B; 0 lists every byte)`,
      check: (v) =>
        parseByteCount(v) === undefined ? `--min-change takes a byte count such as 10, 10B or 1kB, not ${JSON.stringify(v)}` : undefined,
    },
    "--no-cache": { help: "measure both sides afresh: no content caches, no stored base snapshot" },
  },
  aliases: { "--json": ["--format", "json"], "--markdown": ["--format", "markdown"] },
};

/** JSON.stringify leaves DEL, C1 controls and bidi characters raw; written as \u escapes (same strings once parsed). */
const safeJson = (v: unknown) =>
  JSON.stringify(v, null, 2).replace(
    /[\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );

export async function main(argv: string[], io: Io): Promise<number> {
  const args = argsOrExit(argv, DIFF, io);
  if (typeof args === "number") return args;
  // A --feature in BUN_OPTIONS would reach every bun child process; builds here set `features` explicitly.
  if (io.env === process.env) delete process.env.BUN_OPTIONS;
  const format = args.values.get("--format") ?? "text";
  const failOn = parseFailOn(args.values.get("--fail-on") ?? "");
  const rules = "problem" in failOn || !args.values.has("--fail-on") ? [] : failOn;

  const out = args.values.get("--out");
  const outPath = out === undefined ? undefined : resolve(io.cwd, out);
  // Checked before any work: a comment file goes inside the repository, never over a path outside it.
  if (
    outPath !== undefined &&
    (!isInside(io.cwd, outPath) || outPath === resolve(io.cwd) || relative(io.cwd, outPath).split(sep)[0] === ".git")
  ) {
    io.stderr(`--out takes a file path inside the repository (not in .git), not ${JSON.stringify(out)}\n`);
    return 2;
  }

  const today = args.values.get("--today");
  const outcome = await runDiff(io.cwd, {
    ...(args.values.has("--base") ? { base: args.values.get("--base")! } : {}),
    ...(today ? { today } : {}),
    prove: args.flags.has("--prove"),
    cache: !args.flags.has("--no-cache"),
    ...(args.values.has("--min-change") ? { minChange: parseByteCount(args.values.get("--min-change")!)! } : {}),
    env: io.env,
    onProgress: format === "json" ? undefined : (m) => io.stderr(`${m}\n`),
  });
  if ("usage" in outcome) {
    io.stderr(`${outcome.usage}\n`);
    return 2;
  }
  if ("error" in outcome) {
    io.stderr(`diff: ${outcome.error}\n`);
    return 1;
  }
  const { report } = outcome;
  const failed = failures(report, rules);

  if (format === "json") io.stdout(`${safeJson({ ...report, failOn: rules.map((r) => r.text), failed })}\n`);
  else if (format === "markdown") io.stdout(renderMarkdown(report));
  else io.stdout(renderTerminal(report, { colour: io.stdoutIsTTY === true && !io.env.NO_COLOR }));

  if (outPath !== undefined) {
    try {
      writeAtomic(outPath, renderMarkdown(report), io.cwd);
    } catch (e) {
      io.stderr(`diff: ${out} cannot be written: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}\n`);
      return 1;
    }
  }
  for (const f of failed) io.stderr(`diff: --fail-on ${f}\n`);
  return failed.length ? 1 : 0;
}
