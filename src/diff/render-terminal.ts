/**
 * The report for a terminal: sections and aligned tables, colour only when asked (stdout is a TTY and
 * NO_COLOR is unset: the CLI decides). Every text from records, files or refs goes through escapeControl,
 * so a record cannot move the cursor, recolour the screen or write the clipboard.
 */
import { escapeControl } from "../core/report/diagnostics.ts";
import type { DiffReport, FieldChange, KindChanges } from "./compare.ts";
import {
  summaryLine,
  claimSummary,
  evidenceText,
  fieldName,
  kindNoun,
  kindTitle,
  num,
  recordClaims,
  renamedVariantsLine,
  short,
  signed,
  siteText,
  sizeCell,
  smallFlagsLine,
  smallVariantsLine,
  valueText,
} from "./present.ts";
import { plural } from "../core/text/plural.ts";

interface Paint {
  bold(s: string): string;
  dim(s: string): string;
  red(s: string): string;
  green(s: string): string;
  yellow(s: string): string;
}

const ansi = (open: number, close: number) => (s: string) => `\u001b[${open}m${s}\u001b[${close}m`;
const COLOUR: Paint = { bold: ansi(1, 22), dim: ansi(2, 22), red: ansi(31, 39), green: ansi(32, 39), yellow: ansi(33, 39) };
const PLAIN: Paint = { bold: (s) => s, dim: (s) => s, red: (s) => s, green: (s) => s, yellow: (s) => s };

const safe = (s: string, max = 120) => escapeControl(short(s, max));

/** Columns padded to their widest cell (by code points; escapes are added after padding). */
function table(rows: string[][], paintRow?: (row: number, text: string) => string): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => [...(r[i] ?? "")].length)));
  return rows.map((r, n) => {
    const text = `  ${r
      .map((c, i) => c + " ".repeat(widths[i]! - [...c].length))
      .join("  ")
      .trimEnd()}`;
    return paintRow ? paintRow(n, text) : text;
  });
}

function fieldText(kind: KindChanges["kind"], f: FieldChange): string {
  if (f.added || f.removed)
    return `${fieldName(kind, f)} ${[...(f.added ?? []).map((x) => `+${safe(x)}`), ...(f.removed ?? []).map((x) => `−${safe(x)}`)].join(" ")}`;
  return `${fieldName(kind, f)} ${"before" in f ? safe(valueText(f.before), 60) : "(unset)"} → ${"after" in f ? safe(valueText(f.after), 60) : "(unset)"}`;
}

