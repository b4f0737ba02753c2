/**
 * A record page as data: every field of the record, in schema order, each typed for display (prose,
 * code, links to other records, lists, limits), plus the records that point back at it.
 */
import type { Entry } from "../core/load/load-records.ts";
import { MASTER_COLUMNS, type MasterKey } from "../core/schema/columns.ts";
import { KIND_NOUN, RECORD_SCHEMAS, REFERENCES, type Kind } from "../core/schema/kinds.ts";
import { plural, type Site } from "./data.ts";
import { fieldLabel } from "./format.ts";

export type Value =
  | { type: "text"; text: string }
  | { type: "code"; text: string }
  | { type: "link"; text: string; href: string | undefined }
  | { type: "list"; items: Value[] }
  | { type: "limits"; rows: { name: string; value: number; unit: string }[] }
  | { type: "status"; text: string };

export interface Field {
  key: string;
  label: string;
  value: Value;
  master: boolean;
}

/** Fields whose value is a command, a path or an identifier. */
const CODE_FIELDS: Partial<Record<Kind, string[]>> = {
  features: ["modules", "replaces"],
  variants: ["entry", "script"],
  security: ["evidence"],
  components: ["location"],
  criteria: ["command"],
};

function findByName(site: Site, kind: Kind, name: string): Entry | undefined {
  return site.entries(kind).find((e) => e.record.name === name);
}

function refTarget(kind: Kind, key: string): { target: Kind; allowAll: boolean } | undefined {
  const ref = REFERENCES.find((r) => r.kind === kind && r.field === key);
  return ref ? { target: ref.target, allowAll: ref.allowAll ?? false } : undefined;
}

function toValue(site: Site, entry: Entry, key: string, raw: unknown): Value {
  const ref = refTarget(entry.kind, key);
  const code = CODE_FIELDS[entry.kind]?.includes(key) ?? false;
  const one = (v: unknown): Value => {
    const s = String(v);
    if (ref) {
      if (ref.allowAll && s === "all") return { type: "text", text: "all scopes" };
      const target = findByName(site, ref.target, s);
      return { type: "link", text: s, href: target ? site.urlOf(target) : undefined };
    }
    if (code) return { type: "code", text: s };
    if (key === "status") return { type: "status", text: s };
    return { type: "text", text: s };
  };
  if (key === "limits" && Array.isArray(raw)) {
    return { type: "limits", rows: raw as { name: string; value: number; unit: string }[] };
  }
  if (Array.isArray(raw)) return { type: "list", items: raw.map(one) };
  return one(raw);
}

export function recordFields(site: Site, entry: Entry): Field[] {
  const record = entry.record as unknown as Record<string, unknown>;
  const order = Object.keys(RECORD_SCHEMAS[entry.kind].shape);
  const masterKeys = new Set<string>(MASTER_COLUMNS.map((c) => c.key));
  const keys = [...order.filter((k) => k in record), ...Object.keys(record).filter((k) => !order.includes(k))];
  return keys.map((key) => {
    const master = masterKeys.has(key);
    const label = master ? MASTER_COLUMNS.find((c) => c.key === (key as MasterKey))!.label : fieldLabel(key);
    return { key, label, master, value: toValue(site, entry, key, record[key]) };
  });
}

export interface Backlink {
  title: string;
  entries: Entry[];
}

/** Records of other kinds that name this one (variants with a flag, tasks delivering a control, …). */
export function backlinks(site: Site, entry: Entry): Backlink[] {
  const out: Backlink[] = [];
  const name = entry.record.name;
  for (const ref of REFERENCES) {
    if (ref.target !== entry.kind) continue;
    if (ref.kind === "features" && ref.field === "scope") continue; // listed below with "all" expanded
    const hits = site.entries(ref.kind).filter((e) => {
      const v = (e.record as unknown as Record<string, unknown>)[ref.field];
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
  if (field === "owner") return `${capitalize(plural(kind, 2))} it owns`;
  if (field === "scope") return `${capitalize(plural(kind, 2))} in this scope`;
  return `${capitalize(plural(kind, 2))} naming this ${KIND_NOUN[target]} in ${fieldLabel(field).toLowerCase()}`;
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
