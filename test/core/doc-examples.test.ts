/**
 * The error examples in the README and the content pages are what check really prints: for each one, the line
 * its code frame marks replaces the same key in the first record of the file it names (a copy of data/), and
 * check must report that rule there with the example's column, message and hint. Line numbers are the
 * example's own (a writer's file is longer or shorter than ours).
 */
import { describe, expect, test } from "bun:test";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO, runMain } from "../helpers/project.ts";

interface Example {
  doc: string;
  file: string;
  col: number;
  rule: string;
  message: string;
  hint: string | undefined;
  /** The line the code frame marks with ">"; an example without a frame is not what check prints. */
  marked: string | undefined;
}

const HEADLINE = /^(data\/[\w./-]+\.yaml):\d+:(\d+): error ([a-z-]+): (.*)$/;

function examplesIn(doc: string): Example[] {
  const text = readFileSync(join(REPO, doc), "utf8");
  const out: Example[] = [];
  for (const block of text.matchAll(/```text\n([\s\S]*?)```/g)) {
    const lines = block[1]!.split("\n");
    lines.forEach((line, i) => {
      const m = HEADLINE.exec(line);
      if (!m) return;
      const rest = lines.slice(i + 1);
      const end = rest.findIndex((l) => HEADLINE.test(l) || l === "");
      const own = end < 0 ? rest : rest.slice(0, end);
      const marked = own.find((l) => l.startsWith(">"))?.replace(/^>\s*\d+ \| /, "");
      const hint = own.find((l) => l.startsWith("  hint: "))?.slice("  hint: ".length);
      out.push({ doc, file: m[1]!, col: Number(m[2]), rule: m[3]!, message: m[4]!, hint, marked });
    });
  }
  return out;
}

const DOCS = [
  "README.md",
  ...readdirSync(join(REPO, "content"))
    .filter((f) => /\.mdx?$/.test(f))
    .map((f) => `content/${f}`),
];
const EXAMPLES = DOCS.flatMap(examplesIn);

describe("error examples in the docs", () => {
  test("there are examples to hold to the checker (the README's and the developer guide's at least)", () => {
    expect(new Set(EXAMPLES.map((e) => e.doc))).toEqual(new Set(["README.md", "content/developer-guide.mdx"]));
  });

  for (const ex of EXAMPLES) {
    test(`${ex.doc}: ${ex.rule}: ${ex.message}`, async () => {
      if (ex.marked === undefined)
        throw new Error(`${ex.doc}: the example "${ex.rule}: ${ex.message}" has no code frame; check prints one`);
      const dir = mkdtempSync(join(tmpdir(), "takeoff-doc-example-"));
      try {
        for (const name of ["data", "content", "src", "package.json", "README.md", ".github", "tsconfig.json"])
          cpSync(join(REPO, name), join(dir, name), { recursive: true });
        const path = join(dir, ex.file);
        const source = readFileSync(path, "utf8");
        const key = /^\s*(\w+):/.exec(ex.marked)?.[1];
        const first = source.indexOf("\n- ");
        const at = source.indexOf(`\n  ${key}: `, first);
        const lineEnd = source.indexOf("\n", at + 1);
        expect(at).toBeGreaterThan(first);
        writeFileSync(path, `${source.slice(0, at + 1)}${ex.marked}${source.slice(lineEnd)}`);
        const line = source.slice(0, at + 1).split("\n").length;

        const run = await runMain("check", dir, ["--no-cache", "--format", "json"]);
        const found = (
          JSON.parse(run.stdout) as { file: string; line: number; col: number; rule: string; message: string; hint?: string }[]
        ).find((d) => d.rule === ex.rule && d.line === line);
        expect(found && { file: found.file, col: found.col, message: found.message, hint: found.hint }).toEqual({
          file: ex.file,
          col: ex.col,
          message: ex.message,
          hint: ex.hint,
        });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
