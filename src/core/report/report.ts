/**
 * Prints diagnostics the way the caller asked: text with code frames (default, on stderr), JSON for tools
 * (on stdout), and GitHub annotations in addition (on stdout) when running under GitHub Actions. Output
 * goes through the command's writers (src/cli/io.ts), so a command run in-process prints into memory.
 * Argument parsing lives in src/cli/args.ts.
 */
import { formatGithub, formatJson, formatText, summaryLine, type Diagnostic } from "./diagnostics.ts";

export type Format = "text" | "json";

export interface ReportOptions {
  format: Format;
  github: boolean;
  texts: Map<string, string>;
  stdout: (s: string) => void;
  stderr: (s: string) => void;
}

export function report(diagnostics: Diagnostic[], options: ReportOptions): void {
  if (options.format === "json") {
    options.stdout(`${formatJson(diagnostics)}\n`);
  } else if (diagnostics.length) {
    options.stderr(`${formatText(diagnostics, (f) => options.texts.get(f))}\n\n${summaryLine(diagnostics)}\n`);
  }
  if (options.github && diagnostics.length) options.stdout(`${formatGithub(diagnostics.slice(0, 10))}\n`);
}
