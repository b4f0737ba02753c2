/**
 * The data behind the one master table component: columns in master order (plus a few per-kind extras
 * after them), one row per record with its cells, sort keys and filter values. Pure data: the component
 * renders it, the tests and the bench can inspect it.
 */
import { isProved, proofSummary, proofView } from "./proof-view.ts";
import { isProven } from "../core/model/proof-state.ts";
import { fieldText } from "../core/model/limit-text.ts";
import { fieldValue, type Entry } from "../core/model/records.ts";
import { statusOf } from "../core/model/status.ts";
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
import { fieldKeys, fieldLabel, fieldMeta, fieldsWithRole, kindNoun, KINDS, requiredColumns, type Kind } from "../core/schema/kinds.ts";
import type { Site } from "./data.ts";
import { callSiteCount } from "./flag-sites-view.ts";
import { BADGE, flagCost, flagCostNote, formatBytes, formatDays, formatSignedBytes, isOverdue } from "./format.ts";

/** Select filters of a master table; "variant" (the build variants that ship a flag) only has values for flags. */
export const FILTER_KEYS = ["scope", "tier", "status", "domain", "variant"] as const;
export type FilterKey = (typeof FILTER_KEYS)[number];
/** Filter control labels: the master columns' short labels ("Status" for Release/Status). */
export const FILTER_LABELS = Object.fromEntries(
  FILTER_KEYS.map((k) => [k, MASTER_COLUMNS.find((c) => c.key === k)?.short ?? "Variant"]),
) as Record<FilterKey, string>;

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
  /** What backs the value (a Done's evidence), shown on hover; the record's page says it in full. */
  note?: string;
  /** Never broken across lines (a date: 2026-01-20, not 2026-01- / 20). */
  nowrap?: boolean;
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
  /** Open after its due date (isOverdue at the build date): what the Overdue filter keeps. */
  overdue: boolean;
}

export interface TableModel {
  kind: Kind;
  noun: string;
  nounOne: string;
  columns: Column[];
  rows: Row[];
  filterOptions: Record<FilterKey, string[]>;
  /** The kind has a date records are due by (a field with the "due" role): the table offers the Overdue filter. */
  hasDue: boolean;
}

/** Server-side restriction of the rows, e.g. `{ scope: "Enterprise" }` or `{ phase: 2, type: "Task" }`. */
export type TableFilter = Partial<Record<FilterKey | "type" | "category" | "name" | "approval" | "impact" | "owner", string | string[]>> & {
  phase?: number;
  /** Only records open past their due date (true) or only the others (false). */
  overdue?: boolean;
};

export interface TableOptions {
  filter?: TableFilter;
  /** Extra columns after the master ones: ids of EXTRAS, or any other field of the kind. */
  extra?: string[];
  /** Extra columns right after the Name column (same ids as extra): what a reader scans first, in view on a phone. */
  lead?: string[];
  /** Master columns to show; default: the six every table needs, plus those the kind requires or any row fills. */
  columns?: MasterKey[];
}

const DASH = "—";
const rank = (list: readonly string[], v: string | undefined) => (v === undefined ? -1 : list.indexOf(v));

function flagResult(site: Site, name: string) {
  return site.results?.flags.find((f) => f.name === name);
}
function variantResult(site: Site, name: string) {
  return site.results?.variants.find((v) => v.name === name);
}

/**
 * Size/Impact, the same text on the table and on the record's page: a flag's rated impact with the measured
 * gzip bytes it adds (flagCost), a variant's gzip bundle size. The note says what the number means.
 */
export function impactCell(site: Site, e: Entry): Cell {
  const impact = e.record.impact;
  if (e.kind === "variants") {
    const r = variantResult(site, e.record.name);
    if (r)
      return {
        text: `${formatBytes(r.bytes.gzip)} gzip`,
        sort: r.bytes.gzip,
        note: "the variant's whole bundle, minified and gzipped (npm run verify)",
      };
    return { text: impact ? `${impact} (not measured)` : "not measured", sort: -1 };
  }
  if (e.kind === "features" && site.results) {
    const cost = flagCost(flagResult(site, e.record.name));
    if (cost) return { text: `${impact ?? DASH} (${formatSignedBytes(cost.gzip)} gzip)`, sort: cost.gzip, note: flagCostNote(cost) };
  }
  return { text: impact ?? DASH, sort: rank(IMPACTS, impact) };
}

function masterCell(site: Site, e: Entry, key: MasterKey): Cell {
  const r = e.record;
  switch (key) {
    case "name":
      return { text: r.name, href: site.urlOf(e) };
    case "type":
      return { text: r.type };
    case "category":
      return { text: r.category ?? DASH };
    case "domain":
      return { text: r.domain ?? DASH };
    case "scope":
      return { text: r.scope === undefined ? DASH : formatScope(r.scope) };
    case "tier":
      return { text: r.tier ?? DASH, sort: rank(TIERS, r.tier) };
    case "impact":
      return impactCell(site, e);
    case "status": {
      const status = statusOf(e);
      if (status === undefined) return { text: DASH, sort: -1 };
      const evidence = site.evidence(e);
      return {
        text: status,
        status,
        sort: rank(STATUSES, status),
        ...(evidence && !isProven(evidence) ? { badge: BADGE.unverified, title: evidence.reason } : {}),
        ...(isProven(evidence) ? { note: `Proven: ${evidence.reason}` } : {}),
      };
    }
    case "approval":
      return { text: r.approval ?? DASH, sort: rank(APPROVALS, r.approval) };
  }
}

