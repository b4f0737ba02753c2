/**
 * The report as GitHub-flavoured Markdown, for $GITHUB_STEP_SUMMARY and a pull-request comment. Records,
 * file names and messages come from the pull request, so every such text stands in a code span: no HTML,
 * no image, no link and no @mention can come out of a record, and a `|` cannot split a table cell.
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

/** Text from the pull request as an inline code span. */
export function code(text: string, max = 120): string {
  const s = escapeControl(short(text, max));
  const longest = Math.max(0, ...[...s.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = "`".repeat(longest + 1);
  const pad = s.startsWith("`") || s.endsWith("`") || s === "" ? " " : "";
  return `${fence}${pad}${s}${pad}${fence}`;
}

/** The same in a table cell: GFM splits cells at every unescaped `|`, code spans included. */
const tcode = (text: string, max?: number) => code(text, max).replace(/\|/g, "\\|");

/** Our own text in a table cell. */
const cell = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, " ");

function fieldLine(kind: KindChanges["kind"], f: FieldChange): string {
  const label = cell(fieldName(kind, f));
  if (f.added || f.removed) {
    const parts = [...(f.added ?? []).map((x) => `+${code(x)}`), ...(f.removed ?? []).map((x) => `−${code(x)}`)];
    return `${label} ${parts.join(" ")}`;
  }
  return `${label} ${"before" in f ? code(valueText(f.before)) : "(unset)"} → ${"after" in f ? code(valueText(f.after)) : "(unset)"}`;
}

/** More rows than this go into a collapsed block, so a large diff does not bury the summary. */
const OPEN_ROWS = 25;

function section(title: string, lines: string[], rows: number): string[] {
  if (rows <= OPEN_ROWS) return [`### ${title}`, "", ...lines, ""];
  return [`### ${title}`, "", `<details><summary>${plural(rows, "row")}</summary>`, "", ...lines, "", "</details>", ""];
}

export function renderMarkdown(r: DiffReport): string {
  const out: string[] = [];
  const head = r.head.commit ? `${r.head.ref} (${r.head.commit.slice(0, 7)})` : r.head.ref;
  out.push(`## Records diff: ${code(head)} against ${code(r.base.ref)} (${code(r.base.commit.slice(0, 7))})`, "");
  out.push(`**${summaryLine(r, code)}**`, "");
  if (r.notes.length) out.push(...r.notes.map((n) => `> - ${cell(n)}`), "");

  // Records
  const recordLines: string[] = [];
  let recordRows = 0;
  for (const k of r.records) {
    const counts = [
      k.added.length && `${k.added.length} added`,
      k.removed.length && `${k.removed.length} removed`,
      k.renamed.length && `${k.renamed.length} renamed`,
      k.changed.length && `${k.changed.length} changed`,
    ].filter(Boolean);
    recordLines.push(`**${kindTitle(k.kind)}**: ${counts.join(", ")}`, "");
    const claims = (name: string) => (k.claims[name]?.length ? `: ${recordClaims(k.kind, k.claims[name]!, (t) => code(t))}` : "");
    for (const name of k.added) recordLines.push(`- added ${kindNoun(k.kind)} ${code(name)}${claims(name)}`);
    for (const name of k.removed) recordLines.push(`- removed ${kindNoun(k.kind)} ${code(name)}${claims(name)}`);
    for (const x of k.renamed)
      recordLines.push(
        `- renamed ${code(x.from)} → ${code(x.to)}${x.changes.length ? `: ${x.changes.map((f) => fieldLine(k.kind, f)).join("; ")}` : ""}`,
      );
    for (const x of k.changed) recordLines.push(`- changed ${code(x.name)}: ${x.changes.map((f) => fieldLine(k.kind, f)).join("; ")}`);
    recordLines.push("");
    recordRows += k.added.length + k.removed.length + k.renamed.length + k.changed.length;
  }
  if (recordRows) out.push(...section("Records", recordLines.slice(0, -1), recordRows));
  else out.push("### Records", "", "No record added, removed or changed.", "");

  // Claims
  if (r.claims.length) {
    const lines = ["| Record | Changes | Evidence |", "|---|---|---|"];
    for (const c of r.claims) {
      const name = `${c.from ? `${tcode(c.from)} → ` : ""}${tcode(c.name)} (${c.record === "added" ? "new " : c.record === "removed" ? "removed " : ""}${kindNoun(c.kind)})`;
      const evidence = c.evidence
        ? `${c.lostProof ? "⚠️ " : ""}${tcode(evidenceText(c.evidence.before, "base"))} → ${tcode(evidenceText(c.evidence.after, "head"))}`
        : c.record
          ? "—"
          : "unchanged";
      lines.push(`| ${name} | ${cell(claimSummary(c).join("; ")) || "—"} | ${evidence} |`);
    }
    out.push(...section("Claims", lines, r.claims.length));
  }

  // Variants
  if (!r.variants) out.push("### Variants", "", "Sizes not compared: one side could not be built (see the diagnostics).", "");
  else if (r.variants.length) {
    const lines = ["| Variant | Raw | Gzip | Brotli | Flags |", "|---|---:|---:|---:|---|"];
    for (const v of r.variants) {
      const flags = [...v.gained.map((f) => `+${tcode(f)}`), ...v.lost.map((f) => `−${tcode(f)}`)].join(" ") || "—";
      const name = `${v.from ? `${tcode(v.from)} → ` : ""}${tcode(v.name)}${v.change === "added" ? " (new)" : v.change === "removed" ? " (removed)" : ""}`;
      lines.push(`| ${name} | ${sizeCell(v, "raw")} | ${sizeCell(v, "gzip")} | ${sizeCell(v, "brotli")} | ${flags} |`);
    }
    const notes = [renamedVariantsLine(r, (t) => code(t)), smallVariantsLine(r, (t) => code(t))].filter((x): x is string => !!x);
    out.push(...section("Variants (bytes)", [...lines, ...notes.flatMap((n) => ["", `${n}.`])], r.variants.length));
  }

  // Flags
  if (r.flags?.length) {
    const lines: string[] = ["Bytes a flag adds to each variant that ships it (raw, leave-one-out), and the places its code reads it.", ""];
    for (const f of r.flags) {
      const title = `${f.from ? `${code(f.from)} → ` : ""}${code(f.name)}${f.change === "added" ? " (new)" : f.change === "removed" ? " (removed)" : ""}`;
      const bytes = f.bytes.map(
        (b) =>
          `${code(b.variant)} ${b.before === null ? "—" : num(b.before)} → ${b.after === null ? "—" : num(b.after)}${b.before !== null && b.after !== null && b.before !== b.after ? ` (${signed(b.after - b.before)})` : ""}`,
      );
      lines.push(`- ${title}: ${bytes.length ? bytes.join(", ") : f.change === "changed" ? "bytes unchanged" : "shipped in no variant"}`);
      for (const s of f.sitesAdded) lines.push(`  - new call site ${code(siteText(s), 200)}`);
      for (const s of f.sitesRemoved) lines.push(`  - call site removed ${code(siteText(s), 200)}`);
    }
    const small = smallFlagsLine(r);
    out.push(
      ...section(
        "Flags",
        small ? [...lines, "", `${small}.`] : lines,
        r.flags.reduce((s, f) => s + 1 + f.sitesAdded.length + f.sitesRemoved.length, 0),
      ),
    );
  } else if (smallFlagsLine(r)) out.push("### Flags", "", `${smallFlagsLine(r)}.`, "");

  // Diagnostics
  const fresh = r.diagnostics.new;
  const errors = fresh.filter((d) => d.severity === "error").length;
  out.push("### New diagnostics", "");
  if (!fresh.length)
    out.push(`None.${r.diagnostics.resolved ? ` ${plural(r.diagnostics.resolved, "diagnostic")} of the base resolved.` : ""}`, "");
  else {
    out.push(
      `${plural(errors, "error")}, ${plural(fresh.length - errors, "warning")} new in the head${r.diagnostics.resolved ? `; ${r.diagnostics.resolved} of the base resolved` : ""}.`,
      "",
    );
    for (const d of fresh.slice(0, 50))
      out.push(`- ${d.severity === "error" ? "❌" : "⚠️"} ${code(`${d.file}:${d.line}:${d.col}`)} ${code(d.rule)} ${code(d.message, 300)}`);
    if (fresh.length > 50) out.push(`- … and ${fresh.length - 50} more`);
    out.push("");
  }
  return `${out
    .join("\n")
    .replace(/\n{3,}/g, "\n\n")
    .trimEnd()}\n`;
}
