/**
 * Reads and parses data files. Clean record files take parseYamlSource's fast path (about 10 MB/s here
 * once warm, against 1 to 1.7 MB/s for yaml's parseDocument, which still reads every file with something
 * to report; see bench/parse.ts). Spreading parsing over worker threads or processes measured no gain on
 * this 2-core machine, because one Bun process already keeps both cores busy (JIT and GC threads), so it
 * stays in-process.
 */
import { diagnostic, fileStart, type Diagnostic } from "../report/diagnostics.ts";
import type { DataFileCache } from "../cache/data-file-cache.ts";
import { readInside } from "../fs/safe-fs.ts";
import type { Kind } from "../schema/kinds.ts";
import { MAX_DATA_FILE_BYTES, parseYamlSource, type YamlSource } from "./yaml-source.ts";

export interface DataFile {
  kind: Kind;
  rel: string;
}

/** What validating one file found: diagnostics in order, names seen, and each valid record by list index. */
export interface ValidatedFile {
  diagnostics: Diagnostic[];
  names: string[];
  records: [index: number, record: unknown][];
}

export interface ParsedFile extends DataFile {
  source?: YamlSource;
  diagnostics: Diagnostic[];
  /** What validating its records found: from the store, or filled in by the loader. */
  validated?: ValidatedFile;
  /** The bytes read, and whether the store had their entry. */
  bytes?: Uint8Array;
  hit?: boolean;
}

export function parseDataFile(root: string, file: DataFile, cache?: DataFileCache): ParsedFile {
  const read = readInside(root, file.rel, MAX_DATA_FILE_BYTES);
  if ("refusal" in read) {
    const { rule, message, hint } = read.refusal;
    const split = rule === "file-too-large" ? `split it into ${file.rel.split("/")[0]}/${file.kind}/*.yaml` : undefined;
    return { ...file, diagnostics: [diagnostic(rule, fileStart(file.rel), message, hint ?? split)] };
  }
  const bytes = read.bytes;
  const cached = cache?.get(file.rel, bytes);
  return cached ? { ...cached, ...file, bytes, hit: true } : { ...parseBytes(file, bytes), bytes };
}

function parseBytes(file: DataFile, bytes: Buffer): ParsedFile {
  const text = new TextDecoder("utf-8", { fatal: false }).decode(bytes);
  const bad = text.indexOf("\uFFFD");
  if (bad !== -1 && !bytes.includes(Buffer.from("\uFFFD"))) {
    const line = text.slice(0, bad).split("\n").length;
    const col = bad - text.lastIndexOf("\n", bad - 1);
    return {
      ...file,
      diagnostics: [
        diagnostic("invalid-encoding", { file: file.rel, line, col }, `${file.rel} is not valid UTF-8`, "save the file as UTF-8"),
      ],
    };
  }
  const parsed = parseYamlSource(file.rel, text);
  return { ...file, source: parsed.source, diagnostics: parsed.diagnostics };
}

export function parseDataFiles(root: string, files: readonly DataFile[], cache?: DataFileCache): ParsedFile[] {
  return files.map((f) => parseDataFile(root, f, cache));
}
