#!/usr/bin/env bun
/**
 * MasterPerfTracker CLI.
 *
 *   bun run [--feature=NAME ...] src/app/main.ts [options] [metrics.jsonl | -]
 *
 * Prints a deterministic report whose sections depend on the compiled-in flags.
 * `--serve` starts the WebSocket server (LIVE_STREAM builds only).
 */
import { runApp } from "./app.ts";
import { parseArgs, USAGE, UsageError } from "./core/args.ts";

async function main(argv: string[]): Promise<number> {
  let opts;
  try {
    opts = parseArgs(argv, process.env);
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`error: ${error.message}\n\n${USAGE}`);
      return 2;
    }
    throw error;
  }
  if (opts.help) {
    console.log(USAGE);
    return 0;
  }
  const result = await runApp(opts, {
    out: (line) => console.log(line),
    err: (line) => console.error(line),
    readText: (path) => Bun.file(path).text(),
  });
  if (result.stream) {
    const stream = result.stream;
    const stop = (): void => {
      void stream.stop().then(() => process.exit(0));
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  }
  return result.exitCode;
}

process.exitCode = await main(process.argv.slice(2));
