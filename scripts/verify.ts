/**
 * npm run verify: build every variant and prove the tables against the bundles. Exit 1 on any error.
 *
 *   bun scripts/verify.ts [--json | --format text|json] [--summary FILE] [--fix] [--today YYYY-MM-DD]
 *
 * Progress per variant goes to stderr, diagnostics print exactly like `npm run check`, the Markdown
 * summary goes to FILE or is appended to $GITHUB_STEP_SUMMARY.
 */
import { appendFileSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { isRealDate } from "../src/core/schema/kinds.ts";
import { fail, parseCliArgs, report } from "../src/core/report/report.ts";
import { markdownSummary } from "../src/verify/markdown-summary.ts";
import { runVerify, type ProgressEvent } from "../src/verify/run-verify.ts";

// A --feature in BUN_OPTIONS would reach any bun child process; builds here set `features` explicitly.
delete process.env.BUN_OPTIONS;

function takeValue(argv: string[], name: string): string | undefined {
  const i = argv.findIndex((a) => a === name || a.startsWith(`${name}=`));
  if (i < 0) return undefined;
  const a = argv[i]!;
  const value = a.includes("=") ? a.slice(name.length + 1) : argv[i + 1];
  argv.splice(i, a.includes("=") ? 1 : 2);
  if (!value || value.startsWith("--")) fail(`${name} needs a value`, 2);
  return value;
}

const argv = process.argv.slice(2);
const summaryFile = takeValue(argv, "--summary");
const today = takeValue(argv, "--today");
if (today !== undefined && !isRealDate(today)) fail(`--today takes a date written YYYY-MM-DD, not ${JSON.stringify(today)}`, 2);
const args = parseCliArgs(argv, ["--fix"]);
const text = args.format === "text";
const n = (x: number) => x.toLocaleString("en-US");

function onProgress(e: ProgressEvent): void {
  if (!text) return;
  if (e.kind === "phase") return;
  const o = e.outcome;
  const s = o.sizes;
  const ok = o.problems.length === 0;
  const sizes = s ? `${n(s.raw).padStart(8)} B  gzip ${n(s.gzip).padStart(7)}  br ${n(s.brotli).padStart(7)}  budget ${n(o.budget).padStart(8)}` : "build failed";
  const proofs = `markers ${o.proofs.markers}, owned ${o.proofs.ownedModules}, leftovers ${o.proofs.leftovers}`;
  process.stderr.write(`  ${ok ? "✓" : "✗"} ${o.name.padEnd(12)} ${sizes}  ${proofs}  (${o.features.length} flags)\n`);
}

if (text) process.stderr.write("verify: building variants\n");
const run = await runVerify(process.cwd(), { ...(today ? { today } : {}), fix: args.flags.has("--fix"), onProgress });
report(run.diagnostics, { ...args, texts: run.texts });

const summaryTarget = summaryFile ?? process.env.GITHUB_STEP_SUMMARY;
if (summaryTarget && run.variants.length) {
  const md = markdownSummary({ ok: run.ok, variants: run.variants, impacts: run.impacts, diagnostics: run.diagnostics, seconds: run.ms / 1000, builds: run.builds, bunVersion: Bun.version });
  mkdirSync(dirname(summaryTarget), { recursive: true });
  // GitHub collects the step summary by appending; an explicit file gets this run only.
  if (summaryFile) writeFileSync(summaryFile, md);
  else appendFileSync(summaryTarget, md);
}

if (text) {
  const fixed = run.written.filter((w) => w === "package.json" || w.startsWith(".github/"));
  if (fixed.length) process.stderr.write(`verify --fix: wrote ${fixed.join(", ")}\n`);
  if (run.variants.length) {
    const flags = run.impacts.length;
    process.stderr.write(
      `verify: ${run.variants.length} variants, ${flags} flags, ${n(run.builds)} builds in ${(run.ms / 1000).toFixed(2)} s; ${run.ok ? "all proofs pass" : "FAILED"}${run.results ? "; results in .cache/verify/results.json" : ""}\n`,
    );
  }
}
// No process.exit: the process ends once stdout and stderr have drained, so every diagnostic reaches a pipe.
process.exitCode = run.ok ? 0 : 1;
