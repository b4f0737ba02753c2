/**
 * Two snapshots in, one report out: a pure function, so every renderer (Markdown, terminal, JSON) and
 * --fail-on read the same facts, and the tests can compare snapshots made by hand.
 *
 * Records are matched by kind and name; a removed and an added record of one kind whose other fields are
 * mostly equal (at least RENAME_SIMILARITY of them) are one record renamed, and every later section
 * (claims, variants, flags, call sites) follows the rename instead of showing a loss and a gain.
 */
import { isDeepStrictEqual } from "node:util";
import { KINDS, type Kind } from "../core/schema/kinds.ts";
import { multisetDiff } from "./multiset.ts";
import type { Evidence } from "../core/model/proof-state.ts";
import type { Sizes } from "../verify/results-file.ts";
import type { Snapshot, SnapshotCallSite } from "./snapshot.ts";

/** Share of fields (besides the name) that must be equal for a removal and an addition to be a rename. */
export const RENAME_SIMILARITY = 0.6;

/**
 * Size changes smaller than this many bytes (raw, gzip and brotli alike) are summarised in one line instead of
 * listed: a reviewer reads the changes that matter. `--min-change` sets it; 0 lists every byte.
 */
export const DEFAULT_MIN_CHANGE = 10;

export interface CompareOptions {
  minChange?: number;
}

/** The fields an added or removed record is shown with: what it claims and who answers for it. */
export const CLAIM_FIELDS = ["type", "status", "approval", "scope", "tier", "impact", "owner", "budget", "expires"] as const;

export interface FieldChange {
  field: string;
  /** For lists of names: what was added and removed. */
  added?: string[];
  removed?: string[];
  /** For any other value (absent when the field is not set on that side). */
  before?: unknown;
  after?: unknown;
}

export interface KindChanges {
  kind: Kind;
  added: string[];
  removed: string[];
  renamed: { from: string; to: string; changes: FieldChange[] }[];
  changed: { name: string; changes: FieldChange[] }[];
  /** What each added or removed record claims (CLAIM_FIELDS it sets), by name. */
  claims: Record<string, { field: string; value: unknown }[]>;
}

/** A claim's evidence on one side, as the snapshot holds it. */
export type EvidenceView = Evidence;

export interface ClaimChange {
  kind: Kind;
  name: string;
  /** The base's name when the record was renamed. */
  from?: string;
  status?: { before?: string; after?: string };
  approval?: { before?: string; after?: string };
  budget?: { before?: number; after?: number };
  evidence?: { before?: EvidenceView; after?: EvidenceView };
  /** Its evidence went from proven to failing or unproven (not to "unknown": that was not computed). */
  lostProof: boolean;
  /** The record exists on one side only: its claims are new (added) or gone (removed). */
  record?: "added" | "removed";
}

export type { Sizes };

export interface VariantChange {
  name: string;
  from?: string;
  change: "added" | "removed" | "changed" | "unchanged";
  before: Sizes | null;
  after: Sizes | null;
  delta: Sizes | null;
  /** Delta as a percentage of the base, one decimal; null without a base size. */
  percent: Sizes | null;
  gained: string[];
  lost: string[];
  /** Its sizes moved by less than the report's threshold in every measure: summarised, not listed. */
  small?: true;
  /** Other bytes but the same code: only the minifier's local names differ. Summarised, not listed. */
  renamed?: true;
}

export interface FlagChange {
  name: string;
  from?: string;
  change: "added" | "removed" | "changed";
  /** Bytes the flag adds to each variant that ships it on either side (leave-one-out, raw); for a flag in both, only where they changed. */
  bytes: { variant: string; before: number | null; after: number | null }[];
  sitesAdded: SnapshotCallSite[];
  sitesRemoved: SnapshotCallSite[];
}

export type ReportDiagnostic = Snapshot["diagnostics"][number];

export interface DiffReport {
  base: { ref: string; commit: string };
  head: { ref: string; commit: string | undefined };
  /** What was reused or not recomputed, said plainly. */
  notes: string[];
  records: KindChanges[];
  claims: ClaimChange[];
  /** Null when either side could not be measured (invalid records, wrong Bun). */
  variants: VariantChange[] | null;
  flags: FlagChange[] | null;
  diagnostics: { new: ReportDiagnostic[]; resolved: number };
  /** Size changes below `threshold` bytes: variants whose every measure moved less, and flag cost rows left out. */
  small: { threshold: number; variants: string[]; flagRows: number };
  /** Variants whose code is the same with identifiers renamed by the minifier, and the largest gzip or brotli move among them. */
  renamed: { variants: string[]; largest: number };
}

type RecordFact = Snapshot["records"][number];

/** Equal values, whatever order their keys were written in (a YAML mapping reordered is no change). */
const same = (a: unknown, b: unknown) => isDeepStrictEqual(a, b);
const isNames = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === "string");

