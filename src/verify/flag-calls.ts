/**
 * One source file's flag facts as plain data (the modules it imports, as written, and every `feature("NAME")`
 * call with a literal name, at the name's line and column), from the same parse and analysis verify uses
 * (flag-sites.ts, source-graph.ts). `npm run check` reads these facts with oxc instead
 * (src/core/source/scan-flag-calls.ts), which spares it loading TypeScript; a test holds the two equal on
 * every source file, so check and verify agree on what a flag test and an import are. check falls back to
 * this version for a file oxc reports a syntax error in.
 */
import type { FileFlagCalls, FlagCall } from "../core/source/scan-flag-calls.ts";
import { analyzeFlags, parseSource } from "./flag-sites.ts";
import { nodePosition } from "./places.ts";
import { importsOf } from "./source-graph.ts";

export function flagCallsOf(path: string, text: string): FileFlagCalls {
  const sf = parseSource(path, text);
  let n = 0;
  const flags = analyzeFlags(sf, () => ++n);
  const calls: FlagCall[] = [];
  for (const t of flags.tests) {
    if (t.flag === undefined || t.call.arguments.length !== 1) continue;
    calls.push({ flag: t.flag, ...nodePosition(sf, t.call.arguments[0]!) });
  }
  // Resolution happens at check time against the files present then; "/nonexistent" keeps this pure.
  const imports = [...new Set(importsOf("/nonexistent", path, sf).map((e) => e.specifier))];
  return { imports, calls };
}
