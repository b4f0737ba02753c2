/**
 * The verify outcome as GitHub-flavoured Markdown, for $GITHUB_STEP_SUMMARY or `--summary FILE`: the
 * variants with sizes against budget and proof status, the flag × variant impact matrix, and every error.
 */
import { formatHeadline, isError, type Diagnostic } from "../core/report/diagnostics.ts";
import type { FlagImpact } from "./flag-impact.ts";
import type { Proof, VariantOutcome } from "./results.ts";
import { plural } from "../core/text/plural.ts";

const n = (x: number) => x.toLocaleString("en-US");
const signed = (x: number) => (x > 0 ? `+${n(x)}` : x < 0 ? `−${n(-x)}` : "0");
const proof = (p: Proof) => (p === "pass" ? "✅" : p === "fail" ? "❌" : "–");
const cell = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, " ");

export function markdownSummary(args: {
  ok: boolean;
  variants: VariantOutcome[];
  impacts: FlagImpact[];
  diagnostics: Diagnostic[];
  seconds: number;
  builds: number;
  bunVersion: string;
}): string {
  const errors = args.diagnostics.filter(isError);
  const lines: string[] = [];
  lines.push(`## Variant verification ${args.ok ? "✅ passed" : "❌ failed"}`);
  lines.push("");
  lines.push(
    `${args.variants.length} variants, ${n(args.builds)} builds with Bun ${args.bunVersion} in ${args.seconds.toFixed(2)} s; ${errors.length ? plural(errors.length, "error") : "no errors"}.`,
  );
  lines.push("");
  lines.push("| Variant | Flags | Raw | Gzip | Brotli | Budget | Within | Markers | Owned modules | Leftovers |");
  lines.push("|---|---:|---:|---:|---:|---:|:-:|:-:|:-:|:-:|");
  for (const v of args.variants) {
    const s = v.sizes;
    const within = s
      ? s.raw <= v.budget
        ? `✅ ${Math.round((s.raw / v.budget) * 100)}%`
        : `❌ ${Math.round((s.raw / v.budget) * 100)}%`
      : "–";
    lines.push(
      `| ${cell(v.name)} | ${v.features.length} | ${s ? n(s.raw) : "–"} | ${s ? n(s.gzip) : "–"} | ${s ? n(s.brotli) : "–"} | ${n(v.budget)} | ${within} | ${proof(v.proofs.markers)} | ${proof(v.proofs.ownedModules)} | ${proof(v.proofs.leftovers)} |`,
    );
  }
  if (args.impacts.some((i) => i.addOne.length || i.leaveOneOut.length)) {
    lines.push("");
    lines.push("### Flag impact (bytes raw / gzip)");
    lines.push("");
    lines.push(
      "● flag on in the variant: bytes saved by leaving it out. ○ flag off: bytes added by switching it on. – the variant's scope does not allow the flag. Deltas are measured, not additive, and may be negative.",
    );
    lines.push("");
    const names = args.variants.map((v) => v.name);
    lines.push(`| Flag | ${names.map(cell).join(" | ")} |`);
    lines.push(`|---|${names.map(() => "---:").join("|")}|`);
    for (const i of args.impacts) {
      const cells = names.map((name) => {
        const loo = i.leaveOneOut.find((d) => d.variant === name);
        if (loo) return `● ${signed(loo.raw)} / ${signed(loo.gzip)}`;
        const add = i.addOne.find((d) => d.variant === name);
        return add ? `○ ${signed(add.raw)} / ${signed(add.gzip)}` : "–";
      });
      lines.push(`| ${cell(i.name)}${i.dead ? " ⚠ dead" : ""} | ${cells.join(" | ")} |`);
    }
  }
  if (errors.length) {
    lines.push("");
    lines.push("### Errors");
    lines.push("");
    for (const d of errors.slice(0, 50)) lines.push(`- \`${cell(formatHeadline(d))}\`${d.hint ? ` — ${cell(d.hint)}` : ""}`);
    if (errors.length > 50) lines.push(`- … and ${errors.length - 50} more`);
  }
  lines.push("");
  return lines.join("\n");
}
