/**
 * data/ → validated records with their source positions. Finds the data files, parses each with
 * positions, validates every record against its kind's schema, and collects every mistake of the run.
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import type { Diagnostic } from "./diagnostics.ts";
import { KINDS, RECORD_SCHEMAS, type Kind, type RecordOf } from "./schema/kinds.ts";
import { closest } from "./suggest.ts";
import { issuesToDiagnostics } from "./zod-issues.ts";
import { parseDataFiles, type ParsedFile } from "./parse-data-files.ts";
import { offsetOf, position, type YamlSource } from "./yaml-source.ts";

export interface Located {
  file: string;
  line: number;
  col: number;
}

export interface Entry<K extends Kind = Kind> {
  kind: K;
  record: RecordOf<K>;
  /** Where the record starts (its first key), for edit links and cross-record diagnostics. */
  at: Located;
  src: YamlSource;
  index: number;
}

export type Records = { [K in Kind]: Entry<K>[] };

export interface LoadResult {
  records: Records;
  /** Names of every record that has a readable name, valid or not, so one bad field does not cascade. */
  names: { [K in Kind]: Set<string> };
  /** Kinds with a file that could not be parsed: references into them are not judged. */
  unreadable: Set<Kind>;
  sources: Map<string, YamlSource>;
  diagnostics: Diagnostic[];
}

export const SCHEMA_DIR = "src/generated/schema";

export function schemaComment(kind: Kind, fileRel: string): string {
  const depth = fileRel.split("/").length - 1;
  return `# yaml-language-server: $schema=${"../".repeat(depth)}${SCHEMA_DIR}/${kind}.schema.json`;
}

/** data/<kind>.yaml, plus data/<kind>/*.yaml for kinds split over several files. */
export function findDataFiles(root: string, dataDir = "data"): { files: { kind: Kind; rel: string }[]; diagnostics: Diagnostic[] } {
  const dir = join(root, dataDir);
  const files: { kind: Kind; rel: string }[] = [];
  const diagnostics: Diagnostic[] = [];
  if (!existsSync(dir)) {
    return { files, diagnostics: [{ file: dataDir, line: 1, col: 1, rule: "missing-data", message: `no ${dataDir}/ folder`, hint: "run from the repository root" }] };
  }
  const unknown = (rel: string, name: string) => {
    const guess = closest(name.replace(/\.ya?ml$/, ""), KINDS);
    diagnostics.push({
      file: rel, line: 1, col: 1, rule: "unknown-data-file",
      message: `${rel} is not a data file this project reads`,
      hint: guess ? `did you mean ${dataDir}/${guess}.yaml?` : `data files are ${KINDS.map((k) => `${k}.yaml`).join(", ")}`,
    });
  };
  for (const name of readdirSync(dir).sort()) {
    const rel = `${dataDir}/${name}`;
    const full = join(dir, name);
    if (isDirectory(full)) {
      if (!(KINDS as readonly string[]).includes(name)) { unknown(rel, name); continue; }
      for (const inner of readdirSync(full).sort()) {
        if (inner.endsWith(".yaml")) files.push({ kind: name as Kind, rel: `${rel}/${inner}` });
        else if (!inner.startsWith(".")) unknown(`${rel}/${inner}`, inner);
      }
    } else if (name.endsWith(".yaml") && (KINDS as readonly string[]).includes(name.slice(0, -5))) {
      files.push({ kind: name.slice(0, -5) as Kind, rel });
    } else if (!name.startsWith(".") && name !== "README.md") {
      unknown(rel, name);
    }
  }
  for (const kind of KINDS) {
    if (!files.some((f) => f.kind === kind)) {
      diagnostics.push({ file: `${dataDir}/${kind}.yaml`, line: 1, col: 1, rule: "missing-data", message: `no records of kind "${kind}"`, hint: `create ${dataDir}/${kind}.yaml` });
    }
  }
  return { files, diagnostics };
}

/** A dangling link or unreadable entry is not a directory: it is then reported as an unreadable file. */
function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function emptyRecords(): Records {
  return Object.fromEntries(KINDS.map((k) => [k, []])) as unknown as Records;
}

/** @param cacheDir where parsed files are remembered by content (relative to root); none by default */
export function loadRecords(root: string, dataDir = "data", cacheDir?: string): LoadResult {
  const found = findDataFiles(root, dataDir);
  return assemble(found.diagnostics, parseDataFiles(root, found.files, cacheDir));
}

function assemble(fileDiagnostics: Diagnostic[], parsedFiles: ParsedFile[]): LoadResult {
  const diagnostics = [...fileDiagnostics];
  const records = emptyRecords();
  const names = Object.fromEntries(KINDS.map((k) => [k, new Set<string>()])) as LoadResult["names"];
  const sources = new Map<string, YamlSource>();
  const unreadable = new Set<Kind>();

  for (const { kind, rel, source, diagnostics: parseErrors } of parsedFiles) {
    if (source) sources.set(rel, source);
    diagnostics.push(...parseErrors);
    if (!source || parseErrors.length) {
      unreadable.add(kind);
      continue;
    }
    diagnostics.push(...checkSchemaComment(kind, rel, source.text));
    const invalid = validateFile(kind, source, records, names);
    if (invalid.some((d) => d.rule === "not-a-list")) unreadable.add(kind);
    diagnostics.push(...invalid);
  }
  return { records, names, unreadable, sources, diagnostics };
}

function checkSchemaComment(kind: Kind, rel: string, text: string): Diagnostic[] {
  const expected = schemaComment(kind, rel);
  const first = text.split(/\r?\n/, 1)[0] ?? "";
  if (first === expected) return [];
  return [{
    file: rel, line: 1, col: 1, rule: "schema-comment",
    message: "the first line must point editors at this kind's JSON Schema",
    hint: `make line 1 exactly: ${expected}`,
  }];
}

function validateFile(kind: Kind, src: YamlSource, records: Records, names: LoadResult["names"]): Diagnostic[] {
  const out: Diagnostic[] = [];
  const data = src.data;
  if (!Array.isArray(data)) {
    const at = position(src, offsetOf(src, []));
    out.push({
      file: src.file, ...at, rule: "not-a-list",
      message: `${src.file} must be a YAML list of records, not ${data === null || data === undefined ? "empty" : typeof data === "object" ? "a mapping" : typeof data}`,
      hint: 'start each record with "- name: …"',
    });
    return out;
  }
  const schema = RECORD_SCHEMAS[kind];
  const keys = Object.keys(schema.shape);
  data.forEach((item, index) => {
    const at: Located = { file: src.file, ...position(src, offsetOf(src, [index])) };
    if (item === null || typeof item !== "object" || Array.isArray(item)) {
      out.push({ ...at, rule: "invalid-type", message: `each record must be a mapping of keys to values, not ${Array.isArray(item) ? "a list" : String(item)}` });
      return;
    }
    const name = (item as { name?: unknown }).name;
    if (typeof name === "string") names[kind].add(name);
    const result = schema.safeParse(item, { reportInput: true });
    if (!result.success) {
      out.push(...issuesToDiagnostics(result.error.issues, src, kind, [index], item, keys));
      return;
    }
    (records[kind] as Entry[]).push({ kind, record: result.data as unknown as RecordOf<typeof kind>, at, src, index });
  });
  return out;
}

export function relativePath(root: string, abs: string): string {
  return relative(root, abs).split("\\").join("/");
}
