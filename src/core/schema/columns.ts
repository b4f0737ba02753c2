/**
 * The master table standard: the nine columns every record carries, in the order every table shows them.
 * This module IS the table-format standard; the docs page about it is generated from these definitions.
 */

/** Release/Status values with the icon shown beside the text (never colour alone). */
export const STATUS_ICONS = {
  Planned: "📋",
  "In Progress": "⏳",
  Beta: "🧪",
  Done: "✅",
  Blocked: "⛔",
  Deprecated: "🗑️",
} as const;
export const STATUSES = Object.keys(STATUS_ICONS) as (keyof typeof STATUS_ICONS)[];
export type Status = keyof typeof STATUS_ICONS;

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

export type MasterKey = "name" | "type" | "category" | "domain" | "scope" | "tier" | "impact" | "status" | "approval";

export interface MasterColumn {
  key: MasterKey;
  /** Header text, exactly as every table must show it. */
  label: string;
  description: string;
  /** Fixed allowed values; `undefined` when the values come from the records (names, types per kind, scopes). */
  values?: readonly string[];
  example: string;
}

export const MASTER_COLUMNS: readonly MasterColumn[] = [
  { key: "name", label: "Name", description: "Unique name of the record within its kind.", example: "DEBUG" },
  { key: "type", label: "Type", description: "What sort of record this is; allowed values depend on the kind.", example: "Diagnostic" },
  { key: "category", label: "Category", description: "The functional family it belongs to.", values: CATEGORIES, example: "Observability" },
  { key: "domain", label: "Domain", description: "The part of the system it touches.", values: DOMAINS, example: "Operations" },
  {
    key: "scope",
    label: "Scope",
    description: `Scopes (from data/scopes.yaml) it applies to, or "${ALL_SCOPES}".`,
    example: "Development, Internal",
  },
  { key: "tier", label: "Tier", description: "The product tier needed to get it.", values: TIERS, example: "Internal" },
  {
    key: "impact",
    label: "Size/Impact",
    description: "Expected impact; for flags and variants the site shows measured bytes when bundle results exist.",
    values: IMPACTS,
    example: "Low",
  },
  { key: "status", label: "Release/Status", description: "Where it stands, shown with its icon.", values: STATUSES, example: "✅ Done" },
  { key: "approval", label: "Approval", description: "Sign-off state.", values: APPROVALS, example: "Approved" },
];

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
