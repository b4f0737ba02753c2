/**
 * The README's "Add a flag in three steps", followed literally in a copy of the repository (what a clone plus
 * the working tree holds, node_modules linked): the YAML block is read from README.md itself and appended to
 * data/features.yaml; then generate, use the flag in the app behind the guard the README shows, add it to a
 * variant in data/variants.yaml, generate again, check. After that generate, check, typecheck and verify
 * pass in the copy, and so do the suite's tests whose invariants the records decide (every flag built alone
 * and left out, every variant run, the bundle with every flag, the repository verifying clean).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { parse } from "yaml";
import { loadModel } from "../../src/core/model/model.ts";
import { BUN, cleanEnv, REPO } from "../helpers/project.ts";

const README = readFileSync(join(REPO, "README.md"), "utf8");

/** The section "### Add a flag in three steps", up to the next heading. */
function section(): string {
  const start = README.indexOf("### Add a flag in three steps");
  if (start < 0) throw new Error('README.md has no "### Add a flag in three steps" section');
  const end = README.indexOf("\n#", start + 4);
  return README.slice(start, end < 0 ? undefined : end);
}

/** The section's ```yaml block, de-indented as a reader pastes it. */
function yamlBlock(text: string): string {
  const m = /^([ \t]*)```yaml\n([\s\S]*?)^[ \t]*```/m.exec(text);
  if (!m) throw new Error("the section has no ```yaml block");
  const indent = m[1]!;
  return m[2]!
    .split("\n")
    .map((l) => (l.startsWith(indent) ? l.slice(indent.length) : l))
    .join("\n");
}

/** Tracked and untracked (not ignored) files: what a clone plus the working tree holds. */
function repoFiles(): string[] {
  const p = Bun.spawnSync(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: REPO, stdout: "pipe" });
  if (p.exitCode !== 0) throw new Error("git ls-files failed");
  return p.stdout.toString().split("\0").filter(Boolean);
}

function copyRepo(dir: string): void {
  for (const rel of repoFiles()) {
    // node_modules is linked below (a checkout whose node_modules is itself a link lists it as untracked).
    if (rel === "node_modules" || rel.startsWith("node_modules/")) continue;
    try {
      mkdirSync(dirname(join(dir, rel)), { recursive: true });
      cpSync(join(REPO, rel), join(dir, rel));
    } catch {
      // a file deleted in the working tree
    }
  }
  symlinkSync(join(REPO, "node_modules"), join(dir, "node_modules"));
}

interface Step {
  code: number;
  out: string;
}

/** `npm run <script>` as the README says (`bun run`, which runs the same package.json script, without npm). */
function npmRun(dir: string, script: string, ...args: string[]): Step {
  const cmd = Bun.which("npm")
    ? ["npm", "run", "--silent", script, ...(args.length ? ["--", ...args] : [])]
    : [BUN, "run", script, ...args];
  const p = Bun.spawnSync(cmd, {
    cwd: dir,
    env: cleanEnv({ PATH: `${join(REPO, "node_modules/.bin")}:${process.env.PATH ?? ""}` }),
    stdout: "pipe",
    stderr: "pipe",
  });
  return { code: p.exitCode ?? -1, out: `${p.stdout.toString()}${p.stderr.toString()}` };
}

const expectOk = (step: Step, what: string) =>
  expect({ what, code: step.code, out: step.code === 0 ? "" : step.out.slice(-3000) }).toEqual({ what, code: 0, out: "" });