export function fieldChanges(before: Record<string, unknown>, after: Record<string, unknown>): FieldChange[] {
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
  const out: FieldChange[] = [];
  for (const field of keys) {
    const b = Object.hasOwn(before, field) ? before[field] : undefined;
    const a = Object.hasOwn(after, field) ? after[field] : undefined;
    if (same(b, a)) continue;
    if ((b === undefined || isNames(b)) && (a === undefined || isNames(a))) {
      const bs = b ?? [];
      const as = a ?? [];
      const added = as.filter((x) => !bs.includes(x));
      const removed = bs.filter((x) => !as.includes(x));
      // Only the order changed: shown as the two lists.
      if (added.length || removed.length) {
        out.push({ field, added, removed });
        continue;
      }
    }
    out.push({ field, ...(b === undefined ? {} : { before: b }), ...(a === undefined ? {} : { after: a }) });
  }
  return out;
}

/** Share of fields, besides the name, equal on both sides. */
function similarity(a: RecordFact, b: RecordFact): number {
  const keys = new Set([...Object.keys(a.fields), ...Object.keys(b.fields)]);
  if (keys.size === 0) return 0;
  let equal = 0;
  for (const k of keys) if (same(a.fields[k], b.fields[k])) equal++;
  return equal / keys.size;
}

/** Per kind: base name → head name of each renamed record. */
type Renames = Map<Kind, Map<string, string>>;

function compareRecords(base: Snapshot, head: Snapshot): { kinds: KindChanges[]; renames: Renames } {
  const kinds: KindChanges[] = [];
  const renames: Renames = new Map();
  for (const kind of KINDS) {
    const before = new Map(base.records.filter((r) => r.kind === kind).map((r) => [r.name, r]));
    const after = new Map(head.records.filter((r) => r.kind === kind).map((r) => [r.name, r]));
    const removed = [...before.values()].filter((r) => !after.has(r.name));
    const added = [...after.values()].filter((r) => !before.has(r.name));
    // Most similar pairs first, each record in at most one rename.
    const pairs = removed
      .flatMap((r) => added.map((a) => ({ from: r, to: a, score: similarity(r, a) })))
      .filter((p) => p.score >= RENAME_SIMILARITY);
    pairs.sort((x, y) => y.score - x.score || x.from.name.localeCompare(y.from.name) || x.to.name.localeCompare(y.to.name));
    const map = new Map<string, string>();
    const taken = new Set<string>();
    for (const p of pairs) {
      if (map.has(p.from.name) || taken.has(p.to.name)) continue;
      map.set(p.from.name, p.to.name);
      taken.add(p.to.name);
    }
    renames.set(kind, map);
    const changes: KindChanges = {
      kind,
      added: added.filter((r) => !taken.has(r.name)).map((r) => r.name),
      removed: removed.filter((r) => !map.has(r.name)).map((r) => r.name),
      renamed: [...map].map(([from, to]) => ({ from, to, changes: fieldChanges(before.get(from)!.fields, after.get(to)!.fields) })),
      changed: [],
      claims: {},
    };
    for (const r of [...added.filter((r) => !taken.has(r.name)), ...removed.filter((r) => !map.has(r.name))]) {
      changes.claims[r.name] = CLAIM_FIELDS.filter((f) => Object.hasOwn(r.fields, f)).map((field) => ({ field, value: r.fields[field] }));
    }
    for (const [name, b] of before) {
      const a = after.get(name);
      if (!a) continue;
      const c = fieldChanges(b.fields, a.fields);
      if (c.length) changes.changed.push({ name, changes: c });
    }
    if (changes.added.length || changes.removed.length || changes.renamed.length || changes.changed.length) kinds.push(changes);
  }
  return { kinds, renames };
}

/** The head's name of a base record (itself unless renamed). */
const headName = (renames: Renames, kind: Kind, name: string) => renames.get(kind)?.get(name) ?? name;

