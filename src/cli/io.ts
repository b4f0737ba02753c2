/**
 * What a command talks to: where its output goes, its environment and working folder. Every command is
 * `main(argv, io): Promise<number>` (the exit code), so tests run it in-process with `memoryIo` and read
 * what it printed, and the bins in scripts/ run it with `processIo` and set `process.exitCode`.
 *
 * Writes to a pipe through process.stdout are asynchronous in Bun: `process.exit` while they are queued cuts
 * the output (at 64-128 KiB). So no command calls `process.exit`: the bin sets `process.exitCode` and the
 * process ends once its output is out. `processIo` writes synchronously to the file descriptors, whole,
 * waiting out a full pipe, so every byte is out before `main` returns, and it never loads Node's stream
 * machinery (process.stdout alone costs a cached check a third of its time).
 */
import { writeSync } from "node:fs";

export type Write = (text: string) => void;

export interface Io {
  stdout: Write;
  stderr: Write;
  env: Readonly<Record<string, string | undefined>>;
  /** The folder the command works in (the project root for check, generate, verify). */
  cwd: string;
  /** A long-running command (serve) stops when this aborts; without it, it runs until the process ends. */
  signal?: AbortSignal;
  /** stdout is a terminal, so colour may be used (absent: it is not). */
  readonly stdoutIsTTY?: boolean;
}

/**
 * Writes all of each text to `fd` before returning, waiting out a full non-blocking pipe. When the reader
 * has gone (`check | head`) the output ends quietly: nothing left to deliver, and a stack trace about it
 * would bury the diagnostics already printed; the exit code stays what the command returns.
 */
export function fdWriter(fd: number): Write {
  let gone = false;
  return (text) => {
    if (gone) return;
    const bytes = Buffer.from(text);
    for (let done = 0; done < bytes.length; ) {
      try {
        done += writeSync(fd, bytes, done);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === "EAGAIN") Bun.sleepSync(1);
        else if (code === "EPIPE") return void (gone = true);
        else throw e;
      }
    }
  };
}

/** The process's own output (file descriptors 1 and 2), environment and folder. */
export function processIo(): Io {
  return {
    stdout: fdWriter(1),
    stderr: fdWriter(2),
    env: process.env,
    cwd: process.cwd(),
    // Asked only by a command that colours its output; loading node:tty up front would cost every command.
    get stdoutIsTTY() {
      return (require("node:tty") as typeof import("node:tty")).isatty(1);
    },
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
