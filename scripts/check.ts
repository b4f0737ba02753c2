import { runCommand } from "../src/cli/bytecode.ts";
process.exitCode = await runCommand("check", process.argv.slice(2));
