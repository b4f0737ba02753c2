/**
 * A proof must catch its faults. Each fault a record lists (`proof.faults`: a source file under src/, a text
 * in it and what replaces it) is planted, one at a time, into a copy of the repository (repo-copy.ts; the real
 * tree is never written), and the record's proof tests run there (bun-test.ts, narrowed to the proof's name,
 * in a process group killed at the end or at a deadline). A fault is caught when a selected test fails with
 * it planted; when they all still pass, or do not run to a report, the proof is failed (proof-fault-missed).
 * A fault whose text is not in its file, or whose file is a link, missing or outside the repository, is
 * stale (proof-fault-stale) and never planted. `replace` is record text that becomes code the tests run: it runs
 * only in the copy, with an environment stripped of anything that could be a secret (faultEnv), and all of
 * planting is bounded in time (a fault not started by the deadline is not planted, and says so).
 *
 * One copy serves a batch: after each fault its file gets its original text back, so the next fault meets
 * the tree the tests of the first met (the behaviour tests write only below the system temp dir; a test that
 * wrote into the tree would find its file again, as in a second run of the real tree). Records are shared out
 * over `concurrency` copies (`--fault-jobs`, 2 by default: on a shared 2-core machine planting took a median
 * of 77 s with two copies against 128 s with one, bench/plant-holes.ts, much of a planted run being a wait).
 */
import { existsSync, renameSync } from "node:fs";
import { dirname, join } from "node:path";
import type { z } from "zod";
import { isPlainFileInside, readInside } from "../core/fs/safe-fs.ts";
import { writeAtomic } from "../core/fs/write-atomic.ts";
import { recordPlace } from "../core/load/yaml-source.ts";
import type { FaultOutcome } from "../core/model/faults.ts";
import type { ProvedEntry } from "../core/model/proof.ts";
import { diagnostic, type Diagnostic } from "../core/report/diagnostics.ts";
import type { Fault as FaultSchema } from "../core/schema/fields.ts";
import { runBunTest, type BunTestOptions } from "./bun-test.ts";
import { variantOf } from "./junit.ts";
import { selectCases } from "./select-cases.ts";
import { copyRepository, type RepoCopy } from "./repo-copy.ts";

export interface PlantOptions extends Omit<BunTestOptions, "nameContains" | "namesAny" | "timeoutMs"> {
  /** Copies, each proving the faults of one record at a time (default 1). */
  concurrency?: number;
  /** Deadline of one planted run (default 5 minutes). */
  faultTimeoutMs?: number;
  /** Deadline of all planting: faults not started by then are not planted (default 20 minutes). */
  totalTimeoutMs?: number;
  /** Records whose tests run without data/ (they read no record): their faults are proven the same way. */
  withoutRecords?: (entry: ProvedEntry) => boolean;
  /**
   * A record's faults are no longer wanted once this aborts (its proof failed): a planted run of it still
   * going is killed, and the rest are not started (their outcome says so).
   */
  abandonedOf?: (entry: ProvedEntry) => AbortSignal | undefined;
}

export interface PlantResult {
  /** The outcome of every listed fault, per record, in list order. */
  outcomes: Map<ProvedEntry, FaultOutcome[]>;
  diagnostics: Diagnostic[];
  /** The diagnostics of each record's faults (those of `diagnostics`). */
  diagnosticsOf: Map<ProvedEntry, Diagnostic[]>;
  /** Wall-clock seconds of the planting, copies included. */
  seconds: number;
}

type Fault = z.infer<typeof FaultSchema>;

/**
 * The environment of a planted run: a fault's `replace` is record text that becomes code the tests run, so
 * it gets what tests need to run and nothing that could be a secret (tokens, keys, CI credentials).
 */
const KEPT_ENV = ["PATH", "HOME", "TMPDIR", "TMP", "TEMP", "LANG", "LC_ALL", "TZ", "TERM", "NO_COLOR", "CI"];
export function faultEnv(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of KEPT_ENV) if (env[k] !== undefined) out[k] = env[k]!;
  return out;
}

/** Source files are small; a fault's file over this is refused rather than read. */
const MAX_SOURCE_BYTES = 4 * 1024 * 1024;

/** A fault ready to plant: the original text of its file and the text with the fault in it. */
interface Planting {
  index: number;
  fault: Fault;
  original: string;
  planted: string;
}