export function renderTerminal(r: DiffReport, options: { colour: boolean }): string {
  const p = options.colour ? COLOUR : PLAIN;
  const out: string[] = [];
  const head = r.head.commit ? `${r.head.ref} (${r.head.commit.slice(0, 7)})` : r.head.ref;
  out.push(p.bold(`diff: ${safe(head)} against ${safe(r.base.ref)} (${r.base.commit.slice(0, 7)})`));
  out.push(`  ${summaryLine(r, (s) => safe(s))}`);
  for (const n of r.notes) out.push(p.dim(`  ${safe(n, 300)}`));
  out.push("");

  out.push(p.bold("Records"));
  if (!r.records.length) out.push("  no record added, removed or changed");
  for (const k of r.records) {
    out.push(`  ${kindTitle(k.kind)}`);
    const claims = (name: string) => (k.claims[name]?.length ? `: ${recordClaims(k.kind, k.claims[name]!, (t) => safe(t, 60))}` : "");
    for (const name of k.added) out.push(`    ${p.green("+")} ${safe(name)} (new ${kindNoun(k.kind)})${claims(name)}`);
    for (const name of k.removed) out.push(`    ${p.red("−")} ${safe(name)} (removed)${claims(name)}`);
    for (const x of k.renamed)
      out.push(
        `    ${p.yellow("~")} ${safe(x.from)} → ${safe(x.to)} (renamed)${x.changes.length ? `: ${x.changes.map((f) => fieldText(k.kind, f)).join("; ")}` : ""}`,
      );
    for (const x of k.changed) out.push(`    ${p.yellow("~")} ${safe(x.name)}: ${x.changes.map((f) => fieldText(k.kind, f)).join("; ")}`);
  }
  out.push("");

  if (r.claims.length) {
    out.push(p.bold("Claims"));
    for (const c of r.claims) {
      const parts = claimSummary(c);
      if (c.evidence)
        parts.push(`evidence ${safe(evidenceText(c.evidence.before, "base"), 100)} → ${safe(evidenceText(c.evidence.after, "head"), 100)}`);
      const line = `  ${c.from ? `${safe(c.from)} → ` : ""}${safe(c.name)} (${c.record === "added" ? "new " : c.record === "removed" ? "removed " : ""}${kindNoun(c.kind)}): ${parts.join("; ")}`;
      out.push(c.lostProof ? p.red(line) : line);
    }
    out.push("");
  }

  out.push(p.bold("Variants (bytes)"));
  if (!r.variants) out.push("  sizes not compared: one side could not be built (see the diagnostics)");
  else {
    const rows = [["variant", "raw", "gzip", "brotli", "flags"]];
    for (const v of r.variants) {
      const flags = [...v.gained.map((f) => `+${safe(f)}`), ...v.lost.map((f) => `−${safe(f)}`)].join(" ");
      rows.push([
        `${v.from ? `${safe(v.from)} → ` : ""}${safe(v.name)}${v.change === "added" ? " (new)" : v.change === "removed" ? " (removed)" : ""}`,
        sizeCell(v, "raw"),
        sizeCell(v, "gzip"),
        sizeCell(v, "brotli"),
        flags,
      ]);
    }
    out.push(
      ...table(rows, (i, text) => {
        if (i === 0) return p.dim(text);
        const v = r.variants![i - 1]!;
        const d = v.small || v.renamed ? 0 : (v.delta?.raw ?? 0);
        return d > 0 ? p.red(text) : d < 0 ? p.green(text) : text;
      }),
    );
    for (const line of [renamedVariantsLine(r, (s) => safe(s)), smallVariantsLine(r, (s) => safe(s))])
      if (line) out.push(p.dim(`  ${line}`));
  }
  out.push("");

  if (r.flags?.length) {
    out.push(p.bold("Flags (bytes each adds to the variants that ship it; call sites)"));
    for (const f of r.flags) {
      const bytes = f.bytes.map(
        (b) =>
          `${safe(b.variant)} ${b.before === null ? "—" : num(b.before)} → ${b.after === null ? "—" : num(b.after)}${b.before !== null && b.after !== null && b.before !== b.after ? ` (${signed(b.after - b.before)})` : ""}`,
      );
      out.push(
        `  ${f.from ? `${safe(f.from)} → ` : ""}${safe(f.name)}${f.change === "added" ? " (new)" : f.change === "removed" ? " (removed)" : ""}: ${bytes.length ? bytes.join(", ") : f.change === "changed" ? "bytes unchanged" : "shipped in no variant"}`,
      );
      for (const s of f.sitesAdded) out.push(`    ${p.green("+")} ${safe(siteText(s), 200)}`);
      for (const s of f.sitesRemoved) out.push(`    ${p.red("−")} ${safe(siteText(s), 200)}`);
    }
    if (smallFlagsLine(r)) out.push(p.dim(`  ${smallFlagsLine(r)}`));
    out.push("");
  } else if (smallFlagsLine(r)) out.push(p.bold("Flags"), p.dim(`  ${smallFlagsLine(r)}`), "");

  const fresh = r.diagnostics.new;
  const errors = fresh.filter((d) => d.severity === "error").length;
  out.push(p.bold("New diagnostics"));
  if (!fresh.length)
    out.push(`  none${r.diagnostics.resolved ? `; ${plural(r.diagnostics.resolved, "diagnostic")} of the base resolved` : ""}`);
  else {
    out.push(
      `  ${plural(errors, "error")}, ${plural(fresh.length - errors, "warning")}${r.diagnostics.resolved ? `; ${r.diagnostics.resolved} of the base resolved` : ""}`,
    );
    for (const d of fresh) {
      const line = `  ${safe(`${d.file}:${d.line}:${d.col}`)}: ${d.severity} ${d.rule}: ${safe(d.message, 300)}`;
      out.push(d.severity === "error" ? p.red(line) : p.yellow(line));
    }
  }
  return `${out.join("\n")}\n`;
}
