/**
 * npm run serve: serves a built site (dist/) at http://localhost:4321 until the process ends, or until
 * `io.signal` aborts (then exit 0). Exit 1 when the folder does not exist, 2 on a usage error.
 *
 *   bun scripts/serve.ts [--dir dist] [--port 4321] [--host localhost]
 *
 * The port defaults to $PORT, then 4321; 0 picks a free port.
 */
import { resolve } from "node:path";
import { serveSite } from "../site/serve.ts";
import { argsOrExit, type CommandSpec } from "./args.ts";
import type { Io } from "./io.ts";

const port = (v: string) =>
  /^\d{1,5}$/.test(v) && Number(v) <= 65535 ? undefined : `--port takes a number from 0 to 65535, not ${JSON.stringify(v)}`;

export const SERVE: CommandSpec = {
  usage: "bun scripts/serve.ts [--dir dist] [--port 4321] [--host localhost]",
  options: {
    "--dir": { value: "DIR", help: "the built site to serve (default dist)" },
    "--port": { value: "PORT", help: "port to listen on (default $PORT, then 4321; 0 picks a free one)", check: port },
    "--host": { value: "HOST", help: "interface to listen on (default localhost)" },
  },
};

export async function main(argv: string[], io: Io): Promise<number> {
  const args = argsOrExit(argv, SERVE, io);
  if (typeof args === "number") return args;
  const dirArg = args.values.get("--dir") ?? "dist";
  const portArg = args.values.get("--port") ?? io.env.PORT ?? "4321";
  const bad = port(portArg);
  if (bad) {
    io.stderr(`${bad.replace("--port", "PORT")}\n`);
    return 2;
  }
  let server: ReturnType<typeof serveSite>;
  try {
    server = serveSite({
      dir: resolve(io.cwd, dirArg),
      port: Number(portArg),
      hostname: args.values.get("--host") ?? "localhost",
      log: (line) => io.stderr(`${line}\n`),
    });
  } catch (err) {
    io.stderr(`serve: ${(err as Error).message}\n`);
    return 1;
  }
  io.stdout(`Serving ${dirArg}/ at http://${server.hostname}:${server.port}/ (Ctrl+C to stop)\n`);
  const signal = io.signal;
  // Without a signal the server runs until the process ends (Ctrl+C), as a server does.
  await new Promise<void>((done) => {
    if (!signal) return;
    if (signal.aborted) done();
    else signal.addEventListener("abort", () => done(), { once: true });
  });
  await server.stop(true);
  return 0;
}
