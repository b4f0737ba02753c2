/**
 * A writer edits one record, then proves what the edit affects (a script, not a test):
 *
 *   bun bench/record-edit.ts [--no-faults]
 *
 * Needs results of `npm run prove` in this repository (.cache/prove/results.json). It copies the
 * repository with those results into a temp folder (node_modules linked), proves what is stale there and, for
 * each edit below, times `scripts/generate.ts`, `scripts/check.ts` and `scripts/prove.ts` (planting the faults
 * of the proofs it runs again, as a Done needs; --no-faults skips that and only requires the proofs to pass),
 * and prints how many proofs ran again and how many stayed fresh:
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

if (!existsSync(join(REPO, ".cache/prove/results.json"))) throw new Error("run npm run prove first: the bench starts from fresh results");
const base = mkdtempSync(join(tmpdir(), "record-edit-"));
try {
  const skip = new Set([".work", "node_modules", ".git", "dist", ".astro"]);
  // Top-level names only: a fixture's own dist/ or node_modules/ is part of test/, an input of some proofs.
  for (const name of readdirSync(REPO)) if (!skip.has(name)) cpSync(join(REPO, name), join(base, name), { recursive: true });
  symlinkSync(join(REPO, "node_modules"), join(base, "node_modules"));
  /** How many proofs prove ran and kept: its summary says "ran N, kept M" unless it ran them all. */
  const ranKept = (stderr: string): [string, string, string] | undefined => {
    const total = /^prove: (\d+) records/m.exec(stderr)?.[1];
    const some = /ran (\d+), kept (\d+)/.exec(stderr);
    if (!total) return undefined;
    return some ? [some[0], some[1]!, some[2]!] : ["", total, "0"];
  };
  const run = (dir: string, script: string, args: string[] = []) => {
    const t = performance.now();
    const p = Bun.spawnSync([BUN, join(dir, "scripts", script), ...args], { cwd: dir, env, stdout: "pipe", stderr: "pipe" });
    return { ms: Math.round(performance.now() - t), code: p.exitCode, stderr: p.stderr.toString() };
  };
  // Whatever changed since this repository's last prove (the bench itself, say) is proven first, faults
  // planted: every edit below starts from results that are all fresh.
  const before = run(base, "prove.ts");
  const setup = ranKept(before.stderr);
  if (before.code !== 0 || !setup) throw new Error(`the copy does not prove clean:\n${before.stderr.slice(-1500)}`);
  console.log(
    `record-edit (${FAULTS ? "planting faults" : "no faults"}); setup proved ${setup[1]} stale proofs, then all ${Number(setup[1]) + Number(setup[2])} fresh before each edit`,
  );
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
      const counts = ranKept(prove.stderr);
      const passed = FAULTS ? prove.code === 0 : / \d+ proven, 0 not /.test(prove.stderr);
      if (!passed || !counts) throw new Error(`prove failed after the ${edit.name} edit:\n${prove.stderr.slice(-2000)}`);
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
