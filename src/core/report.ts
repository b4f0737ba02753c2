/**
 * Prints diagnostics the way the caller asked: text with code frames (default), JSON for tools, and
 * GitHub annotations in addition when running under GitHub Actions.
 */
import { formatGithub, formatJson, formatText, summaryLine, type Diagnostic } from "./diagnostics.ts";

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
  process.stderr.write(`${message}\n`);
  process.exit(2);
}
