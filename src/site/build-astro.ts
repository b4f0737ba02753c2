/** Step 3 of the site build: `astro build` (under Bun) into the stage folder, its output forwarded as it comes. */
import { join } from "node:path";
import type { Io } from "../cli/io.ts";

/** Forwards a child's output, a chunk at a time, to a writer. */
async function forward(stream: ReadableStream<Uint8Array>, write: (s: string) => void): Promise<void> {
  const decoder = new TextDecoder();
  for await (const chunk of stream) write(decoder.decode(chunk, { stream: true }));
  const rest = decoder.decode();
  if (rest) write(rest);
}

/**
 * Builds the site of `root` into `outDir`. Quiet: Astro's standard output is held and shown only when it
 * fails. Returns why it failed, or undefined.
 */
export async function buildAstro(root: string, outDir: string, io: Io, quiet: boolean): Promise<string | undefined> {
  const astro = Bun.spawn({
    cmd: [
      process.execPath,
      "--bun",
      join(root, "node_modules/astro/bin/astro.mjs"),
      "build",
      "--outDir",
      outDir,
      ...(quiet ? ["--silent"] : []),
    ],
    cwd: root,
    env: { ...io.env, ASTRO_TELEMETRY_DISABLED: "1", SITE_ROOT: root },
    stdout: "pipe",
    stderr: "pipe",
  });
  let held = "";
  await Promise.all([forward(astro.stdout, quiet ? (s) => void (held += s) : io.stdout), forward(astro.stderr, io.stderr), astro.exited]);
  if (astro.exitCode === 0) return undefined;
  if (held) io.stderr(held);
  return `astro build exited with ${astro.exitCode ?? astro.signalCode}`;
}
