/**
 * data/ → validated records with their source positions. Finds the data files, parses each with
 * positions, validates every record against its kind's schema, and collects every mistake of the run.
 */
import { join, relative } from "node:path";
import { diagnostic, fileStart, type Diagnostic } from "../report/diagnostics.ts";
import { listInside, type Refusal } from "../fs/safe-fs.ts";
import { fieldKeys, KINDS, parseRecord, type Kind } from "../schema/kinds.ts";
import { emptyRecords, type Located, type Records } from "../model/records.ts";
import { closest } from "../report/suggest.ts";
import { issuesToDiagnostics } from "./zod-issues.ts";
import { parseDataFiles, type ParsedFile, type ValidatedFile } from "./parse-data-files.ts";
import { placeOf, type YamlSource } from "./yaml-source.ts";
import { openDataFileCache } from "../cache/data-file-cache.ts";
import type { Entry } from "../model/records.ts";

/** Records and entries belong to the model; re-exported for the loaders' callers. */
export type { Entry, Located, Records } from "../model/records.ts";

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

/** A data file found, or a path that cannot be read as one (its kind's references are then not judged). */
export interface FoundFiles {
  files: { kind: Kind; rel: string }[];
  diagnostics: Diagnostic[];
  /** Kinds whose file or folder was refused: their absence must not cascade into reference errors. */
  refused: Set<Kind>;
}

const kindOf = (name: string): Kind | undefined => ((KINDS as readonly string[]).includes(name) ? (name as Kind) : undefined);

/** data/<kind>.yaml, plus data/<kind>/*.yaml for kinds split over several files. */
export function findDataFiles(root: string, dataDir = "data"): FoundFiles {
  const files: FoundFiles["files"] = [];
  const diagnostics: Diagnostic[] = [];
  const refused = new Set<Kind>();
  const refuse = (rel: string, refusal: Refusal, kind?: Kind) => {
    diagnostics.push(diagnostic(refusal.rule, fileStart(rel), refusal.message, refusal.hint));
    if (kind) refused.add(kind);
  };
  const top = listInside(root, dataDir);
  if (top === undefined) {
    return {
      files,
      refused,
      diagnostics: [diagnostic("missing-data", fileStart(dataDir), `no ${dataDir}/ folder`, "run from the repository root")],
    };
  }
  if ("refusal" in top) {
    refuse(dataDir, top.refusal);
    for (const k of KINDS) refused.add(k);
    return { files, refused, diagnostics };
  }
  const unknown = (rel: string, name: string) => {
    const guess = closest(name.replace(/\.ya?ml$/, ""), KINDS);
    diagnostics.push(
      diagnostic(
        "unknown-data-file",
        fileStart(rel),
        `${rel} is not a data file this project reads`,
        guess ? `did you mean ${dataDir}/${guess}.yaml?` : `data files are ${KINDS.map((k) => `${k}.yaml`).join(", ")}`,
      ),
    );
  };
  for (const entry of top) {
    const name = entry.rel.slice(dataDir.length + 1);
    const fileKind = name.endsWith(".yaml") ? kindOf(name.slice(0, -5)) : undefined;
    const dirKind = kindOf(name);
    if (entry.kind === "refused") {
      if (fileKind ?? dirKind) refuse(entry.rel, entry.refusal, fileKind ?? dirKind);
      else if (!name.startsWith(".")) refuse(entry.rel, entry.refusal);
    } else if (entry.kind === "dir") {
      if (fileKind) {
        refuse(
          entry.rel,
          {
            rule: "not-a-file",
            message: `${entry.rel} is a folder, not a file`,
            hint: `records of kind "${fileKind}" go in ${entry.rel} as a file, or in ${dataDir}/${fileKind}/*.yaml`,
          },
          fileKind,
        );
        continue;
      }
      if (!dirKind) {
        unknown(entry.rel, name);
        continue;
      }
      const inner = listInside(root, entry.rel);
      if (inner === undefined) continue;
      if ("refusal" in inner) {
        refuse(entry.rel, inner.refusal, dirKind);
        continue;
      }
      for (const e of inner) {
        const innerName = e.rel.slice(entry.rel.length + 1);
        if (innerName.endsWith(".yaml")) {
          if (e.kind === "file") files.push({ kind: dirKind, rel: e.rel });
          else
            refuse(
              e.rel,
              e.kind === "refused"
                ? e.refusal
                : { rule: "not-a-file", message: `${e.rel} is a folder, not a file`, hint: "data folders hold .yaml files only" },
              dirKind,
            );
        } else if (!innerName.startsWith(".")) unknown(e.rel, innerName);
      }
    } else if (fileKind) {
      files.push({ kind: fileKind, rel: entry.rel });
    } else if (!name.startsWith(".") && name !== "README.md") {
      unknown(entry.rel, name);
    }
  }
  for (const kind of KINDS) {
    if (!files.some((f) => f.kind === kind) && !refused.has(kind)) {
      diagnostics.push(
        diagnostic("missing-data", fileStart(`${dataDir}/${kind}.yaml`), `no records of kind "${kind}"`, `create ${dataDir}/${kind}.yaml`),
      );
    }
  }
  return { files, refused, diagnostics };
}

