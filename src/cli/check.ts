/**
 * npm run check: validate records, freshness of generated files, table lint. No bundling of the app.
 * Exit 0 clean, 1 on any error, 2 on a usage error.
 *
 *   bun scripts/check.ts [--format text|json | --json] [--no-cache] [--fix]
 *
 * The writer's loop (edit, check, read) is kept short two ways: a clean verdict is remembered until any
 * input or the checker's code changes (then nothing heavy is even imported); parsed data files and page lint
 * results are remembered by content, so an edit re-parses and re-lints only the edited file (all in the one
 * store, src/core/cache/store.ts). `--no-cache` does it all afresh.
 */
import { openCheckCache } from "../core/cache/check-cache.ts";
import { keepDigestMemo } from "../core/cache/store.ts";
import { report } from "../core/report/report.ts";
import { argsOrExit, FORMAT_OPTIONS, outputOptions, type CommandSpec } from "./args.ts";
import { type Io, processIo } from "./io.ts";
import { CODE_ROOT, knownFingerprint } from "../core/cache/code-fingerprint.ts";
import { digestMemo } from "../core/fs/digest-memo.ts";
import type { Run } from "./bytecode.ts";
import { plural } from "../core/text/plural.ts";
import { oneLook } from "../core/fs/safe-fs.ts";

export const CHECK: CommandSpec = {
  usage: "bun scripts/check.ts [--format text|json] [--no-cache] [--fix]",
  options: {
    ...FORMAT_OPTIONS.options,
    "--no-cache": { help: "check everything afresh: no remembered verdict, parse or lint result" },
    "--fix": {
      help: "first rewrite what the table lint finds with one right answer (labels, column order, cells from records) in content/, printing file:line per change",
    },
  },
  aliases: FORMAT_OPTIONS.aliases,
};

/** The command as its bin runs it (src/cli/bytecode.ts), told what its launcher computed. */
export const run: Run = async (argv, known) => {
  if (known) knownFingerprint(CODE_ROOT, known.fingerprint);
  if (known) digestMemo.adopt(known.memo);
  return main(argv, processIo());
};

export async function main(argv: string[], io: Io): Promise<number> {
  const started = performance.now();
  const args = argsOrExit(argv, CHECK, io);
  if (typeof args === "number") return args;
  const output = outputOptions(args, io);
  const useCache = !args.flags.has("--no-cache");
  const root = io.cwd;
  const elapsed = () => `${Math.round(performance.now() - started)} ms`;

  // Files unchanged since an earlier check are not read again (the digest memo, saved when the run is done).
  const saveDigests = useCache ? keepDigestMemo(root) : () => {};
  const done = (code: number) => {
    saveDigests();
    return code;
  };

  // The cached path imports nothing heavy: the checker (zod, yaml, remark) loads only on a miss.
  const verdicts = useCache ? oneLook(() => openCheckCache(root, argv)) : undefined;
  const cached = verdicts && oneLook(verdicts.read);
  if (cached) {
    if (output.format === "json") io.stdout("[]\n");
    else
      io.stderr(
        `check: ${cached.records} records, generated files fresh, tables lint clean (${elapsed()}, unchanged since the last clean check)\n`,
      );
    return done(0);
  }
  const { runCheck, fixTables } = await import("../core/check.ts");
  if (args.flags.has("--fix")) {
    const fixed = fixTables(root, { cache: useCache });
    for (const c of fixed.changes) io.stderr(`fixed ${c.file}:${c.line}: ${c.note}\n`);
    for (const s of fixed.skipped) io.stderr(`not fixed ${s.file}: ${s.reason}\n`);
    if (output.format === "text")
      io.stderr(`check --fix: ${plural(fixed.changes.length, "change")} in ${new Set(fixed.changes.map((c) => c.file)).size} file(s)\n`);
  }
  const check = () => oneLook(() => runCheck(root, { cache: useCache }));
  const result = verdicts ? verdicts.watch(check) : check();
  report(result.diagnostics, { ...output, texts: result.texts, stdout: io.stdout, stderr: io.stderr });
  if (!result.ok) return done(1);
  const records = Object.values(result.model.records).reduce((s, l) => s + l.length, 0);
  verdicts?.write({ records });
  if (output.format === "text") io.stderr(`check: ${records} records, generated files fresh, tables lint clean (${elapsed()})\n`);
  return done(0);
}
