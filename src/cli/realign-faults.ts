/**
 * Before a formatting pass: rewrites each fault's `find`/`replace` in data/ to what the formatter makes of
 * its file, so every fault still plants the same bug once the tree is formatted (src/prove/realign-faults.ts).
 * Exit 0, 1 when a fault could not be realigned or a data file was left alone, 2 on a usage error.
 *
 *   bun scripts/realign-faults.ts [--dry-run] [-- FORMATTER ARG…]
 *
 * The formatter reads a source on stdin and prints it formatted; `{file}` in its arguments is the source's
 * path. The default is the repository's own: node_modules/.bin/biome format --stdin-file-path={file}.
 * Run it on the unformatted tree, then format the tree with the same formatter (npm run format).
 */
import { commandFormatter, realignFaults } from "../prove/realign-faults.ts";
import { argsOrExit, type CommandSpec } from "./args.ts";
import type { Io } from "./io.ts";

export const DEFAULT_FORMATTER = ["node_modules/.bin/biome", "format", "--stdin-file-path={file}"];

export const REALIGN_FAULTS: CommandSpec = {
  usage: "bun scripts/realign-faults.ts [--dry-run] [-- FORMATTER ARG…]",
  options: {
    "--dry-run": { help: "say what would change, write nothing" },
  },
  positionals: 64,
};

export async function main(argv: string[], io: Io): Promise<number> {
  const args = argsOrExit(argv, REALIGN_FAULTS, io);
  if (typeof args === "number") return args;
  const command = args.positionals.length ? args.positionals : DEFAULT_FORMATTER;
  const write = !args.flags.has("--dry-run");
  const result = await realignFaults(io.cwd, commandFormatter(io.cwd, command), { write });
  const count = (state: string) => result.outcomes.filter((o) => o.state === state).length;
  for (const o of result.outcomes) if (o.state !== "kept") io.stdout(`${o.state}: ${o.fault}${o.why ? ` (${o.why})` : ""}\n`);
  for (const r of result.refused) io.stderr(`${r.file} left alone: ${r.why}\n`);
  const verb = write ? "rewritten" : "would be rewritten";
  io.stdout(
    `realign-faults: ${count("realigned")} realigned, ${count("kept")} kept, ${count("skipped")} skipped; ${result.changed.length} data file(s) ${verb}\n`,
  );
  return count("skipped") || result.refused.length ? 1 : 0;
}