/**
 * @param storeDir the store (relative to root) where each data file's parse and validation are remembered
 * by content (src/core/cache/data-file-cache.ts); none by default
 */
export function loadRecords(root: string, dataDir = "data", storeDir?: string): LoadResult {
  const found = findDataFiles(root, dataDir);
  const cache = storeDir ? openDataFileCache(root, join(root, storeDir)) : undefined;
  const parsed = parseDataFiles(root, found.files, cache);
  const result = assemble(found, parsed);
  for (const { bytes, hit, ...file } of parsed) if (cache && bytes && !hit) cache.set(bytes, file);
  return result;
}

function assemble(found: FoundFiles, parsedFiles: ParsedFile[]): LoadResult {
  const diagnostics = [...found.diagnostics];
  const records = emptyRecords();
  const names = Object.fromEntries(KINDS.map((k) => [k, new Set<string>()])) as LoadResult["names"];
  const sources = new Map<string, YamlSource>();
  const unreadable = new Set<Kind>(found.refused);

  for (const file of parsedFiles) {
    const { kind, rel, source, diagnostics: parseErrors } = file;
    if (source) sources.set(rel, source);
    diagnostics.push(...parseErrors);
    if (!source || parseErrors.length) {
      unreadable.add(kind);
      continue;
    }
    diagnostics.push(...checkSchemaComment(kind, rel, source.text));
    file.validated ??= validated(kind, source);
    for (const name of file.validated.names) names[kind].add(name);
    for (const [index, record] of file.validated.records)
      (records[kind] as Entry[]).push({ kind, record, at: placeOf(source, [index]), src: source, index } as Entry);
    if (file.validated.diagnostics.some((d) => d.rule === "not-a-list")) unreadable.add(kind);
    diagnostics.push(...file.validated.diagnostics);
  }
  return { records, names, unreadable, sources, diagnostics };
}

function checkSchemaComment(kind: Kind, rel: string, text: string): Diagnostic[] {
  const expected = schemaComment(kind, rel);
  const first = text.split(/\r?\n/, 1)[0] ?? "";
  if (first === expected) return [];
  return [
    diagnostic(
      "schema-comment",
      fileStart(rel),
      "the first line must point editors at this kind's JSON Schema",
      `make line 1 exactly: ${expected}`,
    ),
  ];
}

/** validateFile's findings for one file, as plain data the store can keep. */
function validated(kind: Kind, src: YamlSource): ValidatedFile {
  const own = emptyRecords();
  const ownNames = Object.fromEntries(KINDS.map((k) => [k, new Set<string>()])) as LoadResult["names"];
  const diagnostics = validateFile(kind, src, own, ownNames);
  return { diagnostics, names: [...ownNames[kind]], records: (own[kind] as Entry[]).map((e) => [e.index, e.record]) };
}

function validateFile<K extends Kind>(kind: K, src: YamlSource, records: Records, names: LoadResult["names"]): Diagnostic[] {
  const out: Diagnostic[] = [];
  const data = src.data;
  if (!Array.isArray(data)) {
    out.push(
      diagnostic(
        "not-a-list",
        placeOf(src, []),
        `${src.file} must be a YAML list of records, not ${data === null || data === undefined ? "empty" : typeof data === "object" ? "a mapping" : typeof data}`,
        'start each record with "- name: …"',
      ),
    );
    return out;
  }
  const keys = fieldKeys(kind);
  data.forEach((item, index) => {
    const at: Located = placeOf(src, [index]);
    if (item === null || typeof item !== "object" || Array.isArray(item)) {
      out.push(
        diagnostic(
          "invalid-type",
          at,
          `each record must be a mapping of keys to values, not ${Array.isArray(item) ? "a list" : String(item)}`,
        ),
      );
      return;
    }
    const name = (item as { name?: unknown }).name;
    if (typeof name === "string") names[kind].add(name);
    const result = parseRecord(kind, item, data.length);
    if (!result.success) {
      out.push(...issuesToDiagnostics(result.error.issues, src, kind, [index], item, keys));
      return;
    }
    records[kind].push({ kind, record: result.data, at, src, index });
  });
  return out;
}

export function relativePath(root: string, abs: string): string {
  return relative(root, abs).split("\\").join("/");
}