interface Extra {
  label: string;
  numeric?: boolean;
  cell(site: Site, e: Entry): Cell;
}

const text = (v: unknown): Cell => ({
  text: v === undefined || v === null || v === "" ? DASH : Array.isArray(v) ? v.join(", ") : String(v),
});

/** Columns computed from more than the record's own field. */
export const EXTRAS: Record<string, Extra> = {
  /** The build variants that ship a flag, by name: "does it ship in prod?" read off the row. */
  shippedIn: {
    label: "Variants",
    cell: (s, e) => {
      const names = s.model.variantsWith(e.record.name).map((v) => v.record.name);
      return { text: names.length ? names.join(", ") : "none", sort: names.length };
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
      const n = e.kind === "variants" ? e.record.features.length : 0;
      return { text: String(n), sort: n };
    },
  },
  callSites: {
    label: "Call sites",
    numeric: true,
    cell: (s, e) => {
      const n = callSiteCount(s, e.record.name);
      if (n === undefined) return { text: "unproven", sort: -1 };
      if (n === 0)
        return {
          text: "0",
          sort: 0,
          badge: BADGE.unused,
          title: "No code any variant bundles calls feature() with this flag (npm run verify reports it as stale-flag)",
        };
      return { text: String(n), sort: n };
    },
  },
  withinBudget: {
    label: "Within budget",
    cell: (s, e) => {
      const r = variantResult(s, e.record.name);
      return r ? { text: r.withinBudget ? "yes" : "no, over budget" } : { text: "not measured" };
    },
  },
};

/** A column showing one field of the records, labelled and formatted by the field's metadata (role). */
function fieldColumn(kind: Kind, key: string): Extra | undefined {
  const meta = fieldMeta(kind, key) ?? KINDS.map((k) => fieldMeta(k, key)).find((m) => m !== undefined);
  if (!meta) return undefined;
  const label = fieldLabel(key, kind);
  const value = (e: Entry) => fieldText(e, key) ?? fieldValue(e, key);
  const num = (e: Entry) => {
    const v = value(e);
    return typeof v === "number" ? v : undefined;
  };
  switch (meta.role) {
    case "number":
      return { label, numeric: true, cell: (_s, e) => ({ ...text(num(e)), sort: num(e) ?? -1 }) };
    case "days":
      return {
        label,
        numeric: true,
        cell: (_s, e) => (num(e) === undefined ? { text: DASH, sort: -1 } : { text: formatDays(num(e)!), sort: num(e)! }),
      };
    case "bytes":
      return {
        label,
        numeric: true,
        cell: (_s, e) => (num(e) === undefined ? { text: DASH, sort: -1 } : { text: formatBytes(num(e)!), sort: num(e)! }),
      };
    case "due":
      return {
        label,
        cell: (s, e) => {
          const t = value(e);
          if (typeof t !== "string") return { text: DASH, sort: "" };
          return { text: t, sort: t, nowrap: true, ...(isOverdue(e, s.config.buildDate) ? { badge: BADGE.overdue } : {}) };
        },
      };
    case "code":
      return { label, cell: (_s, e) => ({ ...text(value(e)), code: true }) };
    case "proof":
      // What the named tests showed, never the file list alone: a proof that did not run proves nothing.
      return { label, cell: (s, e) => (isProved(e) ? { text: proofSummary(proofView(s, e)) } : text(undefined)) };
    default:
      return { label, cell: (_s, e) => text(value(e)) };
  }
}

/** Text fields the filter box searches besides the cells: prose, code and the names a record points at. */
function searchedFields(kind: Kind): string[] {
  return fieldKeys(kind).filter((k) => {
    const meta = fieldMeta(kind, k);
    return meta?.role === "prose" || meta?.role === "code" || meta?.ref !== undefined;
  });
}

function matches(site: Site, e: Entry, filter: TableFilter | undefined): boolean {
  if (!filter) return true;
  for (const [k, want] of Object.entries(filter)) {
    if (want === undefined) continue;
    const wanted = (Array.isArray(want) ? want : [want]).map(String);
    let have: string[];
    if (k === "overdue") {
      if ((want === true) !== isOverdue(e, site.config.buildDate)) return false;
      continue;
    }
    if (k === "scope") have = site.model.scopesOf(e);
    else if (k === "variant") have = variantNames(site, e);
    else {
      const v = fieldValue(e, k);
      have = v === undefined ? [] : Array.isArray(v) ? v.map(String) : [String(v)];
    }
    if (!wanted.some((w) => have.includes(w))) return false;
  }
  return true;
}

