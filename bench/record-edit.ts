/**
 * A writer edits one record, then proves what the edit affects (a script, not a test):
 *
 *   bun bench/record-edit.ts [--faults]
 *
 * Needs fresh results of `npm run prove` in this repository (.cache/prove/results.json). It copies the
 * repository with those results into a temp folder (node_modules linked) and, for each edit below, times
 * `scripts/generate.ts`, `scripts/check.ts` and `scripts/prove.ts` (without planting faults unless --faults;
 * CI plants them all), and prints how many proofs ran again and how many stayed fresh:
 *
 *  - prose: a flag's description (the proofs that read only the records' behaviour view stay fresh);
 *  - target: a roadmap task's target date (no generated file changes);
 *  - limit: a control's limit (the behaviour view and src/generated/limits.ts change: those proofs run again).
 */
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const REPO = join(import.meta.dir, "..");
const BUN = process.execPath;
const FAULTS = process.argv.includes("--faults");
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

if (!existsSync(join(REPO, ".cache/prove/results.json"))) throw new Error("run npm run prove first: the bench starts from fresh results");
const base = mkdtempSync(join(tmpdir(), "record-edit-"));
try {
  const skip = new Set([".work", "node_modules", ".git", "dist", ".astro"]);
  // Top-level names only: a fixture's own dist/ or node_modules/ is part of test/, an input of some proofs.
  for (const name of readdirSync(REPO)) if (!skip.has(name)) cpSync(join(REPO, name), join(base, name), { recursive: true });
  symlinkSync(join(REPO, "node_modules"), join(base, "node_modules"));
  const run = (dir: string, script: string, args: string[] = []) => {
    const t = performance.now();
    const p = Bun.spawnSync([BUN, join(dir, "scripts", script), ...args], { cwd: dir, env, stdout: "pipe", stderr: "pipe" });
    return { ms: Math.round(performance.now() - t), code: p.exitCode, stderr: p.stderr.toString() };
  };
  const before = run(base, "prove.ts", ["--no-faults"]);
  if (!/ran 0, kept \d+/.test(before.stderr)) throw new Error(`the results are not fresh for this tree:\n${before.stderr.slice(-1500)}`);
  console.log(`record-edit (${FAULTS ? "planting faults" : "no faults"}); every proof fresh before each edit`);
  for (const edit of EDITS) {
    const dir = mkdtempSync(join(tmpdir(), `record-edit-${edit.name}-`));
    try {
      cpSync(base, dir, { recursive: true });
      const text = readFileSync(join(dir, edit.file), "utf8");
      if (!edit.from.test(text)) throw new Error(`${edit.file} changed: update the ${edit.name} edit in bench/record-edit.ts`);
      writeFileSync(join(dir, edit.file), text.replace(edit.from, edit.to));
      const generate = run(dir, "generate.ts");
      const check = run(dir, "check.ts");
      const prove = run(dir, "prove.ts", FAULTS ? [] : ["--no-faults"]);
      const counts = /ran (\d+), kept (\d+)/.exec(prove.stderr);
      if (prove.code !== 0 || !counts) throw new Error(`prove failed after the ${edit.name} edit:\n${prove.stderr.slice(-2000)}`);
      console.log(
        `${edit.name.padEnd(7)} generate ${generate.ms} ms, check ${check.ms} ms, prove ${prove.ms} ms: ran ${counts[1]}, kept ${counts[2]} fresh`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
} finally {
  rmSync(base, { recursive: true, force: true });
}
