/**
 * The master table standard: the nine columns every record carries, in the order every table shows them.
 * This module IS the table-format standard: `MASTER` is the Zod shape every record kind is built from
 * (src/core/schema/kinds.ts), each column with its label and meaning as metadata; the docs page about it
 * is generated from these definitions.
 */
import { z } from "zod";
import { column, metaOf, Name, ScopeValue, Text } from "./fields.ts";

export const STATUSES = ["Planned", "In Progress", "Beta", "Done", "Blocked", "Deprecated"] as const;
export type Status = (typeof STATUSES)[number];
/** Release/Status values with the icon shown beside the text (never colour alone). */
export const STATUS_ICONS: { readonly [S in Status]: string } = {
  Planned: "📋",
  "In Progress": "⏳",
  Beta: "🧪",
  Done: "✅",
  Blocked: "⛔",
  Deprecated: "🗑️",
};

export const CATEGORIES = [
  "Core",
  "Security",
  "Observability",
  "Performance",
  "Integration",
  "Analytics",
  "Developer Experience",
  "Compliance",
  "Delivery",
  "Documentation",
  "Governance",
] as const;

export const DOMAINS = [
  "Platform",
  "Ingestion",
  "Aggregation",
  "Streaming",
  "Export",
  "Storage",
  "Access Control",
  "Build",
  "Documentation",
  "Operations",
] as const;

export const TIERS = ["Free", "Pro", "Enterprise", "Internal"] as const;
export const IMPACTS = ["None", "Low", "Medium", "High", "Critical"] as const;
export const APPROVALS = ["Pending", "Approved", "Rejected", "Not Required"] as const;

/** `scope: all` means every scope defined in data/scopes.yaml. */
export const ALL_SCOPES = "all";

/** The nine master columns, in table order, each with its label and meaning as schema metadata. */
export const MASTER = z.strictObject({
  name: column(Name, { label: "Name", description: "Unique name of the record within its kind.", example: "DEBUG" }),
  type: column(Text, {
    label: "Type",
    description: "What sort of record this is; allowed values depend on the kind.",
    example: "Diagnostic",
  }),
  category: column(z.enum(CATEGORIES), {
    label: "Category",
    description: "The functional family it belongs to.",
    example: "Observability",
  }),
  domain: column(z.enum(DOMAINS), { label: "Domain", description: "The part of the system it touches.", example: "Operations" }),
  scope: column(ScopeValue, {
    label: "Scope",
    description: `Scopes (from data/scopes.yaml) it applies to, or "${ALL_SCOPES}".`,
    example: "Development, Internal",
    ref: { target: "scopes", allowAll: true },
  }),
  tier: column(z.enum(TIERS), { label: "Tier", description: "The product tier needed to get it.", example: "Internal" }),
  impact: column(z.enum(IMPACTS), {
    label: "Size/Impact",
    description: "Expected impact; for flags and variants the site shows measured bytes when bundle results exist.",
    example: "Low",
  }),
  status: column(z.enum(STATUSES), {
    label: "Release/Status",
    short: "Status",
    description: "Where it stands, shown with its icon.",
    example: "✅ Done",
    role: "status",
  }),
  approval: column(z.enum(APPROVALS), { label: "Approval", description: "Sign-off state.", example: "Approved" }),
});

export type MasterKey = keyof typeof MASTER.shape;
export const MASTER_KEYS: readonly MasterKey[] = MASTER.keyof().options;

export interface MasterColumn {
  key: MasterKey;
  /** Header text, exactly as every table must show it. */
  label: string;
  /** Shorter text where space is tight (filter controls). */
  short: string;
  description: string;
  /** Fixed allowed values; `undefined` when the values come from the records (names, types per kind, scopes). */
  values?: readonly string[];
  example: string;
}

/** The master columns as plain data, read from the metadata of `MASTER`. */
export const MASTER_COLUMNS: readonly MasterColumn[] = MASTER_KEYS.map((key) => {
  const schema = MASTER.shape[key];
  const meta = metaOf(schema);
  if (!meta) throw new Error(`master column ${key} has no metadata`);
  return {
    key,
    label: meta.label,
    short: meta.short ?? meta.label,
    description: meta.description ?? "",
    ...(schema instanceof z.ZodEnum ? { values: schema.options } : {}),
    example: meta.example ?? "",
  };
});

/** A master column's header text, e.g. "Release/Status" for status. */
export function labelOf(key: MasterKey): string {
  return MASTER_COLUMNS.find((c) => c.key === key)?.label ?? key;
}

export const MASTER_LABELS = MASTER_COLUMNS.map((c) => c.label);

/**
 * Columns every hand-written master table must show, whatever it lists: a reader must always be able to
 * tell what it is, where it applies, which tier it needs and whether it is ready.
 */
export const TABLE_REQUIRED_KEYS: readonly MasterKey[] = ["name", "type", "domain", "scope", "tier", "status"];

/** Headers writers use for master columns by habit; the lint points them at the exact label. */
export const LABEL_ALIASES: Record<string, MasterKey> = {
  status: "status",
  release: "status",
  "release status": "status",
  size: "impact",
  impact: "impact",
  "size / impact": "impact",
  approved: "approval",
  approver: "approval",
  scopes: "scope",
  domains: "domain",
  categories: "category",
  tiers: "tier",
};

export function columnByLabel(label: string): MasterColumn | undefined {
  return MASTER_COLUMNS.find((c) => c.label === label);
}

/** Markdown text of a status: icon then name, so meaning never rests on colour. */
export function formatStatus(status: Status): string {
  return `${STATUS_ICONS[status]} ${status}`;
}

/** A scope value as shown in a cell: "all" or the names joined by ", ". */
export function formatScope(scope: string | readonly string[]): string {
  return typeof scope === "string" ? scope : scope.join(", ");
}

/** Parses a status cell, accepting "Done" or "✅ Done"; returns undefined for anything else. */
export function parseStatusCell(text: string): Status | undefined {
  const t = text.trim();
  for (const s of STATUSES) if (t === s || t === formatStatus(s)) return s;
  return undefined;
}
