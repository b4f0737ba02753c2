/**
 * The data behind the one master table component: columns in master order (plus a few per-kind extras
 * after them), one row per record with its cells, sort keys and filter values. Pure data: the component
 * renders it, the tests and the bench can inspect it.
 */
import type { Entry } from "../core/load/load-records.ts";
import {
  APPROVALS,
  DOMAINS,
  formatScope,
  IMPACTS,
  MASTER_COLUMNS,
  STATUSES,
  TABLE_REQUIRED_KEYS,
  TIERS,
  type MasterKey,
  type Status,
} from "../core/schema/columns.ts";
import { REQUIRED_COLUMNS, type Kind } from "../core/schema/kinds.ts";
import type { Site } from "./data.ts";
import { plural } from "./data.ts";
import { formatBytes, formatDays, largestDelta, formatSignedBytes, isOverdue } from "./format.ts";

export const FILTER_KEYS = ["scope", "tier", "status", "domain"] as const;
export type FilterKey = (typeof FILTER_KEYS)[number];
export const FILTER_LABELS: Record<FilterKey, string> = { scope: "Scope", tier: "Tier", status: "Status", domain: "Domain" };

export interface Cell {
  text: string;
  /** Sort key when it differs from the text (ranks of ordered values, numbers of bytes). */
  sort?: string | number;
  href?: string;
  status?: Status;
  code?: boolean;
  /** A warning shown after the text, e.g. Overdue. */
  badge?: string;
  /** Why the badge is there, for readers who hover or use a screen reader. */
  title?: string;
}

export interface Column {
  id: string;
  label: string;
  numeric?: boolean;
}

export interface Row {
  key: string;
  href: string;
  cells: Cell[];
  filters: Record<FilterKey, string[]>;
  /** Lower-case text the filter box searches: every cell plus the record's prose fields. */
  search: string;
}

export interface TableModel {
  kind: Kind;
  noun: string;
  nounOne: string;
  columns: Column[];
  rows: Row[];
  filterOptions: Record<FilterKey, string[]>;
}

/** Server-side restriction of the rows, e.g. `{ scope: "Enterprise" }` or `{ phase: 2, type: "Task" }`. */
export type TableFilter = Partial<Record<FilterKey | "type" | "category" | "name" | "approval" | "impact" | "owner", string | string[]>> & { phase?: number };

export interface TableOptions {
  filter?: TableFilter;
  /** Extra columns after the master ones (ids of EXTRAS). */
  extra?: string[];
  /** Master columns to show; default: the six every table needs, plus those the kind requires or any row fills. */
  columns?: MasterKey[];
}

const DASH = "—";
const rank = (list: readonly string[], v: string | undefined) => (v === undefined ? -1 : list.indexOf(v));

type R = Record<string, unknown>;
const field = (e: Entry, k: string) => (e.record as unknown as R)[k];

function flagResult(site: Site, name: string) {
  return site.results?.flags.find((f) => f.name === name);
}
function variantResult(site: Site, name: string) {
  return site.results?.variants.find((v) => v.name === name);
}

function impactCell(site: Site, e: Entry): Cell {
  const impact = field(e, "impact") as string | undefined;
  if (e.kind === "variants") {
    const r = variantResult(site, e.record.name);
    if (r) return { text: `${formatBytes(r.bytes.gzip)} gzip`, sort: r.bytes.gzip };
    return { text: impact ? `${impact} (not measured)` : "not measured", sort: -1 };
  }
  if (e.kind === "features" && site.results) {
    const r = flagResult(site, e.record.name);
    const delta = r && largestDelta([...r.leaveOneOut, ...r.addOne]);
    if (delta !== undefined) return { text: `${impact ?? DASH} (${formatSignedBytes(delta)})`, sort: delta };
  }
  return { text: impact ?? DASH, sort: rank(IMPACTS, impact) };
}

function masterCell(site: Site, e: Entry, key: MasterKey): Cell {
  const v = field(e, key);
  switch (key) {
    case "name":
      return { text: e.record.name, href: site.urlOf(e) };
    case "scope":
      return { text: v === undefined ? DASH : formatScope(v as string | string[]) };
    case "tier":
      return { text: (v as string) ?? DASH, sort: rank(TIERS, v as string) };
    case "impact":
      return impactCell(site, e);
    case "status": {
      if (v === undefined) return { text: DASH, sort: -1 };
      const evidence = site.evidence(e);
      return { text: v as string, status: v as Status, sort: rank(STATUSES, v as string), ...(evidence && !evidence.backed ? { badge: "unverified", title: evidence.reason } : {}) };
    }
    case "approval":
      return { text: (v as string) ?? DASH, sort: rank(APPROVALS, v as string) };
    case "domain":
      return { text: (v as string) ?? DASH };
    default:
      return { text: (v as string) ?? DASH };
  }
}

interface Extra {
  label: string;
  numeric?: boolean;
  cell(site: Site, e: Entry): Cell;
}

const text = (v: unknown): Cell => ({ text: v === undefined || v === null || v === "" ? DASH : String(v) });

