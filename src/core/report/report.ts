/**
 * Prints diagnostics the way the caller asked: text with code frames (default), JSON for tools, and
 * GitHub annotations in addition when running under GitHub Actions.
 *
 * Writes to a pipe are asynchronous in Bun: `process.exit` while they are queued cuts the output (at
 * 64-128 KiB). So the CLIs never exit with output pending: they set `process.exitCode` and let the
 * process end once stdout and stderr have drained, and an early usage error is written synchronously.
 */
import { writeSync } from "node:fs";
import { formatGithub, formatJson, formatText, summaryLine, type Diagnostic } from "./diagnostics.ts";

// Output ends quietly when its reader has gone (`check | head`): nothing left to deliver, and a stack
// trace about it would bury the diagnostics already printed. The exit code stays what the CLI set.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code !== "EPIPE") throw e;
  });
}

export type Format = "text" | "json";

export interface ReportOptions {
  format: Format;
  github: boolean;
  texts: Map<string, string>;
  write?: (s: string) => void;
}

export function report(diagnostics: Diagnostic[], options: ReportOptions): void {
  const write = options.write ?? ((s: string) => process.stderr.write(s));
  if (options.format === "json") {
    process.stdout.write(`${formatJson(diagnostics)}\n`);
  } else if (diagnostics.length) {
    write(`${formatText(diagnostics, (f) => options.texts.get(f))}\n\n${summaryLine(diagnostics)}\n`);
  }
  if (options.github && diagnostics.length) process.stdout.write(`${formatGithub(diagnostics.slice(0, 10))}\n`);
}

/** Reads `--format json|text` and the GitHub Actions environment; anything else is a usage error. */
export function parseCliArgs(argv: string[], extra: string[] = []): { format: Format; github: boolean; flags: Set<string> } {
  let format: Format = "text";
  const flags = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--format" || a.startsWith("--format=")) {
      const v = a.includes("=") ? a.slice(9) : argv[++i];
      if (v !== "json" && v !== "text") usage(`--format takes "text" or "json", not ${JSON.stringify(v ?? "")}`);
      format = v as Format;
    } else if (a === "--json") {
      format = "json";
    } else if (extra.includes(a)) {
      flags.add(a);
    } else {
      usage(`unknown option ${JSON.stringify(a)}`);
    }
  }
  return { format, github: process.env.GITHUB_ACTIONS === "true", flags };
}

function usage(message: string): never {
  fail(message, 2);
}

/**
 * For a mistake found before anything else is printed (a bad option): writes `message` to stderr
 * synchronously and completely, then exits with `code`. Not for use once asynchronous output is queued.
 */
export function fail(message: string, code: number): never {
  writeFullySync(2, `${message}\n`);
  process.exit(code);
}

/** Writes all of `text` to `fd` before returning, waiting out a full non-blocking pipe; a closed reader ends it. */
export function writeFullySync(fd: number, text: string): void {
  const bytes = Buffer.from(text);
  for (let done = 0; done < bytes.length; ) {
    try {
      done += writeSync(fd, bytes, done);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === "EAGAIN") Bun.sleepSync(1);
      else if (code === "EPIPE") return;
      else throw e;
    }
  }
}
