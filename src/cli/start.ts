/**
 * npm start, the main job: check the records, generate, prove the tables against real bundles (verify), prove
 * every control against every variant that ships it (prove), build the site, serve it. Each step is the same command a developer can run alone (its `main`, run here in one
 * process); the first failure stops the chain with that step's exit code.
 *
 *   bun scripts/start.ts
 */
import { loadModel } from "../core/model/model.ts";
import { summarize } from "../core/report/summary.ts";
import { argsOrExit, type CommandSpec } from "./args.ts";
import type { Io } from "./io.ts";

export const START: CommandSpec = { usage: "bun scripts/start.ts", options: {} };

type Main = (argv: string[], io: Io) => Promise<number>;

const STEPS: [string, () => Promise<Main>][] = [
  ["check", async () => (await import("./check.ts")).main],
  ["generate", async () => (await import("./generate.ts")).main],
  ["verify", async () => (await import("./verify.ts")).main],
  ["prove", async () => (await import("./prove.ts")).main],
  ["build", async () => (await import("./build-site.ts")).main],
];

export async function main(argv: string[], io: Io): Promise<number> {
  const args = argsOrExit(argv, START, io);
  if (typeof args === "number") return args;
  for (const [name, load] of STEPS) {
    io.stderr(`\n▶ ${name}\n`);
    const code = await (await load())([], io);
    if (code !== 0) {
      io.stderr(`\nnpm start: step "${name}" failed (exit ${code}); fix the errors above and run it again.\n`);
      return code;
    }
  }
  io.stderr(`\n${summarize(loadModel(io.cwd).model)}\n\n`);
  return (await import("./serve.ts")).main([], io);
}
