/**
 * The type-check the "TypeScript compilation" proof runs: `tsc --noEmit -p <root>` with the project's own
 * tsconfig, as `npm run typecheck` runs it, made incremental with tsc's own `--incremental`. A writer's edit
 * to one record changes one generated file; tsc then checks again only what that can change, seconds instead
 * of a whole-program check.
 *
 * Why that cannot pass a program the whole check fails: tsc reuses a file's earlier result only when the
 * file's text hashes to the version its build info records and no file it references changed the
 * declarations it exports (a change to a global declaration checks every file again); another tsc version or
 * other checking options start from nothing. A build info from any earlier tree, or a damaged one, costs time,
 * never an error.
 *
 * Where the build info lives: only in the store, node_modules/.cache/takeoff/typecheck/, written by this
 * runner alone. Each run copies it to a folder of its own under the tree's .cache/ (ignored by git, never
 * copied into a proof's copy of the repository), names that file on the command line (which overrides any
 * `incremental` or `tsBuildInfoFile` the tree's tsconfig sets: a build info the tree itself holds, which a
 * contribution could forge, is never read) and stores the result back atomically. A build info that lists
 * the present files' hashes with no errors would be believed: the store is as trusted as the tsc beside it
 * in node_modules, which a contribution cannot write either.
 *
 * The build info names files relative to itself, so each tree layout has its own slot: the relative path
 * from the run's folder to the (real) node_modules, the same for the repository in every copy the prover
 * makes (copies link node_modules and sit at the same depth), different for the repository itself. And
 * whether Astro has run there: tsconfig.json includes .astro/types.d.ts, global declarations that exist only
 * where Astro wrote them (the repository, a copy a site proof built in), and a build info of the other kind
 * would have every file checked again.
 */
import { copyFileSync, existsSync, mkdirSync, realpathSync, renameSync, rmSync } from "node:fs";
import { join, relative } from "node:path";

export const TYPECHECK_STORE = "node_modules/.cache/takeoff/typecheck";

export interface TypecheckRun {
  exitCode: number;
  /** What tsc printed (its diagnostics), stdout then stderr. */
  output: string;
  /** Whether an earlier run's build info was there to start from. */
  reused: boolean;
}

/** The run's own folder below the tree: always three levels deep, so relative names match from run to run. */
const runDir = (root: string) => join(root, ".cache", "typecheck", `run-${process.pid}-${Math.random().toString(36).slice(2, 10)}`);

/** The store's file for the build info of `root` (absolute), by the layout its names depend on. */
export function typecheckSlot(root: string): string {
  const modules = realpathSync(join(root, "node_modules"));
  const layout = relative(join(root, ".cache", "typecheck", "run"), modules);
  const astro = existsSync(join(root, ".astro", "types.d.ts")) ? "astro types" : "no astro types";
  const key = new Bun.CryptoHasher("sha256").update(`${layout}\0${astro}`).digest("hex").slice(0, 16);
  return join(modules, ".cache", "takeoff", "typecheck", `${key}.tsbuildinfo`);
}

/** Type-checks the program of `root` (its tsconfig.json) with tsc from its node_modules. */
export function typecheck(root: string): TypecheckRun {
  const slot = typecheckSlot(root);
  const dir = runDir(root);
  const info = join(dir, "tsbuildinfo");
  mkdirSync(dir, { recursive: true });
  try {
    const reused = existsSync(slot);
    if (reused) copyFileSync(slot, info);
    const tsc = Bun.spawnSync(
      [process.execPath, join(root, "node_modules/typescript/bin/tsc"), "--noEmit", "-p", root, "--incremental", "--tsBuildInfoFile", info],
      { cwd: root, stdout: "pipe", stderr: "pipe" },
    );
    if (existsSync(info)) {
      // Beside the slot, then renamed over it: runs in parallel copies each leave a whole file.
      mkdirSync(join(slot, ".."), { recursive: true });
      const staged = `${slot}.${process.pid}.tmp`;
      copyFileSync(info, staged);
      renameSync(staged, slot);
    }
    return { exitCode: tsc.exitCode ?? 1, output: `${tsc.stdout.toString()}${tsc.stderr.toString()}`.trim(), reused };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