export const EXTRAS: Record<string, Extra> = {
  description: { label: "Description", cell: (_s, e) => text(field(e, "description")) },
  owner: { label: "Owner", cell: (_s, e) => text(field(e, "owner")) },
  phase: { label: "Phase", numeric: true, cell: (_s, e) => ({ text: String(field(e, "phase")), sort: field(e, "phase") as number }) },
  estimate: {
    label: "Estimate",
    numeric: true,
    cell: (_s, e) => {
      const d = field(e, "estimate") as number | undefined;
      return d === undefined ? { text: DASH, sort: -1 } : { text: formatDays(d), sort: d };
    },
  },
  target: {
    label: "Target",
    cell: (s, e) => {
      const t = field(e, "target") as string | undefined;
      if (!t) return { text: DASH, sort: "" };
      return { text: t, sort: t, ...(isOverdue(e, s.config.buildDate) ? { badge: "Overdue" } : {}) };
    },
  },
  variants: {
    label: "Variants",
    numeric: true,
    cell: (s, e) => {
      const n = s.model.variantsWith(e.record.name).length;
      return { text: String(n), sort: n };
    },
  },
  flags: {
    label: "Flags",
    numeric: true,
    cell: (_s, e) => {
      const n = ((field(e, "features") as string[] | undefined) ?? []).length;
      return { text: String(n), sort: n };
    },
  },
  budget: {
    label: "Budget",
    numeric: true,
    cell: (_s, e) => {
      const b = field(e, "budget") as number;
      return { text: formatBytes(b), sort: b };
    },
  },
  withinBudget: {
    label: "Within budget",
    cell: (s, e) => {
      const r = variantResult(s, e.record.name);
      return r ? { text: r.withinBudget ? "yes" : "no, over budget" } : { text: "not measured" };
    },
  },
  location: { label: "Location", cell: (_s, e) => ({ ...text(field(e, "location")), code: true }) },
  productionReady: { label: "Production ready", cell: (_s, e) => text(field(e, "productionReady")) },
  command: { label: "Command", cell: (_s, e) => ({ ...text(field(e, "command")), code: true }) },
  responsibility: { label: "Responsibility", cell: (_s, e) => text(field(e, "responsibility")) },
  timeline: { label: "Timeline", cell: (_s, e) => text(field(e, "timeline")) },
  contact: { label: "Contact", cell: (_s, e) => text(field(e, "contact")) },
};

const PROSE_FIELDS = ["description", "purpose", "threat", "requirement", "responsibility", "evidence", "owner", "command", "location", "contact", "isolation"];

function matches(site: Site, e: Entry, filter: TableFilter | undefined): boolean {
  if (!filter) return true;
  for (const [k, want] of Object.entries(filter)) {
    if (want === undefined) continue;
    const wanted = (Array.isArray(want) ? want : [want]).map(String);
    let have: string[];
    if (k === "scope") have = site.model.scopesOf(e);
    else {
      const v = field(e, k);
      have = v === undefined ? [] : Array.isArray(v) ? v.map(String) : [String(v)];
    }
    if (!wanted.some((w) => have.includes(w))) return false;
  }
  return true;
}

export function defaultMasterColumns(kind: Kind, entries: Entry[]): MasterKey[] {
  const keep = new Set<MasterKey>([...TABLE_REQUIRED_KEYS, ...REQUIRED_COLUMNS[kind]]);
  // Flags and variants show measured bytes in Size/Impact (or "not measured").
  if (kind === "features" || kind === "variants") keep.add("impact");
  for (const c of MASTER_COLUMNS) if (entries.some((e) => field(e, c.key) !== undefined)) keep.add(c.key);
  return MASTER_COLUMNS.filter((c) => keep.has(c.key)).map((c) => c.key);
}

const ORDERS: Record<FilterKey, readonly string[] | undefined> = { scope: undefined, tier: TIERS, status: STATUSES, domain: DOMAINS };

export function buildTable(site: Site, kind: Kind, options: TableOptions = {}): TableModel {
  const all = site.entries(kind);
  const entries = all.filter((e) => matches(site, e, options.filter));
  const keys = options.columns ?? defaultMasterColumns(kind, all);
  const masters = MASTER_COLUMNS.filter((c) => keys.includes(c.key));
  const extras = (options.extra ?? []).map((id) => {
    const x = EXTRAS[id];
    if (!x) throw new Error(`MasterTable: unknown extra column "${id}" (known: ${Object.keys(EXTRAS).join(", ")})`);
    return { id, ...x };
  });
  const columns: Column[] = [
    ...masters.map((c) => ({ id: c.key, label: c.label })),
    ...extras.map((x) => ({ id: x.id, label: x.label, ...(x.numeric ? { numeric: true } : {}) })),
  ];
  const rows: Row[] = entries.map((e) => {
    const cells = [...masters.map((c) => masterCell(site, e, c.key)), ...extras.map((x) => x.cell(site, e))];
    const one = (k: string) => {
      const v = field(e, k);
      return v === undefined ? [] : [String(v)];
    };
    const prose = PROSE_FIELDS.map((k) => field(e, k)).filter((v) => typeof v === "string");
    const search = [...cells.map((c) => c.text + (c.badge ? ` ${c.badge}` : "")), ...prose].join(" ").toLowerCase().replace(/\s+/g, " ");
    return {
      key: site.slugOf(e),
      href: site.urlOf(e),
      cells,
      filters: { scope: site.model.scopesOf(e), tier: one("tier"), status: one("status"), domain: one("domain") },
      search,
    };
  });
  const filterOptions = {} as Record<FilterKey, string[]>;
  for (const k of FILTER_KEYS) {
    const present = new Set(rows.flatMap((r) => r.filters[k]));
    const order = k === "scope" ? site.model.scopeNames : ORDERS[k]!;
    filterOptions[k] = order.filter((v) => present.has(v));
  }
  return { kind, noun: plural(kind, 2), nounOne: plural(kind, 1), columns, rows, filterOptions };
}

/** Extra columns each kind's own index page shows after the master columns. */
export const DEFAULT_EXTRAS: Record<Kind, string[]> = {
  scopes: ["description"],
  features: [],
  variants: ["flags", "budget"],
  security: ["target"],
  roadmap: ["phase", "estimate", "target"],
  components: ["location", "productionReady"],
  criteria: ["command"],
  team: ["responsibility", "timeline"],
};
