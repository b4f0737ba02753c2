/**
 * npm test: runs `bun test` and ends with one plain line `N passed, N failed` that CI readers understand.
 * Output streams through untouched; the exit code is bun's.
 *
 * Test files run in two worker processes (one per core), slowest first by test/timings.json, so the
 * browser suites overlap the CLI and app suites instead of following them. `npm test -- --update-timings`
 * refreshes the timings after a run. Every test may take up to 60 s unless it sets its own timeout. Arguments
 * that name files or options pass through to `bun test`.
 */
import { existsSync } from "node:fs";

const TIMINGS = "test/timings.json";
const args = process.argv.slice(2);
const parallel = args.some((a) => a.startsWith("--parallel")) ? [] : ["--parallel=2", `--timings=${TIMINGS}`];
// Bun's default of 5 s per test is a flake on a loaded 2-core machine, where a build or a browser page can take
// longer; a test that sets its own timeout keeps it.
const timeout = args.some((a) => a.startsWith("--timeout")) ? [] : ["--timeout=60000"];
const env = { ...process.env, BUN_OPTIONS: "" };
const proc = Bun.spawn([process.execPath, "test", ...parallel, ...timeout, ...args], { env, stdout: "inherit", stderr: "pipe" });
let tail = "";
const decoder = new TextDecoder();
for await (const chunk of proc.stderr) {
  process.stderr.write(chunk);
  tail = (tail + decoder.decode(chunk, { stream: true })).slice(-4000);
}
const code = await proc.exited;
if (args.includes("--update-timings")) await pruneTimings();
const passed = Number(/^\s*(\d+) pass$/m.exec(tail)?.[1] ?? 0);
const failed = Number(/^\s*(\d+) fail$/m.exec(tail)?.[1] ?? (code === 0 ? 0 : 1));
process.stdout.write(`\n${passed} passed, ${failed} failed\n`);
process.exitCode = code === 0 && passed === 0 ? 1 : code;

/** Bun merges measured timings into what it read, so a removed or renamed test file would stay listed: drop it. */
async function pruneTimings(): Promise<void> {
  const timings = (await Bun.file(TIMINGS).json()) as { files: Record<string, number> };
  for (const file of Object.keys(timings.files)) if (!existsSync(file)) delete timings.files[file];
  await Bun.write(TIMINGS, `${JSON.stringify(timings, null, 2)}\n`);
}
