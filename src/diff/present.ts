/**
 * Wording both renderers share: numbers, signed deltas, field values, evidence states. Nothing here
 * escapes: each renderer makes the result safe for where it goes (Markdown code spans, a terminal).
 */
import { fieldLabel, KIND_INFO, type Kind } from "../core/schema/kinds.ts";
import type { ClaimChange, DiffReport, EvidenceView, FieldChange, VariantChange } from "./compare.ts";
import type { SnapshotCallSite } from "./snapshot.ts";
import { plural, wordFor } from "../core/text/plural.ts";

export const num = (x: number) => x.toLocaleString("en-US");
/** +1,234 / −56 / 0, with a real minus sign. */
export const signed = (x: number) => (x > 0 ? `+${num(x)}` : x < 0 ? `−${num(-x)}` : "0");
export const signedPercent = (x: number) => (x > 0 ? `+${x.toFixed(1)}%` : x < 0 ? `−${(-x).toFixed(1)}%` : "0.0%");

/** At most `max` characters of a value, one line. */
export function short(s: string, max = 80): string {
  const line = s.replace(/\s+/g, " ").trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** A record field's value as text: lists joined, objects as compact JSON. */
export function valueText(v: unknown): string {
  if (v === undefined) return "(unset)";
  if (typeof v === "string") return v;
  if (Array.isArray(v) && v.every((x) => typeof x === "string")) return v.length ? v.join(", ") : "(none)";
  return JSON.stringify(v);
}

export const fieldName = (kind: Kind, f: FieldChange) => fieldLabel(f.field, kind);
export const kindTitle = (kind: Kind) => KIND_INFO[kind].title;
export const kindNoun = (kind: Kind) => KIND_INFO[kind].noun;

export const EVIDENCE_WORD: Record<EvidenceView["state"], string> = {
  proven: "proven",
  failing: "failing",
  unproven: "unproven",
  unknown: "not computed",
};

/** "proven" / "failing: 2 of 5 tests failed" / "—" when the side claims nothing checkable. */
export function evidenceText(e: EvidenceView | undefined, side: "base" | "head"): string {
  if (!e) return "—";
  if (e.state === "unknown")
    return side === "base" ? "not proven in base (run with --prove)" : "not proven in head (run npm run prove, or diff --prove)";
  return e.state === "proven" ? "proven" : `${EVIDENCE_WORD[e.state]}: ${e.reason}`;
}

export const change = <T>(c: { before?: T; after?: T } | undefined, show: (x: T) => string = String) =>
  c ? `${c.before === undefined ? "—" : show(c.before)} → ${c.after === undefined ? "—" : show(c.after)}` : "";

/** "src/app/main.ts:12 in serialize: if (feature("A"))". */
export function siteText(s: SnapshotCallSite): string {
  const g = s.guard;
  const guard = !g ? "" : g.kind === "if" ? `: if (${short(g.condition, 100)})` : `: ${short(g.condition, 100)} ? … : …`;
  return `${s.file}:${s.line}${s.fn ? ` in ${s.fn}` : ""}${guard}`;
}

/** One line: what changed, in counts, and the largest size change. */
export function summaryLine(r: DiffReport, name: (text: string) => string): string {
  const records = r.records.reduce((n, k) => n + k.added.length + k.removed.length + k.renamed.length + k.changed.length, 0);
  const parts = [records ? `${plural(records, "record")} changed` : "no record changed"];
  if (r.claims.length)
    parts.push(`${plural(r.claims.length, "claim")} changed${r.claims.some((c) => c.lostProof) ? " (a proof lost)" : ""}`);
  if (r.variants) {
    const moved = r.variants.filter((v) => v.delta && v.delta.raw !== 0 && !v.small && !v.renamed);
    const largest = [...moved].sort((a, b) => Math.abs(b.delta!.raw) - Math.abs(a.delta!.raw))[0];
    parts.push(
      largest
        ? `${plural(moved.length, "variant")} changed size (largest: ${name(largest.name)} ${signed(largest.delta!.raw)} B, ${signedPercent(largest.percent!.raw)})`
        : "no variant changed size",
    );
  } else parts.push("sizes not compared");
  const errors = r.diagnostics.new.filter((d) => d.severity === "error").length;
  parts.push(errors ? `${plural(errors, "new error")}` : "no new error");
  return parts.join(" · ");
}

/** "1,000 → 1,100 (+100, +10.0%)", or one side alone. */
export function sizeCell(v: VariantChange, m: "raw" | "gzip" | "brotli"): string {
  if (!v.before && !v.after) return "—";
  if (!v.before) return `new: ${num(v.after![m])}`;
  if (!v.after) return `${num(v.before[m])} → removed`;
  if (!v.delta || v.delta[m] === 0 || v.small || v.renamed) return num(v.after[m]);
  return `${num(v.before[m])} → ${num(v.after[m])} (${signed(v.delta[m])}, ${signedPercent(v.percent![m])})`;
}

/** "2 variants changed by less than 10 B (raw, gzip and brotli): a, b", or undefined when none did. */
export function smallVariantsLine(r: DiffReport, name: (text: string) => string): string | undefined {
  const v = r.small.variants;
  return v.length
    ? `${plural(v.length, "variant")} changed by less than ${num(r.small.threshold)} B (raw, gzip and brotli), not listed: ${v.map(name).join(", ")}`
    : undefined;
}

/** "7 variants are the same code with identifiers renamed by the minifier (…), not listed: a, b", or undefined. */
export function renamedVariantsLine(r: DiffReport, name: (text: string) => string): string | undefined {
  const v = r.renamed.variants;
  return v.length
    ? `${plural(v.length, "variant")} ${wordFor(v.length, "is", "are")} the same code with local names renamed by the minifier (same raw size; gzip and brotli moved by at most ${num(r.renamed.largest)} B), not listed: ${v.map(name).join(", ")}`
    : undefined;
}

/** "3 flag costs moved by less than 10 B, not listed", or undefined. */
export function smallFlagsLine(r: DiffReport): string | undefined {
  const n = r.small.flagRows;
  return n ? `${plural(n, "flag cost")} moved by less than ${num(r.small.threshold)} B, not listed` : undefined;
}

/** What an added or removed record claims: "Release/Status Planned; Approval Pending; Scope all; Owner Platform Lead". */
export function recordClaims(kind: Kind, fields: { field: string; value: unknown }[], value: (text: string) => string): string {
  return fields.map((f) => `${fieldLabel(f.field, kind)} ${value(valueText(f.value))}`).join("; ");
}

export function claimSummary(c: ClaimChange): string[] {
  const out: string[] = [];
  if (c.status) out.push(`status ${change(c.status)}`);
  if (c.approval) out.push(`approval ${change(c.approval)}`);
  if (c.budget) out.push(`budget ${change(c.budget, num)}`);
  return out;
}
