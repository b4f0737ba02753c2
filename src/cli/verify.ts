/**
 * npm run verify: build every variant and prove the tables against the bundles. Exit 0 when every proof
 * passes, 1 on any error, 2 on a usage error.
 *
 *   bun scripts/verify.ts [--format text|json | --json] [--summary FILE] [--today YYYY-MM-DD]
 *
 * Progress per variant goes to stderr, diagnostics print exactly like `npm run check`, the Markdown
 * summary goes to FILE or is appended to $GITHUB_STEP_SUMMARY.
 */
import { appendFileSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { isRealDate } from "../core/schema/kinds.ts";
import { report } from "../core/report/report.ts";
import { markdownSummary } from "../verify/markdown-summary.ts";
import { runVerify, type ProgressEvent } from "../verify/run-verify.ts";
import { argsOrExit, FORMAT_OPTIONS, outputOptions, type CommandSpec } from "./args.ts";
import type { Io } from "./io.ts";

export const VERIFY: CommandSpec = {
  usage: "bun scripts/verify.ts [--format text|json] [--summary FILE] [--today YYYY-MM-DD]",
  options: {
    ...FORMAT_OPTIONS.options,
    "--summary": { value: "FILE", help: "write the Markdown summary to FILE (default: append to $GITHUB_STEP_SUMMARY when set)" },
    "--today": {
      value: "YYYY-MM-DD",
      help: "the date `expires` is judged against (default: today, UTC)",
      check: (v) => (isRealDate(v) ? undefined : `--today takes a date written YYYY-MM-DD, not ${JSON.stringify(v)}`),
    },
  },
  aliases: FORMAT_OPTIONS.aliases,
};

export async function main(argv: string[], io: Io): Promise<number> {
  const args = argsOrExit(argv, VERIFY, io);
  if (typeof args === "number") return args;
  // A --feature in BUN_OPTIONS would reach any bun child process; builds here set `features` explicitly.
  if (io.env === process.env) delete process.env.BUN_OPTIONS;
  const output = outputOptions(args, io);
  const text = output.format === "text";
  const today = args.values.get("--today");
  const summaryFile = args.values.get("--summary");
  const n = (x: number) => x.toLocaleString("en-US");

  const onProgress = (e: ProgressEvent): void => {
    if (!text || e.kind === "phase") return;
    const o = e.outcome;
    const s = o.sizes;
    const ok = o.problems.length === 0;
    const sizes = s
      ? `${n(s.raw).padStart(8)} B  gzip ${n(s.gzip).padStart(7)}  br ${n(s.brotli).padStart(7)}  budget ${n(o.budget).padStart(8)}`
      : "build failed";
    const proofs = `markers ${o.proofs.markers}, owned ${o.proofs.ownedModules}, leftovers ${o.proofs.leftovers}`;
    io.stderr(`  ${ok ? "✓" : "✗"} ${o.name.padEnd(12)} ${sizes}  ${proofs}  (${o.features.length} flags)\n`);
  };

  if (text) io.stderr("verify: building variants\n");
  const run = await runVerify(io.cwd, { ...(today ? { today } : {}), onProgress });
  report(run.diagnostics, { ...output, texts: run.texts, stdout: io.stdout, stderr: io.stderr });

  const summaryTarget = summaryFile ? resolve(io.cwd, summaryFile) : io.env.GITHUB_STEP_SUMMARY;
  if (summaryTarget && run.variants.length) {
    const md = markdownSummary({
      ok: run.ok,
      variants: run.variants,
      impacts: run.impacts,
      diagnostics: run.diagnostics,
      seconds: run.ms / 1000,
      builds: run.builds,
      bunVersion: Bun.version,
    });
    mkdirSync(dirname(summaryTarget), { recursive: true });
    // GitHub collects the step summary by appending; an explicit file gets this run only.
    if (summaryFile) writeFileSync(summaryTarget, md);
    else appendFileSync(summaryTarget, md);
  }

  if (text && run.variants.length) {
    const flags = run.impacts.length;
    io.stderr(
      `verify: ${run.variants.length} variants, ${flags} flags, ${n(run.builds)} builds in ${(run.ms / 1000).toFixed(2)} s; ${run.ok ? "all proofs pass" : "FAILED"}${run.results ? "; results in .cache/verify/results.json" : ""}\n`,
    );
  }
  return run.ok ? 0 : 1;
}
