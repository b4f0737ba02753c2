/**
 * One `bun test --reporter=junit` run over validated test files, read back from its report. The run is a
 * process group of its own (setsid), so a timeout or the end of the run kills what the tests started too
 * (servers of built variants), not only bun test. BUN_OPTIONS is never passed on; no record text reaches the
 * command line but validated repository paths and, to narrow a run to one proof, its name as an escaped
 * (literal) regular expression inside one `--test-name-pattern=` argument (several names: an alternation of
 * literal ones), never read as an option.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isRepoPath } from "../core/schema/kinds.ts";
import { parseJunit, type JunitCase } from "./junit.ts";

export interface BunTestOptions {
  /** The Bun that runs the tests (the pinned one: process.execPath under npm run). */
  bun: string;
  /** Environment of the test run; BUN_OPTIONS is always removed. */
  env: Readonly<Record<string, string | undefined>>;
  /** Kill the run (and everything it started) after this many milliseconds (default 15 minutes). */
  timeoutMs?: number;
  /** Run only tests whose full name contains this text (a describe or test name of a proof). */
  nameContains?: string;
  /** Run only tests whose full name contains one of these texts (the proofs' names; ignored with nameContains). */
  namesAny?: readonly string[];
  /** Kill the run (and everything it started) when this aborts: its outcome is no longer wanted. */
  signal?: AbortSignal;
}

export interface TestRun {
  cases: JunitCase[];
  /** False when bun test wrote no report (it crashed, or was killed). */
  reported: boolean;
  exitCode: number;
  output: string;
  /** True when the run was killed at its deadline. */
  timedOut?: boolean;
}

/** `text` as a regular expression that matches exactly it. */
export const literalPattern = (text: string) => text.replace(/[\\^$.*+?()[\]{}|]/g, "\\$&");

/** Kills a process group; quiet when it is gone already. */
function killGroup(pid: number): void {
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
    /* the group has ended */
  }
}

/**
 * Groups of runs still going. Being a session of their own, they do not get the terminal's Ctrl-C: while any
 * runs, an exit or SIGINT/SIGTERM/SIGHUP of this process kills them first (and a signal is then re-raised).
 */
const running = new Set<number>();
const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
const killAll = () => {
  for (const pid of running) killGroup(pid);
};
const onSignal = (signal: NodeJS.Signals) => {
  killAll();
  release();
  process.kill(process.pid, signal);
};
function hold(pid: number): void {
  if (running.size === 0) {
    process.on("exit", killAll);
    for (const s of SIGNALS) process.on(s, onSignal);
  }
  running.add(pid);
}
function release(pid?: number): void {
  if (pid !== undefined) running.delete(pid);
  if (pid !== undefined && running.size > 0) return;
  process.off("exit", killAll);
  for (const s of SIGNALS) process.off(s, onSignal);
}

/** Runs `files` (repository paths, checked again here) with bun test in `root`. */
export async function runBunTest(root: string, files: readonly string[], options: BunTestOptions): Promise<TestRun> {
  const dir = mkdtempSync(join(tmpdir(), "prove-"));
  const out = join(dir, "junit.xml");
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(options.env)) if (v !== undefined && k !== "BUN_OPTIONS") env[k] = v;
  // Proofs too slow for every `npm test` (the whole-program type-check) run only when this is set.
  env.TAKEOFF_PROVE = "1";
  try {
    // Every file is a validated repository path (isRepoPath): "./" keeps bun test from reading it as a filter.
    const args = files.filter((f) => isRepoPath(f, { ext: ".test.ts" })).map((f) => `./${f}`);
    const names = options.nameContains !== undefined ? [options.nameContains] : (options.namesAny ?? []);
    const filter = names.length
      ? [`--test-name-pattern=${names.length === 1 ? literalPattern(names[0]!) : `(?:${names.map(literalPattern).join("|")})`}`]
      : [];
    const child = Bun.spawn([options.bun, "test", "--reporter=junit", `--reporter-outfile=${out}`, ...filter, ...args], {
      cwd: root,
      env,
      stdin: "ignore",
      stdout: "pipe",
      stderr: "pipe",
      detached: true,
    });
    hold(child.pid);
    const abandon = () => killGroup(child.pid);
    options.signal?.addEventListener("abort", abandon, { once: true });
    if (options.signal?.aborted) abandon();
    let timedOut = false;
    const timer = setTimeout(
      () => {
        timedOut = true;
        killGroup(child.pid);
      },
      options.timeoutMs ?? 15 * 60_000,
    );
    const texts = Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text()]);
    let exitCode: number;
    try {
      exitCode = await child.exited;
    } finally {
      clearTimeout(timer);
      options.signal?.removeEventListener("abort", abandon);
      // Whatever the tests started and left running goes with the run (and lets go of the output pipes).
      killGroup(child.pid);
      release(child.pid);
    }
    const [stdout, stderr] = await texts;
    let xml: string | undefined;
    try {
      xml = timedOut ? undefined : readFileSync(out, "utf8");
    } catch {
      xml = undefined;
    }
    let output = `${stdout}${stderr}`;
    let cases: JunitCase[] = [];
    let reported = xml !== undefined;
    // A report cut off (the run killed while writing it) is no report: nothing in it counts.
    if (xml !== undefined) {
      try {
        cases = parseJunit(xml);
      } catch (e) {
        reported = false;
        output += `\n${(e as Error).message}\n`;
      }
    }
    return { cases, reported, exitCode, output, ...(timedOut ? { timedOut } : {}) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
