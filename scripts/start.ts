/**
 * npm start, the main job: check the records, generate, prove the tables against real bundles, build the
 * site, serve it. Each step is the same script a developer can run alone; the first failure stops the chain.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { summarize } from "../src/core/report/summary.ts";
import { loadModel } from "../src/core/model/model.ts";

const root = process.cwd();
const steps: [string, string[]][] = [
  ["check", ["scripts/check.ts"]],
  ["generate", ["scripts/generate.ts"]],
  ["verify", ["scripts/verify.ts"]],
  ["build", ["scripts/build-site.ts"]],
];

function run(name: string, args: string[]): void {
  const env = { ...process.env, BUN_OPTIONS: "" };
  const p = Bun.spawnSync([process.execPath, ...args], { cwd: root, env, stdout: "inherit", stderr: "inherit" });
  if (p.exitCode !== 0) {
    process.stderr.write(`\nnpm start: step "${name}" failed (exit ${p.exitCode}); fix the errors above and run it again.\n`);
    process.exit(p.exitCode ?? 1);
  }
}

for (const [name, args] of steps) {
  if (!existsSync(join(root, args[0]!))) continue;
  process.stderr.write(`\n▶ ${name}\n`);
  run(name, args);
}
process.stderr.write(`\n${summarize(loadModel(root).model)}\n\n`);
if (existsSync(join(root, "scripts/serve.ts"))) {
  const server = Bun.spawn([process.execPath, "scripts/serve.ts"], { cwd: root, stdout: "inherit", stderr: "inherit" });
  process.exit(await server.exited);
}
