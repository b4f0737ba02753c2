/**
 * The one command-line parser of every command in src/cli and of the app (src/app/core/args.ts): `--name value`,
 * `--name=value`, flags, positionals, `--help`. Anything it does not know is a usage error (exit 2) with one plain
 * line, before the command does anything. It imports nothing at run time, so the app's bundles carry only it.
 */
import type { Io } from "./io.ts";

export interface OptionRule {
  /** Takes a value (`--out dist`, `--out=dist`), named so in --help; otherwise a flag. */
  value?: string;
  /** An error message when the value is not acceptable, else undefined. */
  check?: (value: string) => string | undefined;
}

export interface OptionSpec extends OptionRule {
  /** What it does, for --help. */
  help: string;
}

/** What the parser needs: the options, their shorthands, how many positionals. */
export interface ParserSpec {
  options: Record<`--${string}`, OptionRule>;
  aliases?: Record<`--${string}`, readonly string[]>;
  positionals?: number;
}

export interface CommandSpec extends ParserSpec {
  /** `bun scripts/<name>.ts …` line shown by --help. */
  usage: string;
  options: Record<`--${string}`, OptionSpec>;
  /** Shorthands: `--json` for `--format json`. */
  aliases?: Record<`--${string}`, readonly string[]>;
  /** Positional arguments accepted (default none). */
  positionals?: number;
}

export interface ParsedArgs {
  /** The last value given to each option. */
  values: Map<string, string>;
  /** Every value given to each option, in order (a repeatable option such as the app's --alert). */
  lists: Map<string, string[]>;
  flags: Set<string>;
  positionals: string[];
}

export type ParseResult = { args: ParsedArgs } | { usage: string } | { help: string };

export function parseArgs(argv: readonly string[], spec: CommandSpec): ParseResult {
  return parseWith(argv, spec, () => helpText(spec));
}

/** The parser itself; --help answers `help()` (the app writes its own text, so its bundles carry no help layout). */
export function parseWith(argv: readonly string[], spec: ParserSpec, help: () => string): ParseResult {
  const values = new Map<string, string>();
  const lists = new Map<string, string[]>();
  const flags = new Set<string>();
  const positionals: string[] = [];
  const queue = [...argv];
  while (queue.length) {
    const a = queue.shift()!;
    if (a === "--help" || a === "-h") return { help: help() };
    if (a === "--") {
      positionals.push(...queue.splice(0));
      break;
    }
    if (!a.startsWith("-") || a === "-") {
      positionals.push(a);
      continue;
    }
    const eq = a.indexOf("=");
    const name = (eq > 0 ? a.slice(0, eq) : a) as `--${string}`;
    const alias = spec.aliases?.[name];
    if (alias && eq < 0) {
      queue.unshift(...alias);
      continue;
    }
    const opt = spec.options[name];
    if (!opt) return { usage: `unknown option ${JSON.stringify(a)}` };
    if (!opt.value) {
      if (eq > 0) return { usage: `${name} takes no value` };
      flags.add(name);
      continue;
    }
    const value = eq > 0 ? a.slice(eq + 1) : queue.shift();
    if (value === undefined || value === "" || (eq < 0 && value.startsWith("--"))) return { usage: `${name} needs a value` };
    const problem = opt.check?.(value);
    if (problem) return { usage: problem };
    values.set(name, value);
    lists.set(name, [...(lists.get(name) ?? []), value]);
  }
  const max = spec.positionals ?? 0;
  if (positionals.length > max)
    return {
      usage:
        max === 0
          ? `unexpected argument ${JSON.stringify(positionals[0])}`
          : `too many arguments: ${positionals
              .slice(max)
              .map((p) => JSON.stringify(p))
              .join(" ")}`,
    };
  return { args: { values, lists, flags, positionals } };
}

function helpText(spec: CommandSpec): string {
  const rows = Object.entries(spec.options).map(([name, o]) => [`${name}${o.value ? ` ${o.value}` : ""}`, o.help] as const);
  for (const [name, to] of Object.entries(spec.aliases ?? {})) rows.push([name, `same as ${to.join(" ")}`]);
  const width = Math.max(0, ...rows.map(([n]) => n.length));
  return `usage: ${spec.usage}\n${rows.map(([n, h]) => `  ${n.padEnd(width)}  ${h}`).join("\n")}\n`;
}

/**
 * Parses, or answers --help (exit 0) or a usage error (exit 2) on stderr: a number is the exit code to
 * return at once.
 */
export function argsOrExit(argv: readonly string[], spec: CommandSpec, io: Io): ParsedArgs | number {
  const r = parseArgs(argv, spec);
  if ("args" in r) return r.args;
  if ("help" in r) {
    io.stdout(r.help);
    return 0;
  }
  io.stderr(`${r.usage}\n`);
  return 2;
}

// Options several commands share.

export type Format = "text" | "json";

export const FORMAT_OPTIONS = {
  options: {
    "--format": {
      value: "text|json",
      help: "text with code frames (default), or JSON for tools",
      check: (v: string) => (v === "text" || v === "json" ? undefined : `--format takes "text" or "json", not ${JSON.stringify(v)}`),
    },
  },
  aliases: { "--json": ["--format", "json"] },
} satisfies Pick<CommandSpec, "options" | "aliases">;

export interface OutputOptions {
  format: Format;
  /** GitHub Actions annotations on stdout as well (GITHUB_ACTIONS=true). */
  github: boolean;
}

export function outputOptions(args: ParsedArgs, io: Io): OutputOptions {
  return { format: args.values.get("--format") === "json" ? "json" : "text", github: io.env.GITHUB_ACTIONS === "true" };
}