/** The first occurrence of `find` replaced by `replace`, literally (no `$&` patterns), or undefined when absent. */
export function plantText(text: string, find: string, replace: string): string | undefined {
  const at = text.indexOf(find);
  return at < 0 ? undefined : text.slice(0, at) + replace + text.slice(at + find.length);
}

/** Why a fault cannot be planted into `root` (at which of its keys), or the planting. */
export function prepareFault(root: string, fault: Fault, index: number): Planting | { key: "file" | "find"; why: string } {
  if (!isPlainFileInside(root, fault.file)) {
    const read = readInside(root, fault.file, MAX_SOURCE_BYTES);
    const why =
      "refusal" in read && read.refusal.rule !== "outside-repository" && /ENOENT/.test(read.refusal.message)
        ? "is not a file of the repository"
        : "is a link, or not a regular file inside the repository: a fault is planted only into a plain file";
    return { key: "file", why: `${fault.file} ${why}` };
  }
  const read = readInside(root, fault.file, MAX_SOURCE_BYTES);
  if ("refusal" in read) return { key: "file", why: read.refusal.message };
  let original: string;
  try {
    original = new TextDecoder("utf-8", { fatal: true }).decode(read.bytes);
  } catch {
    return { key: "file", why: `${fault.file} is not UTF-8 text` };
  }
  const planted = plantText(original, fault.find, fault.replace);
  if (planted === undefined)
    return { key: "find", why: `the text to find is not in ${fault.file} (any more): copy it from the file as it is now` };
  if (planted === original) return { key: "find", why: "replace is the same text as find: planting it changes nothing" };
  return { index, fault, original, planted };
}

async function plantOne(copy: RepoCopy, entry: ProvedEntry, p: Planting, options: PlantOptions): Promise<FaultOutcome> {
  const proof = entry.record.proof!;
  const path = join(copy.dir, p.fault.file);
  const started = performance.now();
  writeAtomic(path, p.planted, copy.dir, { durable: false });
  // Beside the copy's root, not inside it: the tests run as they ran unplanted, where there is no data/.
  const aside = options.withoutRecords?.(entry) ? join(dirname(copy.dir), "data-aside") : undefined;
  if (aside && existsSync(join(copy.dir, "data"))) renameSync(join(copy.dir, "data"), aside);
  let run;
  try {
    run = await runBunTest(copy.dir, proof.tests, {
      bun: options.bun,
      env: faultEnv(options.env),
      timeoutMs: options.faultTimeoutMs ?? 5 * 60_000,
      ...(proof.name === undefined ? {} : { nameContains: proof.name }),
      ...(options.abandonedOf?.(entry) ? { signal: options.abandonedOf(entry)! } : {}),
    });
  } finally {
    writeAtomic(path, p.original, copy.dir, { durable: false });
    if (aside && existsSync(aside)) renameSync(aside, join(copy.dir, "data"));
  }
  const duration = Math.round((performance.now() - started) / 10) / 100;
  const base = { id: p.fault.id, what: p.fault.what, duration };
  const cases = selectCases(entry, run.cases);
  const failed = cases.filter((c) => c.status === "failed");
  if (failed.length) {
    const variants = [...new Set(failed.flatMap((c) => variantOf(c.name) ?? []))].sort();
    return { ...base, state: "caught", failures: failed.map((c) => [...c.suites, c.name].join(" › ")), variants };
  }
  if (!run.reported || cases.length === 0) {
    const why = run.timedOut
      ? `bun test did not finish within ${Math.round((options.faultTimeoutMs ?? 5 * 60_000) / 1000)} s`
      : !run.reported
        ? `bun test wrote no report (exit ${run.exitCode})`
        : "no test of the proof ran";
    return { ...base, state: "error", failures: [], variants: [], reason: `its tests did not run with the fault planted: ${why}` };
  }
  const passed = cases.filter((c) => c.status === "passed").length;
  return {
    ...base,
    state: "missed",
    failures: [],
    variants: [],
    reason: `${passed} of ${cases.length} tests of the proof still pass with it planted`,
  };
}

/**
 * Plants the faults of `entries` into copies of `root` and returns each fault's outcome with a diagnostic for
 * each not caught. The prover calls it while the proofs themselves run, and keeps what it finds only under
 * proofs that pass (a failing proof has nothing to show; `abandonedOf` stops its planting).
 */
