/**
 * The size-limit project the benches compare against: a folder beside the measured copy whose
 * .size-limit.json names each variant bundle verify wrote (dist/variants/<name>/main.js), with this
 * repository's node_modules linked in. Returns the command that measures them (`--json`).
 */
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { VerifyResults } from "../src/verify/results-file.ts";

export function sizeLimitProject(repo: string, project: string, dir: string, results: Pick<VerifyResults, "variants">): string[] {
  mkdirSync(dir, { recursive: true });
  symlinkSync(join(repo, "node_modules"), join(dir, "node_modules"));
  writeFileSync(
    join(dir, "package.json"),
    JSON.stringify({ name: "bench-size-limit", private: true, devDependencies: { "size-limit": "*", "@size-limit/file": "*" } }),
  );
  const limits = results.variants.map((v) => ({ name: v.name, path: join(project, "dist/variants", v.name, "main.js") }));
  writeFileSync(join(dir, ".size-limit.json"), JSON.stringify(limits, null, 2));
  return [process.execPath, join(repo, "node_modules/size-limit/bin.js"), "--json"];
}
