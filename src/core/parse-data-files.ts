/**
 * Reads and parses data files, in this thread or, for large data sets, spread over worker threads:
 * YAML parsing with positions dominates the cost of a check (about 1.7 MB/s here), and parsed files are
 * plain data (see YamlSource), so they cross the worker boundary whole.
 */
import { availableParallelism } from "node:os";
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import type { Diagnostic } from "./diagnostics.ts";
import type { Kind } from "./schema/kinds.ts";
import { MAX_DATA_FILE_BYTES, parseYamlSource, type YamlSource } from "./yaml-source.ts";

export interface DataFile {
  kind: Kind;
  rel: string;
}

export interface ParsedFile extends DataFile {
  source?: YamlSource;
  diagnostics: Diagnostic[];
}

/** Below this many bytes in all, starting workers costs more than it saves. */
export const PARALLEL_MIN_BYTES = 1024 * 1024;

export function parseDataFile(root: string, file: DataFile): ParsedFile {
  const fail = (rule: string, message: string, hint?: string): ParsedFile => ({
    ...file,
    diagnostics: [{ file: file.rel, line: 1, col: 1, rule, message, ...(hint ? { hint } : {}) }],
  });
  const full = join(root, file.rel);
  let size: number;
  let bytes: Buffer;
  try {
    size = statSync(full).size;
    bytes = size > MAX_DATA_FILE_BYTES ? Buffer.alloc(0) : readFileSync(full);
  } catch (err) {
    return fail("unreadable-file", `${file.rel} cannot be read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  if (size > MAX_DATA_FILE_BYTES) {
    const dir = file.rel.split("/")[0];
    return fail("file-too-large", `${file.rel} is ${size} bytes; data files may hold at most ${MAX_DATA_FILE_BYTES} bytes`, `split it into ${dir}/${file.kind}/*.yaml`);
  }
  const text = new TextDecoder("utf-8", { fatal: false }).decode(bytes);
  const bad = text.indexOf("\uFFFD");
  if (bad !== -1 && !bytes.includes(Buffer.from("\uFFFD"))) {
    const line = text.slice(0, bad).split("\n").length;
    const col = bad - text.lastIndexOf("\n", bad - 1);
    return { ...file, diagnostics: [{ file: file.rel, line, col, rule: "invalid-encoding", message: `${file.rel} is not valid UTF-8`, hint: "save the file as UTF-8" }] };
  }
  const parsed = parseYamlSource(file.rel, text);
  return { ...file, source: parsed.source, diagnostics: parsed.diagnostics };
}

export function parseDataFilesSync(root: string, files: readonly DataFile[]): ParsedFile[] {
  return files.map((f) => parseDataFile(root, f));
}

/** Same result as parseDataFilesSync, in file order; uses workers only when the data is large. */
export async function parseDataFiles(root: string, files: readonly DataFile[]): Promise<ParsedFile[]> {
  const sizes = files.map((f) => {
    try {
      return statSync(join(root, f.rel)).size;
    } catch {
      return 0;
    }
  });
  const total = sizes.reduce((a, b) => a + b, 0);
  const workers = Math.min(availableParallelism(), files.length);
  if (total < PARALLEL_MIN_BYTES || workers < 2 || typeof Worker === "undefined") return parseDataFilesSync(root, files);

  // Largest files first onto the least loaded worker keeps the threads finishing together.
  const loads = Array.from({ length: workers }, () => ({ bytes: 0, indexes: [] as number[] }));
  for (const i of files.map((_, i) => i).sort((a, b) => sizes[b]! - sizes[a]!)) {
    const target = loads.reduce((min, l) => (l.bytes < min.bytes ? l : min));
    target.bytes += sizes[i]!;
    target.indexes.push(i);
  }
  const results: ParsedFile[] = new Array(files.length);
  try {
    await Promise.all(
      loads.map(async ({ indexes }) => {
        const batch = indexes.map((i) => files[i]!);
        const parsed = await runWorker(root, batch);
        indexes.forEach((fileIndex, j) => (results[fileIndex] = parsed[j]!));
      }),
    );
  } catch {
    return parseDataFilesSync(root, files);
  }
  return results;
}

function runWorker(root: string, files: DataFile[]): Promise<ParsedFile[]> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL("./parse-worker.ts", import.meta.url).href);
    worker.onmessage = (e: MessageEvent<ParsedFile[]>) => {
      resolve(e.data);
      worker.terminate();
    };
    worker.onerror = (e) => {
      reject(new Error(e.message));
      worker.terminate();
    };
    worker.postMessage({ root, files });
  });
}
