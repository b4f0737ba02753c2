/**
 * Hostile input against the output path: records come from pull requests, so the CLIs must print every
 * diagnostic however many there are (through a pipe or into a file), in time linear in the output, and
 * never write a record's control characters to the terminal raw.
 */
import { describe, expect, test } from "bun:test";
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BUN, cleanEnv, makeProject, removeProject, REPO } from "../helpers/project.ts";
import { wrongOwnerFlag } from "../../bench/synthetic.ts";

const COUNT = 2_000;
/** Characters that must not reach a terminal raw (a line feed between lines is fine). */
const RAW_UNSAFE = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/;

/** The base fixture plus `n` flag records that each name an owner who does not exist: one error each. */
function projectWithWrongOwners(n: number): string {
  const dir = makeProject();
  appendFileSync(join(dir, "data/features.yaml"), Array.from({ length: n }, (_, i) => wrongOwnerFlag(i)).join(""));
  return dir;
}

/** Everything from a pipe, read like a terminal or `| cat` would: a chunk at a time, pausing between reads. */
async function readSlowly(stream: ReadableStream<Uint8Array>): Promise<string> {
  const decoder = new TextDecoder();
  let text = "";
  for await (const chunk of stream) {
    text += decoder.decode(chunk, { stream: true });
    await Bun.sleep(2);
  }
  return text + decoder.decode();
}

