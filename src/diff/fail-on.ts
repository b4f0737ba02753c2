/**
 * `--fail-on`: the conditions under which a diff fails the job (exit 1), comma-separated:
 *
 *   size:+5%      a variant's raw bytes grew by more than 5 % (gzip:+5%, brotli:+5% for those sizes)
 *   size:+2kB     … by more than 2,000 bytes (B, kB = 1000, KiB = 1024, MB, MiB)
 *   unproven      a claim's evidence went from proven to failing or unproven
 *   new-errors    the head has an error diagnostic the base did not have
 *
 * A condition that cannot be judged (sizes not measured on one side) fails too: a gate that silently
 * passes when it could not look is no gate.
 */
import type { DiffReport } from "./compare.ts";
import { plural } from "../core/text/plural.ts";

export type Measure = "raw" | "gzip" | "brotli";

export type FailRule =
  | { kind: "size"; measure: Measure; percent: number; text: string }
  | { kind: "size"; measure: Measure; bytes: number; text: string }
  | { kind: "unproven"; text: string }
  | { kind: "new-errors"; text: string };

const UNITS: Record<string, number> = { b: 1, kb: 1000, kib: 1024, mb: 1_000_000, mib: 1024 * 1024 };
const MEASURES: Record<string, Measure> = { size: "raw", raw: "raw", gzip: "gzip", brotli: "brotli" };

/** A byte count written `10`, `10B`, `1.5kB`, `2KiB` (B, kB = 1000, KiB = 1024, MB, MiB), or undefined. */
export function parseByteCount(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*(b|kb|kib|mb|mib)?$/i.exec(text.trim());
  return m ? Math.round(Number(m[1]) * UNITS[(m[2] ?? "b").toLowerCase()]!) : undefined;
}

/** The rules of a --fail-on value, or the usage error it is. */
export function parseFailOn(value: string): FailRule[] | { problem: string } {
  const rules: FailRule[] = [];
  for (const raw of value.split(",")) {
    const text = raw.trim();
    if (text === "unproven" || text === "new-errors") {
      rules.push({ kind: text, text });
      continue;
    }
    const m = /^(size|raw|gzip|brotli):\+?(\d+(?:\.\d+)?)\s*(%|b|kb|kib|mb|mib)$/i.exec(text);
    if (!m)
      return {
        problem: `--fail-on takes size:+N%, size:+NkB (or gzip:, brotli:), unproven or new-errors, comma-separated; not ${JSON.stringify(text)}`,
      };
    const measure = MEASURES[m[1]!.toLowerCase()]!;
    const n = Number(m[2]);
    const unit = m[3]!.toLowerCase();
    rules.push(
      unit === "%" ? { kind: "size", measure, percent: n, text } : { kind: "size", measure, bytes: Math.round(n * UNITS[unit]!), text },
    );
  }
  return rules;
}

const n = (x: number) => x.toLocaleString("en-US");

/** One line per triggered rule, saying what triggered it; empty when the diff passes. */
export function failures(report: DiffReport, rules: readonly FailRule[]): string[] {
  const out: string[] = [];
  for (const rule of rules) {
    if (rule.kind === "unproven") {
      const lost = report.claims.filter((c) => c.lostProof);
      if (lost.length)
        out.push(
          `${rule.text}: ${lost.map((c) => `${c.name} (${c.evidence?.before?.state} → ${c.evidence?.after?.state}: ${c.evidence?.after?.reason})`).join("; ")}`,
        );
      continue;
    }
    if (rule.kind === "new-errors") {
      const errors = report.diagnostics.new.filter((d) => d.severity === "error");
      if (errors.length)
        out.push(`${rule.text}: ${plural(errors.length, "new error")} (${[...new Set(errors.map((d) => d.rule))].join(", ")})`);
      continue;
    }
    if (!report.variants) {
      out.push(`${rule.text}: sizes were not measured on both sides, so the limit cannot be checked`);
      continue;
    }
    const over: string[] = [];
    for (const v of report.variants) {
      if (!v.before || !v.after || !v.delta) continue;
      const before = v.before[rule.measure];
      const delta = v.delta[rule.measure];
      const grew = "percent" in rule ? before > 0 && (delta / before) * 100 > rule.percent : delta > rule.bytes;
      if (grew)
        over.push(
          `${v.name} ${n(before)} → ${n(v.after[rule.measure])} B (+${n(delta)} B, +${before ? ((delta / before) * 100).toFixed(1) : "∞"}%)`,
        );
    }
    if (over.length) out.push(`${rule.text}: ${over.join("; ")}`);
  }
  return out;
}
