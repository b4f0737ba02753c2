/**
 * One source file's flag facts as plain data, for `npm run check`: the modules it imports (as written, so
 * the walk can follow them without parsing again) and every `feature("NAME")` call with a literal name, at
 * the name's line and column. From the same parse and analysis verify uses (flag-sites.ts, source-graph.ts),
 * so check and verify agree on what a flag test and an import are. check keeps these by content hash
 * (src/core/cache/flag-call-cache.ts) and loads this module, and with it the TypeScript parser, only for a
 * file it has not seen with these bytes.
 */
import { analyzeFlags, parseSource } from "./flag-sites.ts";
import { nodePosition } from "./places.ts";
import { importsOf } from "./source-graph.ts";

export interface FlagCall {
  flag: string;
  line: number;
  col: number;
}

export interface FileFlagCalls {
  /** Import specifiers (static, re-export, import(), require), in source order, without duplicates. */
  imports: string[];
  calls: FlagCall[];
}

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
