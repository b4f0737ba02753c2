/**
 * A record page as data: every field of the record, in schema order, each typed for display by its
 * metadata (prose, code, links to other records, lists, limits, status), plus the records that point back at it.
 */
import { fieldText } from "../core/model/limit-text.ts";
import { fieldValue, type Entry } from "../core/model/records.ts";
import { statusOf } from "../core/model/status.ts";
import { MASTER_KEYS, type Status } from "../core/schema/columns.ts";
import { fieldKeys, fieldLabel, fieldMeta, KIND_INFO, kindNoun, referenceFields, type Kind, type RecordOf } from "../core/schema/kinds.ts";
import type { Site } from "./data.ts";

export type Value =
  | { type: "text"; text: string }
  | { type: "code"; text: string }
  | { type: "link"; text: string; href: string | undefined }
  | { type: "list"; items: Value[] }
  | { type: "limits"; rows: NonNullable<RecordOf<"security">["limits"]> }
  | { type: "status"; status: Status };

export interface Field {
  key: string;
  label: string;
  value: Value;
  master: boolean;
}

function findByName(site: Site, kind: Kind, name: string): Entry | undefined {
  return site.entries(kind).find((e) => e.record.name === name);
}

function toValue(site: Site, entry: Entry, key: string, raw: unknown): Value {
  const meta = fieldMeta(entry.kind, key);
  const ref = meta?.ref;
  const code = meta?.role === "code";
  const one = (v: unknown): Value => {
    const s = String(v);
    if (ref) {
      if (ref.allowAll && s === "all") return { type: "text", text: "all scopes" };
      const target = findByName(site, ref.target, s);
      return { type: "link", text: s, href: target ? site.urlOf(target) : undefined };
    }
    if (code) return { type: "code", text: s };
    if (meta?.role === "status" && statusOf(entry) !== undefined) return { type: "status", status: statusOf(entry)! };
    return { type: "text", text: s };
  };
  if (meta?.role === "limits" && entry.kind === "security" && entry.record.limits) return { type: "limits", rows: entry.record.limits };
  if (meta?.fillsLimits) return { type: "text", text: fieldText(entry, key) ?? String(raw) };
  if (meta?.role === "proof" && "proof" in entry.record && entry.record.proof) {
    const { tests, name } = entry.record.proof;
    return {
      type: "list",
      items: [
        ...tests.map((t): Value => ({ type: "code", text: t })),
        ...(name === undefined ? [] : [{ type: "text" as const, text: `tests named "${name}"` }]),
      ],
    };
  }
  if (Array.isArray(raw)) return { type: "list", items: raw.map(one) };
  return one(raw);
}

export function recordFields(site: Site, entry: Entry): Field[] {
  const masterKeys = new Set<string>(MASTER_KEYS);
  return fieldKeys(entry.kind)
    .filter((key) => fieldValue(entry, key) !== undefined)
    .map((key) => ({
      key,
      label: fieldLabel(key, entry.kind),
      master: masterKeys.has(key),
      value: toValue(site, entry, key, fieldValue(entry, key)),
    }));
}

/** The sentence shown under a record's name: its field marked `lead` in the schema (description, purpose, …). */
export function leadText(entry: Entry): string | undefined {
  const key = fieldKeys(entry.kind).find((k) => fieldMeta(entry.kind, k)?.lead);
  return key === undefined ? undefined : fieldText(entry, key);
}

export interface Backlink {
  title: string;
  entries: Entry[];
}

/** Records of other kinds that name this one (variants with a flag, tasks delivering a control, …). */
export function backlinks(site: Site, entry: Entry): Backlink[] {
  const out: Backlink[] = [];
  const name = entry.record.name;
  for (const ref of referenceFields()) {
    if (ref.target !== entry.kind) continue;
    if (ref.kind === "features" && ref.field === "scope") continue; // listed below with "all" expanded
    const hits = site.entries(ref.kind).filter((e) => {
      const v = fieldValue(e, ref.field);
      return Array.isArray(v) ? v.includes(name) : v === name;
    });
    if (!hits.length) continue;
    out.push({ title: backlinkTitle(ref.kind, ref.field, entry.kind), entries: hits });
  }
  if (entry.kind === "scopes") {
    const flags = site.entries("features").filter((e) => site.model.scopesOf(e).includes(name));
    if (flags.length) out.unshift({ title: "Feature flags available in this scope", entries: flags });
  }
  return out;
}

function backlinkTitle(kind: Kind, field: string, target: Kind): string {
  if (kind === "variants" && field === "features") return "Build variants that include it";
  if (kind === "variants" && field === "scope") return "Build variants for this scope";
  if (kind === "security" && field === "flags") return "Security controls that rely on it";
  if (kind === "roadmap" && field === "controls") return "Roadmap items that deliver it";
  if (kind === "roadmap" && field === "dependsOn") return "Roadmap items that depend on it";
  if (field === "owner") return `${KIND_INFO[kind].title} it owns`;
  if (field === "scope") return `${KIND_INFO[kind].title} in this scope`;
  return `${KIND_INFO[kind].title} naming this ${kindNoun(target)} in ${fieldLabel(field, kind).toLowerCase()}`;
}