export function defaultMasterColumns(kind: Kind, entries: Entry[]): MasterKey[] {
  const keep = new Set<MasterKey>([...TABLE_REQUIRED_KEYS, ...requiredColumns(kind)]);
  // Flags and variants show measured bytes in Size/Impact (or "not measured").
  if (kind === "features" || kind === "variants") keep.add("impact");
  for (const c of MASTER_COLUMNS) if (entries.some((e) => fieldValue(e, c.key) !== undefined)) keep.add(c.key);
  return MASTER_COLUMNS.filter((c) => keep.has(c.key)).map((c) => c.key);
}

const ORDERS: Record<FilterKey, readonly string[] | undefined> = {
  scope: undefined,
  tier: TIERS,
  status: STATUSES,
  domain: DOMAINS,
  variant: undefined,
};

/** The build variants that ship a flag (none for other kinds). */
function variantNames(site: Site, e: Entry): string[] {
  return e.kind === "features" ? site.model.variantsWith(e.record.name).map((v) => v.record.name) : [];
}

export function buildTable(site: Site, kind: Kind, options: TableOptions = {}): TableModel {
  const all = site.entries(kind);
  const entries = all.filter((e) => matches(site, e, options.filter));
  const keys = options.columns ?? defaultMasterColumns(kind, all);
  const masters = MASTER_COLUMNS.filter((c) => keys.includes(c.key));
  const extraColumn = (id: string) => {
    const x = (Object.hasOwn(EXTRAS, id) ? EXTRAS[id] : undefined) ?? fieldColumn(kind, id);
    if (!x)
      throw new Error(`MasterTable: unknown extra column "${id}" (known: ${[...Object.keys(EXTRAS), ...fieldKeys(kind)].join(", ")})`);
    return { id, ...x };
  };
  const extras = (options.extra ?? []).map(extraColumn);
  const lead = (options.lead ?? []).map(extraColumn);
  // Lead columns follow the first master column (Name) when the table has one, else they come first.
  const cut = masters[0]?.key === "name" ? 1 : 0;
  const searched = searchedFields(kind);
  const extraCol = (x: Extra & { id: string }): Column => ({ id: x.id, label: x.label, ...(x.numeric ? { numeric: true } : {}) });
  const columns: Column[] = [
    ...masters.slice(0, cut).map((c) => ({ id: c.key, label: c.label })),
    ...lead.map(extraCol),
    ...masters.slice(cut).map((c) => ({ id: c.key, label: c.label })),
    ...extras.map(extraCol),
  ];
  const rows: Row[] = entries.map((e) => {
    const head = masters.map((c) => masterCell(site, e, c.key));
    const cells = [...head.slice(0, cut), ...lead.map((x) => x.cell(site, e)), ...head.slice(cut), ...extras.map((x) => x.cell(site, e))];
    const one = (v: string | undefined) => (v === undefined ? [] : [v]);
    const prose = searched.map((k) => fieldText(e, k)).filter((v) => v !== undefined);
    const search = [...cells.map((c) => c.text + (c.badge ? ` ${c.badge}` : "")), ...prose].join(" ").toLowerCase().replace(/\s+/g, " ");
    return {
      key: site.slugOf(e),
      href: site.urlOf(e),
      cells,
      filters: {
        scope: site.model.scopesOf(e),
        tier: one(e.record.tier),
        status: one(statusOf(e)),
        domain: one(e.record.domain),
        variant: variantNames(site, e),
      },
      search,
      overdue: isOverdue(e, site.config.buildDate),
    };
  });
  const filterOptions = {} as Record<FilterKey, string[]>;
  for (const k of FILTER_KEYS) {
    const present = new Set(rows.flatMap((r) => r.filters[k]));
    const order = k === "scope" ? site.model.scopeNames : k === "variant" ? site.entries("variants").map((v) => v.record.name) : ORDERS[k]!;
    filterOptions[k] = order.filter((v) => present.has(v));
  }
  return {
    kind,
    noun: kindNoun(kind, 2),
    nounOne: kindNoun(kind, 1),
    columns,
    rows,
    filterOptions,
    hasDue: fieldsWithRole(kind, "due").length > 0,
  };
}

/** Columns each kind's index page shows right after Name: the date an open record is due, first in view. */
export const DEFAULT_LEAD: Partial<Record<Kind, string[]>> = {
  security: ["target"],
  roadmap: ["target"],
};

/** Extra columns each kind's own index page shows after the master columns. */
export const DEFAULT_EXTRAS: Record<Kind, string[]> = {
  scopes: ["description"],
  features: ["shippedIn", "callSites"],
  variants: ["flags", "budget"],
  security: ["proof"],
  roadmap: ["phase", "estimate"],
  components: ["location", "productionReady"],
  criteria: ["proof"],
  team: ["responsibility", "timeline"],
};
