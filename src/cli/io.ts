/**
 * What a command talks to: where its output goes, its environment and working folder. Every command is
 * `main(argv, io): Promise<number>` (the exit code), so tests run it in-process with `memoryIo` and read
 * what it printed, and the bins in scripts/ run it with `processIo` and set `process.exitCode`.
 *
 * Writes to a pipe are asynchronous in Bun: `process.exit` while they are queued cuts the output (at
 * 64-128 KiB). So no command calls `process.exit`: the bin sets `process.exitCode` and the process ends
 * once stdout and stderr have drained, even after a usage error.
 */

export type Write = (text: string) => void;

export interface Io {
  stdout: Write;
  stderr: Write;
  env: Readonly<Record<string, string | undefined>>;
  /** The folder the command works in (the project root for check, generate, verify). */
  cwd: string;
  /** A long-running command (serve) stops when this aborts; without it, it runs until the process ends. */
  signal?: AbortSignal;
}

let guarded = false;

/** The process's own streams, environment and folder. */
export function processIo(): Io {
  if (!guarded) {
    guarded = true;
    // Output ends quietly when its reader has gone (`check | head`): nothing left to deliver, and a stack
    // trace about it would bury the diagnostics already printed. The exit code stays what the command set.
    for (const stream of [process.stdout, process.stderr]) {
      stream.on("error", (e: NodeJS.ErrnoException) => {
        if (e.code !== "EPIPE") throw e;
      });
    }
  }
  return {
    stdout: (s) => void process.stdout.write(s),
    stderr: (s) => void process.stderr.write(s),
    env: process.env,
    cwd: process.cwd(),
  };
}

export interface MemoryIo extends Io {
  /** Everything written to stdout so far. */
  readonly out: string;
  /** Everything written to stderr so far. */
  readonly err: string;
}

/** Output kept in memory, for tests and benchmarks that run a command in-process. */
export function memoryIo(options: { cwd: string; env?: Record<string, string | undefined>; signal?: AbortSignal }): MemoryIo {
  const out: string[] = [];
  const err: string[] = [];
  return {
    stdout: (s) => void out.push(s),
    stderr: (s) => void err.push(s),
    env: options.env ?? {},
    cwd: options.cwd,
    ...(options.signal ? { signal: options.signal } : {}),
    get out() {
      return out.join("");
    },
    get err() {
      return err.join("");
    },
  };
}
