/**
 * `npm run check` finds a `feature("…")` call that names no declared flag, in the writer's loop: at the
 * name's file:line:col, with a did-you-mean, in every file a variant's entry reaches (and only those); a
 * source edit drops a remembered clean verdict; a cold check never loads TypeScript for sources oxc parses, and a
 * data-only edit loads no parser at all.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { runCheck } from "../../src/core/check.ts";
import { BUN, cleanEnv, makeProject, removeProject, REPO, runMain } from "../helpers/project.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) removeProject(d);
});

function project(files: Record<string, string>): string {
  const dir = makeProject();
  dirs.push(dir);
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), text);
  }
  return dir;
}

const MAIN = `import { feature } from "bun:bundle";
import { run } from "./lib/run.ts";

if (feature("DEBUG")) console.log("debug");
run();
`;
const RUN = `import { feature } from "bun:bundle";

export function run(): void {
  if (feature("ENTERPRISE")) console.log("enterprise");
}
`;

const undeclared = (dir: string) => runCheck(dir, { freshness: false }).diagnostics.filter((d) => d.rule === "undeclared-flag");

describe("check: feature() calls against the declared flags", () => {
  test("a misspelt flag in a file the entry imports is an error at the name, with a did-you-mean", () => {
    const dir = project({ "src/app/main.ts": MAIN, "src/app/lib/run.ts": RUN.replace('"ENTERPRISE"', '"ENTERPRIZE"') });
    const found = undeclared(dir);
    expect(found.map((d) => `${d.file}:${d.line}:${d.col} ${d.message} | ${d.hint}`)).toEqual([
      'src/app/lib/run.ts:4:15 flag "ENTERPRIZE" is not declared in data/features.yaml; the bundler would fold it to false silently | did you mean "ENTERPRISE"?',
    ]);
    expect(found[0]!.severity).toBe("error");
  });

  test("declared flags pass; a file no entry reaches is not the app's", () => {
    const dir = project({
      "src/app/main.ts": MAIN,
      "src/app/lib/run.ts": RUN,
      "src/app/unused.ts": 'import { feature } from "bun:bundle";\nif (feature("NOPE")) {}\n',
    });
    expect(undeclared(dir)).toEqual([]);
  });

  test("a name far from every flag gets the usual hint", () => {
    const dir = project({ "src/app/main.ts": MAIN.replace('"DEBUG"', '"SOMETHING_ELSE"'), "src/app/lib/run.ts": RUN });
    expect(undeclared(dir).map((d) => `${d.line}:${d.col} ${d.hint}`)).toEqual([
      "4:13 declare it in data/features.yaml, then run `npm run generate`",
    ]);
  });

  test("hostile sources: an import cycle ends, a link outside the repository is never read, a FIFO never blocks", () => {
    const dir = project({
      "src/app/main.ts": `import "./a.ts";\nimport "./out.ts";\nimport "./fifo.ts";\nimport { feature } from "bun:bundle";\nif (feature("DEBUGG")) {}\n`,
      "src/app/a.ts": `import "./b.ts";\n`,
      "src/app/b.ts": `import "./a.ts";\nimport "./main.ts";\n`,
    });
    const outside = join(dir, "..", `outside-${Date.now()}.ts`);
    writeFileSync(outside, 'import { feature } from "bun:bundle";\nif (feature("SECRET_OUTSIDE")) {}\n');
    try {
      symlinkSync(outside, join(dir, "src/app/out.ts"));
      Bun.spawnSync(["mkfifo", join(dir, "src/app/fifo.ts")]);
      const found = undeclared(dir);
      expect(found.map((d) => `${d.file}:${d.line}:${d.col} ${d.message.split(" is not ")[0]}`)).toEqual([
        `src/app/main.ts:5:13 flag "DEBUGG"`,
      ]);
    } finally {
      rmSync(outside, { force: true });
    }
  });

  test("a source edit drops the remembered clean verdict", async () => {
    const dir = project({ "src/app/main.ts": MAIN, "src/app/lib/run.ts": RUN });
    expect((await runMain("check", dir)).exitCode).toBe(0);
    const again = await runMain("check", dir);
    expect(again.stderr).toContain("unchanged since the last clean check");
    writeFileSync(join(dir, "src/app/lib/run.ts"), RUN.replace('"ENTERPRISE"', '"ENTERPRIZE"'));
    const edited = await runMain("check", dir);
    expect(edited.exitCode).toBe(1);
    expect(edited.stderr).toContain('src/app/lib/run.ts:4:15: error undeclared-flag: flag "ENTERPRIZE" is not declared');
    expect(edited.stderr).toContain('did you mean "ENTERPRISE"?');
  });

  test("a cold check scans without TypeScript; after a data-only edit no parser loads: each file's calls are remembered by content", () => {
    const dir = project({ "src/app/main.ts": MAIN, "src/app/lib/run.ts": RUN });
    const probe = join(dir, "probe.ts");
    // A fresh process, so nothing is remembered in memory: the answer must come from the cache on disk.
    writeFileSync(
      probe,
      `import { runCheck } from ${JSON.stringify(join(REPO, "src/core/check.ts"))};
const r = runCheck(process.cwd(), { cache: true, freshness: false });
const loaded = Object.keys(require.cache);
const typescript = loaded.some((k) => k.endsWith("/src/verify/flag-calls.ts") || k.includes("/node_modules/typescript/"));
const parser = typescript || loaded.some((k) => k.includes("/node_modules/rolldown/"));
console.log(JSON.stringify({ rules: r.diagnostics.map((d) => d.rule), parser, typescript }));
`,
    );
    const run = () =>
      JSON.parse(Bun.spawnSync([BUN, probe], { cwd: dir, env: cleanEnv(), stdout: "pipe", stderr: "inherit" }).stdout.toString()) as {
        rules: string[];
        parser: boolean;
        typescript: boolean;
      };
    // The sources parse with oxc: loading the TypeScript compiler alone would cost more than the whole check.
    expect(run()).toEqual({ rules: [], parser: true, typescript: false });
    const features = join(dir, "data/features.yaml");
    const records = readFileSync(features, "utf8");
    writeFileSync(features, records.replace("description: Diagnostics.", "description: Diagnostics, edited."));
    expect(run()).toEqual({ rules: [], parser: false, typescript: false });
    // Names are judged against the records of this run: a call that was fine is undeclared once its record goes,
    // still without parsing anything.
    const debug = records.slice(records.indexOf("- name: DEBUG\n"), records.indexOf("- name: ENTERPRISE\n"));
    writeFileSync(features, records.replace(debug, ""));
    writeFileSync(join(dir, "data/variants.yaml"), readFileSync(join(dir, "data/variants.yaml"), "utf8").replace(/\bDEBUG\b,? ?/g, ""));
    const gone = run();
    expect(gone.parser).toBe(false);
    expect(gone.rules).toContain("undeclared-flag");
  });
});