let dir = "";
let flag = "";
let shipped = "";

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "takeoff-readme-"));
  copyRepo(dir);
}, 120_000);
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("README: Add a flag in three steps", () => {
  test("1. Record it: the README's YAML block appended to data/features.yaml", () => {
    const block = yamlBlock(section());
    const records = parse(block) as { name: string }[];
    expect(Array.isArray(records) && records.length === 1 && typeof records[0]!.name === "string").toBe(true);
    flag = records[0]!.name;
    // The step text names the flag the block records.
    expect(section()).toContain(`feature("${flag}")`);
    const file = join(dir, "data/features.yaml");
    const text = readFileSync(file, "utf8");
    writeFileSync(file, `${text}${text.endsWith("\n") ? "" : "\n"}\n${block.trimEnd()}\n`);
  });

  test("2. Generate: the flag joins the registry", () => {
    expect(section()).toContain("`npm run generate`");
    expectOk(npmRun(dir, "generate"), "generate");
    expect(readFileSync(join(dir, "src/generated/registry.ts"), "utf8")).toContain(`"${flag}"`);
    // Builds list the flags compiled in (the e2e and variant tests read that list): generate writes it too.
    expect(readFileSync(join(dir, "src/generated/features.ts"), "utf8")).toContain(`if (feature("${flag}")) on.push("${flag}");`);
  }, 120_000);

  test("3. Use and ship it: guarded in the app, added to a variant, generated again, checked", () => {
    const text = section();
    // The guard exactly as the README writes it, with a real body in place of the ellipsis.
    const guard = new RegExp(`if \\(feature\\("${flag}"\\)\\) \\{ … \\}`).exec(text)?.[0];
    expect(guard).toBeDefined();
    const use = guard!.replace("{ … }", `{ io.err("${flag} is on"); }`);
    // In the app's pipeline, before its last stage.
    const app = join(dir, "src/app/app.ts");
    const source = readFileSync(app, "utf8");
    const last = /^([ \t]*)return liveStream\(/m.exec(source);
    expect(last).not.toBeNull();
    writeFileSync(app, `${source.slice(0, last!.index)}${last![1]}${use}\n${source.slice(last!.index)}`);

    // A variant that may carry it: not Production (a Planned, Pending flag must not ship there) and in its scope.
    const { model } = loadModel(dir);
    const entry = model.flag(flag)!;
    const variant = model.records.variants.find(
      (v) => v.record.type !== "Production" && model.scopesOf(entry).includes(v.record.scope as string),
    );
    expect(variant).toBeDefined();
    shipped = variant!.record.name;
    const variantsFile = join(dir, "data/variants.yaml");
    const lines = readFileSync(variantsFile, "utf8").split("\n");
    const start = lines.indexOf(`- name: ${shipped}`);
    const featuresLine = lines.findIndex((l, i) => i > start && /^ {2}features:/.test(l));
    expect(start >= 0 && featuresLine > start).toBe(true);
    if (/\[.*\]\s*$/.test(lines[featuresLine]!))
      lines[featuresLine] = lines[featuresLine]!.replace(/\]\s*$/, `, ${flag}]`).replace("[, ", "[");
    else lines.splice(featuresLine + 1, 0, `    - ${flag}`);
    writeFileSync(variantsFile, lines.join("\n"));

    expect(text).toMatch(/run `npm run generate` again/);
    expectOk(npmRun(dir, "generate"), "generate after editing data/variants.yaml");
    expectOk(npmRun(dir, "check"), "check");
    expect(JSON.parse(readFileSync(join(dir, "package.json"), "utf8")).scripts[`build:${shipped}`]).toContain(`--feature=${flag}`);
  }, 180_000);

  test("the copy type-checks and verifies", () => {
    expectOk(npmRun(dir, "typecheck"), "typecheck");
    expectOk(npmRun(dir, "verify"), "verify");
    const results = JSON.parse(readFileSync(join(dir, ".cache/verify/results.json"), "utf8")) as {
      flags: { name: string; leaveOneOut: { variant: string }[] }[];
    };
    expect(results.flags.find((f) => f.name === flag)?.leaveOneOut.map((d) => d.variant)).toEqual([shipped]);
  }, 600_000);

  test("the typo the README names is caught by check, at its place, with a did-you-mean", () => {
    const typo = /a typo such as `feature\("([A-Z0-9_]+)"\)`/.exec(section())?.[1];
    expect(typo).toBeDefined();
    const app = join(dir, "src/app/app.ts");
    const source = readFileSync(app, "utf8");
    const at = source.indexOf(`feature("${flag}")`);
    const line = source.slice(0, at).split("\n").length;
    const col = at - source.lastIndexOf("\n", at - 1) + "feature(".length;
    writeFileSync(app, source.replace(`feature("${flag}")`, `feature("${typo}")`));
    try {
      const r = npmRun(dir, "check");
      expect(r.code).toBe(1);
      expect(r.out).toContain(`src/app/app.ts:${line}:${col}: error undeclared-flag: flag "${typo}" is not declared in data/features.yaml`);
      expect(r.out).toContain(`hint: did you mean "${flag}"?`);
    } finally {
      writeFileSync(app, source);
    }
  }, 120_000);

  test("the suite's record-driven invariants hold in the copy", () => {
    const files = [
      "test/app/build.test.ts",
      "test/app/e2e.test.ts",
      "test/app/source-rules.test.ts",
      "test/app/limits.test.ts",
      "test/behaviour/variants-run.test.ts",
      "test/verify/repository.test.ts",
      "test/core/repository.test.ts",
    ];
    const p = Bun.spawnSync([BUN, "test", "--timeout=300000", ...files], { cwd: dir, env: cleanEnv(), stdout: "pipe", stderr: "pipe" });
    const out = p.stderr.toString();
    const failed = out.split("\n").filter((l) => l.startsWith("(fail)"));
    expect({ code: p.exitCode, failed, tail: p.exitCode === 0 ? "" : out.slice(-4000) }).toEqual({ code: 0, failed: [], tail: "" });
    expect(out).toMatch(/\n\s*[1-9]\d* pass\n\s*0 fail\n/);
  }, 900_000);
});