function compareClaims(base: Snapshot, head: Snapshot, renames: Renames): ClaimChange[] {
  const after = new Map(head.claims.map((c) => [`${c.kind}\u0000${c.name}`, c]));
  const out: ClaimChange[] = [];
  const matched = new Set<string>();
  type Claim = Snapshot["claims"][number];
  /** A claim on one side only (an added or removed record): everything it claims, against nothing. */
  const oneSided = (c: Claim, side: "before" | "after"): ClaimChange => ({
    kind: c.kind,
    name: c.name,
    ...(c.status ? { status: { [side]: c.status } } : {}),
    ...(c.approval ? { approval: { [side]: c.approval } } : {}),
    ...(c.budget !== undefined ? { budget: { [side]: c.budget } } : {}),
    ...(c.evidence ? { evidence: { [side]: c.evidence } } : {}),
    lostProof: false,
    record: side === "after" ? "added" : "removed",
  });
  for (const b of base.claims) {
    const name = headName(renames, b.kind, b.name);
    const a = after.get(`${b.kind}\u0000${name}`);
    if (!a) {
      out.push(oneSided(b, "before"));
      continue;
    }
    matched.add(`${b.kind}\u0000${name}`);
    const change: ClaimChange = { kind: b.kind, name, ...(name !== b.name ? { from: b.name } : {}), lostProof: false };
    if (b.status !== a.status) change.status = { ...(b.status ? { before: b.status } : {}), ...(a.status ? { after: a.status } : {}) };
    if (b.approval !== a.approval)
      change.approval = { ...(b.approval ? { before: b.approval } : {}), ...(a.approval ? { after: a.approval } : {}) };
    if (b.budget !== a.budget)
      change.budget = { ...(b.budget !== undefined ? { before: b.budget } : {}), ...(a.budget !== undefined ? { after: a.budget } : {}) };
    if (b.evidence?.state !== a.evidence?.state) {
      change.evidence = { ...(b.evidence ? { before: b.evidence } : {}), ...(a.evidence ? { after: a.evidence } : {}) };
      change.lostProof = b.evidence?.state === "proven" && (a.evidence?.state === "failing" || a.evidence?.state === "unproven");
    }
    if (change.status || change.approval || change.budget || change.evidence) out.push(change);
  }
  for (const a of head.claims) if (!matched.has(`${a.kind}\u0000${a.name}`)) out.push(oneSided(a, "after"));
  return out;
}

const sub = (a: Sizes, b: Sizes): Sizes => ({ raw: a.raw - b.raw, gzip: a.gzip - b.gzip, brotli: a.brotli - b.brotli });
const pct = (d: number, b: number) => (b === 0 ? 0 : Math.round((d / b) * 1000) / 10);

function compareVariants(base: Snapshot, head: Snapshot, renames: Renames, minChange: number): VariantChange[] {
  const flagName = (n: string) => headName(renames, "features", n);
  const before = new Map(base.variants.map((v) => [headName(renames, "variants", v.name), v]));
  const out: VariantChange[] = [];
  for (const a of head.variants) {
    const b = before.get(a.name);
    before.delete(a.name);
    const was = b ? b.features.map(flagName) : [];
    const gained = a.features.filter((f) => !was.includes(f));
    const lost = was.filter((f) => !a.features.includes(f));
    // Identical bytes are no size change, whatever the compressed sizes measured on each side say.
    const identical = !!b?.sha256 && b.sha256 === a.sha256;
    const delta = b?.sizes && a.sizes ? (identical ? { raw: 0, gzip: 0, brotli: 0 } : sub(a.sizes, b.sizes)) : null;
    const unchanged = b && delta && delta.raw === 0 && delta.gzip === 0 && delta.brotli === 0 && !gained.length && !lost.length;
    // Other bytes, same code: the minifier swapped local names (an edit elsewhere changes how often each is used).
    const renamed =
      !identical && !unchanged && !!b?.shape && b.shape === a.shape && !!delta && delta.raw === 0 && !gained.length && !lost.length;
    const small =
      !!b && !unchanged && !renamed && !!delta && Math.max(Math.abs(delta.raw), Math.abs(delta.gzip), Math.abs(delta.brotli)) < minChange;
    out.push({
      name: a.name,
      ...(b && b.name !== a.name ? { from: b.name } : {}),
      change: !b ? "added" : unchanged ? "unchanged" : "changed",
      before: identical ? a.sizes : (b?.sizes ?? null),
      after: a.sizes,
      delta,
      percent:
        delta && b?.sizes
          ? { raw: pct(delta.raw, b.sizes.raw), gzip: pct(delta.gzip, b.sizes.gzip), brotli: pct(delta.brotli, b.sizes.brotli) }
          : null,
      gained,
      lost,
      ...(small ? { small: true as const } : {}),
      ...(renamed ? { renamed: true as const } : {}),
    });
  }
  for (const [, b] of before)
    out.push({
      name: b.name,
      change: "removed",
      before: b.sizes,
      after: null,
      delta: null,
      percent: null,
      gained: [],
      lost: b.features.map(flagName),
    });
  return out;
}

/** A call site's identity across versions: not its line, which any edit above it moves. */
const siteKey = (s: SnapshotCallSite) => `${s.file}\u0000${s.fn ?? ""}\u0000${s.guard?.kind ?? ""}\u0000${s.guard?.condition ?? ""}`;

