/**
 * A helper process that builds flag sets and reports their raw and gzip sizes. Bun runs one build at a
 * time per process, so on a 2-core machine a second process nearly halves the time of the ~160 toggle
 * builds. Same executable, same options, same gzip: its sizes equal the parent's byte for byte.
 *
 *   bun size-worker.ts ROOT
 *   stdin:  one job per line, {"i": 0, "entry": "src/app/main.ts", "features": ["A"]}; the parent feeds
 *           jobs as replies come back, so work is shared with the parent as it goes; EOF ends the helper.
 *   stdout: one reply per job: {"i": 0, "raw": 123, "gzip": 45, "inputs": [...files read]} or {"i": 0, "error": "..."}
 */
import { VariantBuilder } from "./build-variants.ts";
import { SizeMeter } from "./measure-sizes.ts";

export interface SizeJob {
  entry: string;
  features: string[];
}

export type SizeReply = { i: number; raw: number; gzip: number; inputs: string[] } | { i: number; error: string };

/** Splits a byte stream into lines. */
export async function* lines(stream: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let buffer = "";
  for await (const chunk of stream) {
    buffer += decoder.decode(chunk, { stream: true });
    let nl: number;
    while ((nl = buffer.indexOf("\n")) >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      if (line.trim()) yield line;
    }
  }
  if (buffer.trim()) yield buffer;
}

async function main(root: string): Promise<void> {
  const builder = new VariantBuilder(root);
  const meter = new SizeMeter();
  const pending: Promise<void>[] = [];
  for await (const line of lines(Bun.stdin.stream())) {
    const job = JSON.parse(line) as SizeJob & { i: number };
    pending.push(
      builder.build(job).then((built) => {
        const reply: SizeReply = built.ok
          ? { i: job.i, ...meter.rawAndGzip(built.outputs), inputs: Object.keys(built.metafile.inputs) }
          : { i: job.i, error: built.problems[0]?.message ?? "build failed" };
        process.stdout.write(`${JSON.stringify(reply)}\n`);
      }),
    );
  }
  await Promise.all(pending);
}

if (import.meta.main) await main(process.argv[2] ?? process.cwd());
