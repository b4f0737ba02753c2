/**
 * Rules on the declared flags, from what the source analysis found: every declared flag must be tested by
 * code some variant bundles (else it is stale), and a flag past its `expires` date is reported.
 */
import type { Diagnostic } from "../core/report/diagnostics.ts";
import type { Entry } from "../core/load/load-records.ts";
import { atRecord } from "./places.ts";

export function flagRules(flags: Entry<"features">[], references: Record<string, string[]>, today: string): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const flag of flags) {
    const name = flag.record.name;
    const where = references[name] ?? [];
    if (where.length === 0) {
      out.push(
        atRecord(flag, ["name"], "stale-flag", `flag ${name} is declared but no code that a variant bundles calls feature("${name}")`,
          `use it behind feature("${name}") in code reachable from a variant entry, or delete the record`),
      );
    }
    const expires = flag.record.expires;
    if (expires !== undefined && expires < today) {
      out.push(
        atRecord(flag, ["expires"], "expired-flag", `flag ${name} expired on ${expires} (today is ${today})${where.length ? `; still read in ${where.join(", ")}` : ""}`,
          "remove the flag and its dead branch, or move `expires` to a new agreed date"),
      );
    }
  }
  return out;
}
