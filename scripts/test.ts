/**
 * npm test: runs `bun test` and ends with one plain line `N passed, N failed` that CI readers understand.
 * Output streams through untouched; the exit code is bun's.
 *
 * Test files run in two worker processes (one per core), slowest first by test/timings.json, so the
 * browser suites overlap the CLI and app suites instead of following them. `npm test -- --update-timings`
 * refreshes the timings after a run. Every test may take up to 60 s unless it sets its own timeout. Arguments
 * that name files or options pass through to `bun test`.
 *
 * The counts come from bun's JUnit report, read by the prover's reader (src/prove/junit.ts), not from its
 * console text, which a test's own output can imitate.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseJunit, type JunitCase } from "../src/prove/junit.ts";

const TIMINGS = "test/timings.json";
// Bun keeps only the last --reporter: dots is asked for by its own flag, so the JUnit report the counts come from stays.
const args = process.argv.slice(2).map((a) => (a === "--reporter=dots" ? "--dots" : a));
const parallel = args.some((a) => a.startsWith("--parallel")) ? [] : ["--parallel=2", `--timings=${TIMINGS}`];
// Bun's default of 5 s per test is a flake on a loaded 2-core machine, where a build or a browser page can take
// longer; a test that sets its own timeout keeps it.
const timeout = args.some((a) => a.startsWith("--timeout")) ? [] : ["--timeout=60000"];
const env = { ...process.env, BUN_OPTIONS: "" };
// A JUnit report asked for on the command line is the one read; otherwise one in a folder of our own.
const given = args.find((a) => a.startsWith("--reporter-outfile="))?.slice("--reporter-outfile=".length);
const own = given === undefined ? mkdtempSync(join(tmpdir(), "npm-test-")) : undefined;
const report = given ?? join(own!, "junit.xml");
const reporter = own ? ["--reporter=junit", `--reporter-outfile=${report}`] : [];
const proc = Bun.spawn([process.execPath, "test", ...parallel, ...timeout, ...reporter, ...args], {
  env,
  stdout: "inherit",
  stderr: "inherit",
});
const code = await proc.exited;
if (args.includes("--update-timings")) await pruneTimings();
const cases = readReport(report);
if (own) rmSync(own, { recursive: true, force: true });
const passed = cases?.filter((c) => c.status === "passed").length ?? 0;
const failed = cases?.filter((c) => c.status === "failed").length ?? (code === 0 ? 0 : 1);
process.stdout.write(`\n${passed} passed, ${failed} failed\n`);
process.exitCode = code === 0 && passed === 0 ? 1 : code;

/** The report's test cases; undefined when bun wrote none or an unreadable one (it crashed or was killed). */
function readReport(file: string): JunitCase[] | undefined {
  try {
    return parseJunit(readFileSync(file, "utf8"));
  } catch {
    return undefined;
  }
}

/** Bun merges measured timings into what it read, so a removed or renamed test file would stay listed: drop it. */
async function pruneTimings(): Promise<void> {
  const timings = (await Bun.file(TIMINGS).json()) as { files: Record<string, number> };
  for (const file of Object.keys(timings.files)) if (!existsSync(file)) delete timings.files[file];
  await Bun.write(TIMINGS, `${JSON.stringify(timings, null, 2)}\n`);
}