/** Runs a script with stdout and stderr as pipes and reads both to the end. */
async function runPiped(script: string, cwd: string, args: string[] = [], env: Record<string, string> = {}) {
  const p = Bun.spawn([BUN, join(REPO, "scripts", script), ...args], { cwd, env: cleanEnv(env), stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, exitCode] = await Promise.all([readSlowly(p.stdout), readSlowly(p.stderr), p.exited]);
  return { exitCode, stdout, stderr };
}

/** How many of the bad records have their own headline in `out`. */
function headlinesFor(out: string, n: number): number {
  let found = 0;
  const lines = new Set(out.split("\n").filter((l) => l.includes(": error unknown-reference: ")));
  for (const l of lines) if (/data\/features\.yaml:\d+:\d+: error unknown-reference: .*Nobody \d+/.test(l)) found++;
  return Math.min(found, n);
}

describe("every diagnostic reaches a pipe and a file", () => {
  test("check, text: 2,000 invalid records through pipes and into a file, each with the summary line", async () => {
    const dir = projectWithWrongOwners(COUNT);
    try {
      const run = await runPiped("check.ts", dir, ["--no-cache"]);
      expect(run.exitCode).toBe(1);
      expect(headlinesFor(run.stderr, COUNT)).toBe(COUNT);
      for (const i of [0, 1, 999, COUNT - 1]) expect(run.stderr).toContain(`owner: Nobody ${i}\n`);
      expect(run.stderr.endsWith(`\n${COUNT} errors in 1 file\n`)).toBe(true);

      // The same run with its output redirected to a file.
      const out = join(dir, "check-output.txt");
      const sh = Bun.spawnSync(["sh", "-c", `"$0" "$1" --no-cache > "$2" 2>&1`, BUN, join(REPO, "scripts/check.ts"), out], {
        cwd: dir,
        env: cleanEnv(),
      });
      expect(sh.exitCode).toBe(1);
      const file = readFileSync(out, "utf8");
      expect(headlinesFor(file, COUNT)).toBe(COUNT);
      expect(file.endsWith(`\n${COUNT} errors in 1 file\n`)).toBe(true);
    } finally {
      removeProject(dir);
    }
  }, 120_000);

  test("check --format json: 2,000 invalid records through a pipe parse as 2,000 entries", async () => {
    const dir = projectWithWrongOwners(COUNT);
    try {
      const run = await runPiped("check.ts", dir, ["--no-cache", "--format", "json"]);
      expect(run.exitCode).toBe(1);
      const list = JSON.parse(run.stdout) as { rule: string; message: string }[];
      expect(list).toHaveLength(COUNT);
      expect(list.every((d) => d.rule === "unknown-reference")).toBe(true);
      expect(list[COUNT - 1]!.message).toContain(`Nobody ${COUNT - 1}`);
    } finally {
      removeProject(dir);
    }
  }, 120_000);

  test("generate: 2,000 invalid records through pipes, then 'nothing written'", async () => {
    const dir = projectWithWrongOwners(COUNT);
    try {
      const run = await runPiped("generate.ts", dir, ["--no-cache"]);
      expect(run.exitCode).toBe(1);
      expect(headlinesFor(run.stderr, COUNT)).toBe(COUNT);
      expect(run.stderr.endsWith(`\n${COUNT} errors in 1 file\ngenerate: nothing written\n`)).toBe(true);
      const json = await runPiped("generate.ts", dir, ["--no-cache", "--format", "json"]);
      expect(JSON.parse(json.stdout)).toHaveLength(COUNT);
    } finally {
      removeProject(dir);
    }
  }, 120_000);
});

describe("output time is linear in the number of diagnostics", () => {
  test("32,000 diagnostics with code frames from one 1.3 MB text format in well under 5 s", async () => {
    // In a child process, so a quadratic formatter is stopped at the deadline instead of holding the runner.
    const tmp = mkdtempSync(join(tmpdir(), "takeoff-output-"));
    try {
      const script = join(tmp, "format.ts");
      writeFileSync(
        script,
        `import { formatJson, formatText } from ${JSON.stringify(join(REPO, "src/core/report/diagnostics.ts"))};
const N = 32_000;
const lines: string[] = [];
for (let i = 0; i < N; i++) lines.push(\`- name: FLAG_\${i}\`, \`  owner: Nobody \${i}\`);
const text = lines.join("\\n") + "\\n";
const list = Array.from({ length: N }, (_, i) => ({ file: "data/features.yaml", line: 2 * i + 2, col: 10, rule: "unknown-reference", message: \`no team member "Nobody \${i}"\`, hint: "add them to data/team.yaml" }));
const t = performance.now();
const out = formatText(list, () => text);
const ms = performance.now() - t;
const json = formatJson(list);
console.log(JSON.stringify({ ms, chars: text.length, frames: out.split("\\n  hint: ").length - 1, last: out.slice(-120), json: json.length }));
`,
      );
      const p = Bun.spawn([BUN, script], { env: cleanEnv(), stdout: "pipe", stderr: "pipe" });
      const deadline = setTimeout(() => p.kill(), 20_000);
      const [stdout, stderr, exitCode] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
      clearTimeout(deadline);
      expect(stderr).toBe("");
      expect(exitCode).toBe(0);
      const r = JSON.parse(stdout) as { ms: number; chars: number; frames: number; last: string };
      expect(r.chars).toBeGreaterThan(1_200_000);
      expect(r.frames).toBe(32_000);
      expect(r.last).toContain("> 64000 |   owner: Nobody 31999\n");
      expect(r.ms).toBeLessThan(5_000);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  }, 60_000);
});

describe("control characters from records are printed escaped", () => {
  test("file names, messages and code lines with ESC/OSC, BEL, CR and bidi overrides come out escaped", async () => {
    const dir = makeProject();
    try {
      // A file name with an OSC 52 clipboard write, a key with raw ESC/CR bytes, values with YAML escapes.
      writeFileSync(join(dir, "data", "evil\x1b]52;c;aGk=\x07.yaml"), "- x\n");
      appendFileSync(
        join(dir, "data/features.yaml"),
        [
          "",
          "- name: EVIL",
          "  type: Release",
          "  category: Core",
          "  domain: Platform",
          "  scope: [Enterprise]",
          '  tier: "\\e]52;c;aGk=\\a\\e[2K\\rFree\\u202e"',
          "  impact: Low",
          "  status: Planned",
          "  approval: Pending",
          '  description: "\\e]52;c;aGk=\\a\\e[2K\\r"',
          '  owner: "Nobody\\u202e\\x9b"',
          '  introduced: "2026-01-01"',
          "  \x1b[2K\rjunk\u202e\u2066: \t1",
          "",
        ].join("\n"),
      );
      const text = await runPiped("check.ts", dir, ["--no-cache"], { GITHUB_ACTIONS: "true" });
      expect(text.exitCode).toBe(1);
      expect(text.stderr).toContain("error unknown-data-file");
      expect(text.stderr).toContain("data/evil\\x1b]52;c;aGk=\\x07.yaml:1:1: error");
      expect(text.stderr).toContain("|   \\x1b[2K\\rjunk\\u202e\\u2066: →1\n");
      expect(text.stderr).not.toMatch(RAW_UNSAFE);
      // GitHub annotations on stdout.
      expect(text.stdout).toContain("::error file=data/evil\\x1b]52;c;aGk=\\x07.yaml,");
      expect(text.stdout).not.toMatch(RAW_UNSAFE);

      const json = await runPiped("check.ts", dir, ["--no-cache", "--format", "json"]);
      expect(json.stdout).not.toMatch(RAW_UNSAFE);
      const list = JSON.parse(json.stdout) as { file: string }[];
      expect(list.map((d) => d.file)).toContain("data/evil\x1b]52;c;aGk=\x07.yaml");
    } finally {
      removeProject(dir);
    }
  }, 60_000);
});