export async function plantFaults(root: string, entries: readonly ProvedEntry[], options: PlantOptions): Promise<PlantResult> {
  const started = performance.now();
  const outcomes = new Map<ProvedEntry, FaultOutcome[]>();
  const diagnosticsOf = new Map<ProvedEntry, Diagnostic[]>();
  const report = (entry: ProvedEntry, d: Diagnostic) => diagnosticsOf.set(entry, [...(diagnosticsOf.get(entry) ?? []), d]);
  const work: { entry: ProvedEntry; plantings: Planting[]; slots: (FaultOutcome | undefined)[] }[] = [];
  for (const entry of entries) {
    const faults = entry.record.proof?.faults ?? [];
    if (!faults.length) continue;
    const slots: (FaultOutcome | undefined)[] = faults.map(() => undefined);
    const plantings: Planting[] = [];
    faults.forEach((fault, i) => {
      const p = prepareFault(root, fault, i);
      if ("why" in p) {
        slots[i] = { id: fault.id, what: fault.what, state: "stale", failures: [], variants: [], reason: p.why, duration: 0 };
        report(
          entry,
          diagnostic(
            "proof-fault-stale",
            recordPlace(entry, ["proof", "faults", i, p.key]),
            `fault ${fault.id} of ${entry.record.name} cannot be planted: ${p.why}`,
          ),
        );
      } else plantings.push(p);
    });
    work.push({ entry, plantings, slots });
  }
  const queue = work.filter((w) => w.plantings.length > 0);
  const deadline = started + (options.totalTimeoutMs ?? 20 * 60_000);
  const workers = Math.max(1, Math.min(options.concurrency ?? 1, queue.length));
  // Records that share a proof (the same tests and name, run the same way) and list the same fault get the
  // outcome of one planted run: it selects the same cases from the same report as a run of its own would.
  const shared = new Map<string, Promise<FaultOutcome>>();
  const plantShared = (copy: RepoCopy, entry: ProvedEntry, p: Planting): Promise<FaultOutcome> => {
    const proof = entry.record.proof!;
    const key = JSON.stringify([
      proof.tests,
      proof.name ?? null,
      options.withoutRecords?.(entry) ?? false,
      p.fault.file,
      p.fault.find,
      p.fault.replace,
    ]);
    let outcome = shared.get(key);
    if (!outcome) shared.set(key, (outcome = plantOne(copy, entry, p, options)));
    return outcome.then((o) => ({ ...o, id: p.fault.id, what: p.fault.what }));
  };
  if (queue.length) {
    await Promise.all(
      Array.from({ length: workers }, async () => {
        const copy = copyRepository(root);
        try {
          for (let w = queue.shift(); w; w = queue.shift()) {
            for (const p of w.plantings) {
              const notPlanted = (why: string): FaultOutcome => ({
                id: p.fault.id,
                what: p.fault.what,
                state: "error",
                failures: [],
                variants: [],
                reason: `not planted: ${why}`,
                duration: 0,
              });
              w.slots[p.index] = options.abandonedOf?.(w.entry)?.aborted
                ? notPlanted("its proof failed")
                : performance.now() < deadline
                  ? await plantShared(copy, w.entry, p)
                  : notPlanted("the time for planting faults ran out");
            }
          }
        } finally {
          copy.remove();
        }
      }),
    );
  }
  for (const w of work) {
    const list = w.slots.filter((o): o is FaultOutcome => o !== undefined);
    outcomes.set(w.entry, list);
    list.forEach((o) => {
      if (o.state !== "missed" && o.state !== "error") return;
      const i = (w.entry.record.proof?.faults ?? []).findIndex((f) => f.id === o.id);
      report(
        w.entry,
        diagnostic(
          "proof-fault-missed",
          recordPlace(w.entry, ["proof", "faults", i, "id"]),
          `fault ${o.id} of ${w.entry.record.name} (${o.what}) was not caught: ${o.reason}`,
        ),
      );
    });
  }
  const diagnostics = entries.flatMap((e) => diagnosticsOf.get(e) ?? []);
  return { outcomes, diagnostics, diagnosticsOf, seconds: (performance.now() - started) / 1000 };
}
