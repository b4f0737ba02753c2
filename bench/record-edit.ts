/**
 * A writer edits one record, then proves what the edit affects (a script, not a test):
 *
 *   bun bench/record-edit.ts [--no-faults]
 *
 * Needs results of `npm run prove` in this repository (.cache/prove/results.json). It copies the
 * repository as a clone holds it (node_modules linked) with those results, proves what is stale there and, for
 * each edit below, times `scripts/generate.ts`, `scripts/check.ts` and `scripts/prove.ts` (planting the faults
 * of the proofs it runs again, as a Done needs; --no-faults skips that and only requires the proofs to pass),
 * and prints how many proofs ran again and how many stayed fresh:
 *
 *  - prose: a flag's description (the proofs that read only the records' behaviour view stay fresh);
 *  - target: a roadmap task's target date (no generated file changes);
 *  - limit: a control's limit (the behaviour view and src/generated/limits.ts change: those proofs run again).
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { copyRepository } from "../src/prove/repo-copy.ts";

const REPO = join(import.meta.dir, "..");
const BUN = process.execPath;
const FAULTS = !process.argv.includes("--no-faults");
const env: Record<string, string> = {};
for (const [k, v] of Object.entries(process.env)) if (v !== undefined && k !== "BUN_OPTIONS" && k !== "GITHUB_ACTIONS") env[k] = v;

const EDITS: { name: string; file: string; from: RegExp; to: string }[] = [
  {
    name: "prose",
    file: "data/features.yaml",
    from: /(- name: AUDIT_LOG\n(?: {2}.*\n)*? {2}description: )[^\n]*/,
    to: "$1Who did what, when, reworded by a writer.",
  },
  {
    name: "target",
    file: "data/roadmap.yaml",
    from: /(- name: TypeScript \+ Bun configuration\n(?: {2}.*\n)*? {2}target: )"2026-01-15"/,
    to: '$1"2026-01-14"',
  },
  { name: "limit", file: "data/security.yaml", from: /(?<head>- name: Audit Logging\n(?: {2}.*\n)*? {6}value: )1000/, to: "$<head>1001" },
];

const RESULTS = ".cache/prove/results.json";
if (!existsSync(join(REPO, RESULTS))) throw new Error("run npm run prove first: the bench starts from its results");

/** What a clone holds (src/prove/repo-copy.ts, node_modules linked) plus the prove results of `from`. */
function copyWithResults(from: string) {
  const copy = copyRepository(from);
  mkdirSync(join(copy.dir, dirname(RESULTS)), { recursive: true });
  copyFileSync(join(from, RESULTS), join(copy.dir, RESULTS));
  return copy;
}

/** How many proofs prove ran and kept: its summary says "ran N, kept M" unless it ran them all. */
function ranKept(stderr: string): { ran: number; kept: number } | undefined {
  const total = /^prove: (\d+) records/m.exec(stderr)?.[1];
  const some = /ran (\d+), kept (\d+)/.exec(stderr);
  if (!total) return undefined;
  return some ? { ran: Number(some[1]), kept: Number(some[2]) } : { ran: Number(total), kept: 0 };
}

function run(dir: string, script: string, args: string[] = []) {
  const t = performance.now();
  const p = Bun.spawnSync([BUN, join(dir, "scripts", script), ...args], { cwd: dir, env, stdout: "pipe", stderr: "pipe" });
  return { ms: Math.round(performance.now() - t), code: p.exitCode, stderr: p.stderr.toString() };
}

const base = copyWithResults(REPO);
try {
  // Whatever changed since this repository's last prove (the bench itself, say) is proven first, faults
  // planted: every edit below starts from results that are all fresh.
  const before = run(base.dir, "prove.ts");
  const setup = ranKept(before.stderr);
  if (before.code !== 0 || !setup) throw new Error(`the copy does not prove clean:\n${before.stderr.slice(-1500)}`);
  console.log(
    `record-edit (${FAULTS ? "planting faults" : "no faults"}); setup proved ${setup.ran} stale proofs, then all ${setup.ran + setup.kept} fresh before each edit`,
  );
  for (const edit of EDITS) {
    const copy = copyWithResults(base.dir);
    try {
      const file = join(copy.dir, edit.file);
      const text = readFileSync(file, "utf8");
      if (!edit.from.test(text)) throw new Error(`${edit.file} changed: update the ${edit.name} edit in bench/record-edit.ts`);
      writeFileSync(file, text.replace(edit.from, edit.to));
      const generate = run(copy.dir, "generate.ts");
      const check = run(copy.dir, "check.ts");
      const prove = run(copy.dir, "prove.ts", FAULTS ? [] : ["--no-faults"]);
      const counts = ranKept(prove.stderr);
      const passed = FAULTS ? prove.code === 0 : / \d+ proven, 0 not /.test(prove.stderr);
      if (!passed || !counts) throw new Error(`prove failed after the ${edit.name} edit:\n${prove.stderr.slice(-2000)}`);
      console.log(
        `${edit.name.padEnd(7)} generate ${generate.ms} ms, check ${check.ms} ms, prove ${prove.ms} ms: ran ${counts.ran}, kept ${counts.kept} fresh`,
      );
    } finally {
      copy.remove();
    }
  }
} finally {
  base.remove();
}
