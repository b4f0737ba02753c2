/**
 * The proof of the "TypeScript compilation" criterion: the whole program type-checks with the project's own
 * tsconfig (strict), as `npm run typecheck` does, incrementally (test/helpers/typecheck.ts). A whole check takes
 * about half a minute, so `npm test` leaves it to CI's typecheck step and `npm run prove` runs it (the prover
 * sets TAKEOFF_PROVE=1).
 */
import { expect, test } from "bun:test";
import { join } from "node:path";
import { typecheck } from "../helpers/typecheck.ts";

/**
 * The repository, named here rather than through test/helpers/project.ts: that helper's command runner reaches
 * the record loader, and a proof whose tests load it depends on every record. tsc runs none of the program it
 * reads, so the proof names the program under `reads` and records reach it only through src/generated/.
 */
const REPO = join(import.meta.dir, "../..");

test.skipIf(process.env.TAKEOFF_PROVE !== "1")(
  "the whole program type-checks (tsc --noEmit, strict)",
  () => {
    // Incremental from the store's build info of an earlier run (test/helpers/typecheck.ts says why that is sound).
    const tsc = typecheck(REPO);
    expect(tsc.output).toBe("");
    expect(tsc.exitCode).toBe(0);
  },
  180_000,
);