function compareFlags(base: Snapshot, head: Snapshot, renames: Renames, minChange: number, small: { flagRows: number }): FlagChange[] {
  const variantName = (n: string) => headName(renames, "variants", n);
  const before = new Map(base.flags.map((f) => [headName(renames, "features", f.name), f]));
  const out: FlagChange[] = [];
  const bytesOf = (f: Snapshot["flags"][number] | undefined, rename: (n: string) => string) =>
    new Map((f?.leaveOneOut ?? []).map((d) => [rename(d.variant), d.raw]));
  for (const a of head.flags) {
    const b = before.get(a.name);
    before.delete(a.name);
    // A renamed flag's old conditions name the old flag: compared as if written with the new name.
    const asNow = (s: SnapshotCallSite): SnapshotCallSite =>
      b && b.name !== a.name && s.guard
        ? { ...s, guard: { ...s.guard, condition: s.guard.condition.split(JSON.stringify(b.name)).join(JSON.stringify(a.name)) } }
        : s;
    const { added: sitesAdded, removed: sitesRemoved } = multisetDiff(b?.sites ?? [], a.sites, siteKey, (s) => siteKey(asNow(s)));
    const was = bytesOf(b, variantName);
    const now = bytesOf(a, (n) => n);
    const variants = [...new Set([...now.keys(), ...was.keys()])];
    const bytes = variants.map((variant) => ({ variant, before: was.get(variant) ?? null, after: now.get(variant) ?? null }));
    // Its cost in a variant it ships in on both sides counts as changed only when its own code changed: with the
    // same guarded code and modules, a byte or two either way is the minifier reacting to code elsewhere.
    const ownCodeChanged = !b || b.code !== a.code;
    const moved = (x: (typeof bytes)[number]) => x.before !== x.after && (x.before === null || x.after === null || ownCodeChanged);
    const below = (x: (typeof bytes)[number]) => x.before !== null && x.after !== null && Math.abs(x.after - x.before) < minChange;
    const changedBytes = bytes.some(moved);
    if (b && !changedBytes && !sitesAdded.length && !sitesRemoved.length && b.name === a.name) continue;
    // A flag that stays: only the variants where its cost moved by at least the threshold (a renamed one keeps every
    // row, to show what it costs); smaller moves are counted in the summary line.
    let rows = bytes;
    if (b && b.name === a.name) {
      rows = bytes.filter(moved);
      const kept = rows.filter((x) => !below(x));
      small.flagRows += rows.length - kept.length;
      rows = kept;
      if (!rows.length && !sitesAdded.length && !sitesRemoved.length) continue;
    }
    out.push({
      name: a.name,
      ...(b && b.name !== a.name ? { from: b.name } : {}),
      change: b ? "changed" : "added",
      bytes: rows,
      sitesAdded,
      sitesRemoved,
    });
  }
  for (const [, b] of before) {
    out.push({
      name: b.name,
      change: "removed",
      bytes: b.leaveOneOut.map((d) => ({ variant: variantName(d.variant), before: d.raw, after: null })),
      sitesAdded: [],
      sitesRemoved: b.sites,
    });
  }
  return out;
}

const diagKey = (d: ReportDiagnostic) => `${d.rule}\u0000${d.file}\u0000${d.message}`;

/** Diagnostics of the head that the base did not have (by rule, file and message: lines move), errors first. */
function newDiagnostics(base: Snapshot, head: Snapshot): { new: ReportDiagnostic[]; resolved: number } {
  const { added: fresh, removed } = multisetDiff(base.diagnostics, head.diagnostics, diagKey);
  const rank = (d: ReportDiagnostic) => (d.severity === "error" ? 0 : 1);
  fresh.sort(
    (a, b) => rank(a) - rank(b) || a.file.localeCompare(b.file) || a.line - b.line || a.col - b.col || a.rule.localeCompare(b.rule),
  );
  return { new: fresh, resolved: removed.length };
}

export function compareSnapshots(
  base: Snapshot,
  head: Snapshot,
  meta: Pick<DiffReport, "base" | "head" | "notes">,
  options: CompareOptions = {},
): DiffReport {
  const { kinds, renames } = compareRecords(base, head);
  const measured = base.verified && head.verified;
  const threshold = options.minChange ?? DEFAULT_MIN_CHANGE;
  const small = { threshold, variants: [] as string[], flagRows: 0 };
  const variants = measured ? compareVariants(base, head, renames, threshold) : null;
  small.variants = (variants ?? []).filter((v) => v.small).map((v) => v.name);
  const renamed = (variants ?? []).filter((v) => v.renamed);
  return {
    ...meta,
    records: kinds,
    claims: compareClaims(base, head, renames),
    variants,
    flags: measured ? compareFlags(base, head, renames, threshold, small) : null,
    diagnostics: newDiagnostics(base, head),
    small,
    renamed: {
      variants: renamed.map((v) => v.name),
      largest: Math.max(0, ...renamed.map((v) => Math.max(Math.abs(v.delta!.gzip), Math.abs(v.delta!.brotli)))),
    },
  };
}
