/**
 * Rules on the declared flags, from what the source analysis found: every declared flag must be tested by
 * code some variant bundles (else it is stale), and a flag past its `expires` date is reported. The generated
 * list of the flags a build carries (src/generated/features.ts) tests every declared flag, so it is no use.
 */
import { diagnostic, type Diagnostic } from "../core/report/diagnostics.ts";
import type { Entry } from "../core/load/load-records.ts";
import { recordPlace } from "../core/load/yaml-source.ts";
import { ENABLED_FEATURES_PATH } from "../core/emit/emit-enabled-features.ts";

export function flagRules(flags: Entry<"features">[], references: Record<string, string[]>, today: string): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const flag of flags) {
    const name = flag.record.name;
    const where = (references[name] ?? []).filter((file) => file !== ENABLED_FEATURES_PATH);
    if (where.length === 0) {
      out.push(
        diagnostic(
          "stale-flag",
          recordPlace(flag, ["name"]),
          `flag ${name} is declared but no code that a variant bundles calls feature("${name}")`,
          `use it behind feature("${name}") in code reachable from a variant entry, or delete the record`,
        ),
      );
    }
    const expires = flag.record.expires;
    if (expires !== undefined && expires < today) {
      out.push(
        diagnostic(
          "expired-flag",
          recordPlace(flag, ["expires"]),
          `flag ${name} expired on ${expires} (today is ${today})${where.length ? `; still read in ${where.join(", ")}` : ""}`,
          "remove the flag and its dead branch, or move `expires` to a new agreed date",
        ),
      );
    }
  }
  return out;
}
