/**
 * npm start, the main job: check the records, generate, build the site and serve it at once; then, while it is
 * served, prove the tables against real bundles (verify), rebuild, prove every record's behaviour with its
 * faults planted (prove), and rebuild again. Until a step's evidence is there the site shows the claims it
 * would back as unproven (the docs never get ahead of the evidence); each rebuild is swapped in atomically.
 * Each step is the same command a developer can run alone (its `main`, run here in one process). A failing
 * check, generate or first build stops the chain with that step's exit code; a failing verify or prove is
 * reported and the site keeps showing what the evidence backs.
 *
 *   bun scripts/start.ts
 */
import { loadModel } from "../core/model/model.ts";
import { summarize } from "../core/report/summary.ts";
import { argsOrExit, type CommandSpec } from "./args.ts";
import type { Io } from "./io.ts";

export const START: CommandSpec = { usage: "bun scripts/start.ts", options: {} };

type Main = (argv: string[], io: Io) => Promise<number>;
type Step = [name: string, load: () => Promise<Main>];

const check: Step = ["check", async () => (await import("./check.ts")).main];
const generate: Step = ["generate", async () => (await import("./generate.ts")).main];
const build: Step = ["build", async () => (await import("./build-site.ts")).main];
const verify: Step = ["verify", async () => (await import("./verify.ts")).main];
const prove: Step = ["prove", async () => (await import("./prove.ts")).main];

/** What runs before the site is served, and what runs while it is: each evidence step is followed by a rebuild. */
export const BEFORE_SERVING: readonly Step[] = [check, generate, build];
export const WHILE_SERVING: readonly (readonly [evidence: Step, rebuild: Step])[] = [
  [verify, build],
  [prove, build],
];

/** The chain npm start runs: steps before serving, the server, and each evidence step with its rebuild. */
export interface StartPlan {
  before: readonly Step[];
  serve: Main;
  whileServing: readonly (readonly [evidence: Step, rebuild: Step])[];
}

async function run([name, load]: Step, io: Io): Promise<number> {
  io.stderr(`\n▶ ${name}\n`);
  return (await load())([], io);
}

export async function main(argv: string[], io: Io): Promise<number> {
  const args = argsOrExit(argv, START, io);
  if (typeof args === "number") return args;
  const serve: Main = async (a, i) => (await import("./serve.ts")).main(a, i);
  return startWith({ before: BEFORE_SERVING, serve, whileServing: WHILE_SERVING }, io);
}

/** Runs a plan: the site is served as soon as it is built, and evidence lands in it while it is served. */
export async function startWith(plan: StartPlan, io: Io): Promise<number> {
  for (const step of plan.before) {
    const code = await run(step, io);
    if (code !== 0) {
      io.stderr(`\nnpm start: step "${step[0]}" failed (exit ${code}); fix the errors above and run it again.\n`);
      return code;
    }
  }
  io.stderr(`\n${summarize(loadModel(io.cwd).model)}\n\n`);
  const serving = plan.serve([], io);
  for (const [evidence, rebuild] of plan.whileServing) {
    if (io.signal?.aborted) break;
    const code = await run(evidence, io);
    if (code !== 0) {
      io.stderr(
        `\nnpm start: step "${evidence[0]}" failed (exit ${code}); the site keeps showing only what the evidence backs. Fix the errors above and run npm run ${evidence[0]}.\n`,
      );
      break;
    }
    if ((await run(rebuild, io)) !== 0) break;
    io.stderr(`\nnpm start: the site now shows what ${evidence[0]} proved.\n`);
  }
  return serving;
}
