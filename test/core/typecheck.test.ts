/**
 * The proof of the "TypeScript compilation" criterion: the whole program type-checks with the project's own
 * tsconfig (strict), exactly as `npm run typecheck` does. It takes about half a minute, so `npm test` leaves it
 * to CI's typecheck step and `npm run prove` runs it (the prover sets TAKEOFF_PROVE=1).
 */
import { expect, test } from "bun:test";
import { join } from "node:path";

/**
 * The repository, named here rather than through test/helpers/project.ts: that helper's command runner reaches
 * the record loader, and a proof whose tests load it depends on every record. tsc runs none of the program it
 * reads, so the proof names the program under `reads` and records reach it only through src/generated/.
 */
const REPO = join(import.meta.dir, "../..");

test.skipIf(process.env.TAKEOFF_PROVE !== "1")(
  "the whole program type-checks (tsc --noEmit, strict)",
  () => {
    const tsc = Bun.spawnSync([process.execPath, join(REPO, "node_modules/typescript/bin/tsc"), "--noEmit", "-p", REPO], {
      cwd: REPO,
      stdout: "pipe",
      stderr: "pipe",
    });
    expect(`${tsc.stdout.toString()}${tsc.stderr.toString()}`.trim()).toBe("");
    expect(tsc.exitCode).toBe(0);
  },
  180_000,
);
