/**
 * A child process for the crash tests of the publish primitive: replaces a folder with new content and
 * SIGKILLs itself right after the named point of the swap (through the injected hooks, as no production
 * caller does). Prints the swap mode when it was not killed.
 *
 *   bun test/helpers/publish-killed.ts dir BASE POINT exchange|rename      (BASE/out: a file "page" reading "new")
 *   bun test/helpers/publish-killed.ts variant ROOT POINT exchange|rename  (dist/variants/prod: main.js reading "new")
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  type DirSlot,
  discardStage,
  prepareStage,
  publishDir,
  type PublishHooks,
  type PublishPoint,
} from "../../src/core/fs/publish-dir.ts";
import { writeVariant } from "../../src/verify/write-variants.ts";

const [what, base, point, mode] = process.argv.slice(2);
if (!base || !point || (mode !== "exchange" && mode !== "rename"))
  throw new Error("usage: publish-killed.ts dir|variant BASE POINT exchange|rename");
const hooks: PublishHooks = {
  after: (p: PublishPoint) => {
    if (p === point) process.kill(process.pid, "SIGKILL");
  },
  exchange: mode === "rename" ? false : undefined,
};

if (what === "dir") {
  const slot: DirSlot = { target: join(base, "out"), targetBase: base, stageBase: base, key: "out" };
  const stage = prepareStage(slot);
  try {
    writeFileSync(join(stage, "page"), "new");
    writeFileSync(join(stage, "complete"), "");
    process.stdout.write(publishDir(slot, stage, hooks));
  } finally {
    discardStage(slot, stage);
  }
} else if (what === "variant") {
  const built = {
    ok: true as const,
    features: [],
    outputs: [{ path: "main.js", bytes: new TextEncoder().encode("new"), kind: "entry-point" }],
    raw: 3,
    metafile: { inputs: {}, outputs: {} },
    ms: 0,
  };
  const info = { name: "prod", entry: "src/app/main.ts", features: [], bunVersion: Bun.version, sizes: { raw: 3, gzip: 3, brotli: 3 } };
  process.stdout.write(writeVariant(base, info, built, hooks));
} else {
  throw new Error(`unknown target ${what}`);
}
