/**
 * Faults survive a formatting pass: realign-faults rewrites each fault's find/replace so that, planted into
 * the formatted file, it gives the formatted faulty file. Tested with Biome, the repository's formatter, on a
 * small project: a fault the formatter moves is realigned (its YAML comments and block scalars kept), a fault
 * still in place is kept, a stale one is reported; deriveFault's lines always plant what they should.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { DEFAULT_FORMATTER, main } from "../../src/cli/realign-faults.ts";
import { memoryIo } from "../../src/cli/io.ts";
import { plantText } from "../../src/prove/plant-faults.ts";
import { alignFault, commandFormatter, deriveFault } from "../../src/prove/realign-faults.ts";
import { REPO } from "../helpers/project.ts";

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe("deriveFault", () => {
  const cases: [string, string, string][] = [
    ["a changed line", "a\nb\nc\n", "a\nB\nc\n"],
    ["a deleted line", "x\nold\nz\n", "x\nz\n"],
    ["an inserted line", "a\nb\nc\n", "a\nX\nb\nc\n"],
    ["a change inside a line", "ab\ncd\n", "aXb\ncd\n"],
    ["a change at the end without a newline", "a\nb", "a\nc"],
    ["a line that repeats, grown until it is unique", "f(1);\nx;\ng;\nx;\nh;\n", "f(1);\nx;\ng;\ny;\nh;\n"],
    ["a whole file of repeats", "x\nx\n", "x\ny\n"],
  ];
  for (const [name, formatted, faulty] of cases) {
    test(name, () => {
      const fault = deriveFault(formatted, faulty)!;
      expect(formatted.indexOf(fault.find)).toBe(formatted.lastIndexOf(fault.find));
      expect(plantText(formatted, fault.find, fault.replace)).toBe(faulty);
    });
  }

  test("whole lines, grown past a repeated line", () => {
    expect(deriveFault("a\nb\nc\n", "a\nB\nc\n")).toEqual({ find: "b", replace: "B" });
    expect(deriveFault("f(1);\nx;\ng;\nx;\nh;\n", "f(1);\nx;\ng;\ny;\nh;\n")).toEqual({ find: "x;\nh;", replace: "y;\nh;" });
    expect(deriveFault("same", "same")).toBeUndefined();
  });
});

describe("alignFault", () => {
  const noFormatter = async () => undefined;
  test("a fault whose text is still there and plants the same program, laid out differently, is kept", async () => {
    const fault = { find: "b: 2", replace: "b: 3" };
    expect(await alignFault("const o = {\n  a: 1,\n  b: 2,\n};\n", "const o = { a: 1, b: 3 };\n", fault, noFormatter)).toBe(fault);
  });

  test("a fault that would plant a different program there is derived from the formatted texts", async () => {
    // "b: 2" now first occurs in p, not in o: planting the old text would break the wrong object.
    const formatted = "const p = { b: 2 };\nconst o = { a: 1, b: 2 };\n";
    const faulty = "const p = { b: 2 };\nconst o = { a: 1, b: 3 };\n";
    expect(await alignFault(formatted, faulty, { find: "b: 2", replace: "b: 3" }, noFormatter)).toEqual({
      find: "const o = { a: 1, b: 2 };",
      replace: "const o = { a: 1, b: 3 };",
    });
  });

  test("a fault that only changed layout formats away", async () => {
    expect(await alignFault("f(1);\n", "f(1);\n", { find: "f(1);", replace: "f( 1 );" }, noFormatter)).toBeUndefined();
  });
});

const SOURCE = `export function unit(u: string): string {
  switch (u) {
    case "ms": return "Milliseconds";
    case "s": return "Seconds";
  }
  return "None";
}

export const limit = (n: number) => { if (n > 10) return false; return true; };
`;

const DATA = `# Controls of the test project.
- name: Units
  proof:
    tests: [test/units.test.ts]
    faults:
      # moved by the formatter: the case and its return end up on two lines
      - id: wrong-unit
        what: milliseconds get a unit CloudWatch does not know
        file: src/units.ts
        find: "case \\"ms\\": return \\"Milliseconds\\";"
        replace: "case \\"ms\\": return \\"Millis\\";"
      - id: off-by-one
        what: one more is let in
        file: src/units.ts
        find: |-
          => { if (n > 10) return false;
        replace: '=> { if (n > 11) return false;'
      - id: kept
        what: seconds are unknown
        file: src/units.ts
        find: 'return "Seconds";'
        replace: 'return "S";'
`;

function project(data = DATA): string {
  const dir = mkdtempSync(join(tmpdir(), "realign-faults-"));
  dirs.push(dir);
  mkdirSync(join(dir, "src"));
  mkdirSync(join(dir, "data"));
  writeFileSync(join(dir, "src/units.ts"), SOURCE);
  writeFileSync(join(dir, "data/security.yaml"), data);
  return dir;
}

const BIOME = [join(REPO, DEFAULT_FORMATTER[0]!), ...DEFAULT_FORMATTER.slice(1)];

describe("realign-faults with Biome", () => {
  test("after realigning and formatting, every fault plants the formatted faulty file; comments and block scalars stay", async () => {
    const dir = project();
    const io = memoryIo({ cwd: dir });
    expect(await main(["--", ...BIOME], io)).toBe(0);
    expect(io.out).toContain("realign-faults: 2 realigned, 1 kept, 0 skipped; 1 data file(s) rewritten");
    const format = commandFormatter(dir, BIOME);
    const formatted = await format("src/units.ts", SOURCE);
    if (!("text" in formatted)) throw new Error(formatted.error);
    const yaml = readFileSync(join(dir, "data/security.yaml"), "utf8");
    expect(yaml).toContain("# Controls of the test project.");
    expect(yaml).toContain("# moved by the formatter");
    expect(yaml).toMatch(/- id: off-by-one\n.*\n.*\n {8}find: \|/);
    const faults = (parse(yaml) as { proof: { faults: { id: string; find: string; replace: string }[] } }[])[0]!.proof.faults;
    for (const f of faults) {
      const faulty = await format("src/units.ts", plantText(SOURCE, ...ORIGINAL[f.id]!)!);
      const planted = plantText(formatted.text, f.find, f.replace);
      if (!("text" in faulty) || planted === undefined) throw new Error(`${f.id} does not plant`);
      // Planted into the formatted file, each fault gives the formatted faulty file (once formatted, for the kept one).
      expect({ id: f.id, planted: f.id === "kept" ? ((await format("src/units.ts", planted)) as { text: string }).text : planted }).toEqual(
        { id: f.id, planted: faulty.text },
      );
    }
    expect(faults.find((f) => f.id === "kept")).toEqual({
      id: "kept",
      what: "seconds are unknown",
      file: "src/units.ts",
      find: 'return "Seconds";',
      replace: 'return "S";',
    } as never);
    // Before realigning, the moved fault would have been stale in the formatted file.
    expect(formatted.text.includes('case "ms": return "Milliseconds";')).toBe(false);
  });

  test("--dry-run writes nothing; a stale fault is reported and the exit code is 1", async () => {
    const stale = DATA.replace("find: 'return \"Seconds\";'", "find: 'return \"Minutes\";'");
    const dir = project(stale);
    const io = memoryIo({ cwd: dir });
    expect(await main(["--dry-run", "--", ...BIOME], io)).toBe(1);
    expect(io.out).toContain("skipped: data/security.yaml: Units / kept (the text to find is not in src/units.ts");
    expect(io.out).toContain("1 data file(s) would be rewritten");
    expect(readFileSync(join(dir, "data/security.yaml"), "utf8")).toBe(stale);
  });

  test("a formatter that fails skips the fault and says why; an unknown option is a usage error", async () => {
    const dir = project();
    const io = memoryIo({ cwd: dir });
    expect(await main(["--", process.execPath, "-e", "console.error('no formatting today'); process.exit(3)"], io)).toBe(1);
    expect(io.out).toContain("src/units.ts does not format: no formatting today");
    expect(readFileSync(join(dir, "data/security.yaml"), "utf8")).toBe(DATA);
    const usage = memoryIo({ cwd: dir });
    expect(await main(["--write"], usage)).toBe(2);
  });
});

const ORIGINAL: Record<string, [string, string]> = {
  "wrong-unit": ['case "ms": return "Milliseconds";', 'case "ms": return "Millis";'],
  "off-by-one": ["=> { if (n > 10) return false;", "=> { if (n > 11) return false;"],
  kept: ['return "Seconds";', 'return "S";'],
};
