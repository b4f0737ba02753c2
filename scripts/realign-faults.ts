import { main } from "../src/cli/realign-faults.ts";
import { processIo } from "../src/cli/io.ts";
process.exitCode = await main(process.argv.slice(2), processIo());
