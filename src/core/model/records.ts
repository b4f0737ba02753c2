/**
 * The records every consumer reads: one `Entry` per valid record, typed by its kind from the schema, with
 * where it came from. `Entry<"roadmap">` is a roadmap record with its fields; a bare `Entry` is any record,
 * and checking `entry.kind` narrows `entry.record` to that kind's fields.
 */
import type { YamlSource } from "../load/yaml-source.ts";
import type { Kind, RecordOf } from "../schema/kinds.ts";

export interface Located {
  file: string;
  line: number;
  col: number;
}

interface EntryOf<K extends Kind> {
  kind: K;
  record: RecordOf<K>;
  /** Where the record starts (its first key), for edit links and cross-record diagnostics. */
  at: Located;
  src: YamlSource;
  index: number;
}

/** A record of kind K (of any kind by default: then a union that `entry.kind` narrows). */
export type Entry<K extends Kind = Kind> = { [P in K]: EntryOf<P> }[K];

/** Every valid record, by kind, in file order. */
export type Records = { [K in Kind]: Entry<K>[] };

export function emptyRecords(): Records {
  return { scopes: [], features: [], variants: [], security: [], roadmap: [], components: [], criteria: [], team: [] };
}

/** The value of a record's field by name (a key from the schema or a reference), undefined when not set. */
export function fieldValue(entry: Entry, key: string): unknown {
  const record: Readonly<Record<string, unknown>> = entry.record;
  return Object.hasOwn(record, key) ? record[key] : undefined;
}
