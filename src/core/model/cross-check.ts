/**
 * Rules that span records: unique names, references that resolve, flags allowed in a variant's scope,
 * dates in order, no dependency cycles. Runs on records that passed their schema.
 */
import { diagnostic, type Diagnostic } from "../report/diagnostics.ts";
import type { LoadResult } from "../load/load-records.ts";
import { fieldValue, type Entry, type Records } from "./records.ts";
import { ALL_SCOPES } from "../schema/columns.ts";
import { KIND_INFO, KIND_NOUN, KINDS, referenceFields, type Kind } from "../schema/kinds.ts";
import { didYouMean, listOf } from "../report/suggest.ts";
import { recordPlace, recordTextPlace, type PathSegment } from "../load/yaml-source.ts";
import { limitTextFields, limitTextProblems, limitTexts, typedLimits } from "./limit-text.ts";
import { phaseStatus } from "./status.ts";
import { wordFor } from "../text/plural.ts";

const upperFirst = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

const where = (e: Entry) => `${e.at.file}:${e.at.line}:${e.at.col}`;

/** The scope names a scope value stands for, "all" expanded. */
export function expandScope(value: string | readonly string[] | undefined, allScopes: readonly string[]): string[] {
  if (value === undefined) return [];
  const list = typeof value === "string" ? [value] : [...value];
  return list.includes(ALL_SCOPES) ? [...allScopes] : list;
}

export function crossCheck(load: LoadResult): Diagnostic[] {
  const { records, names, unreadable } = load;
  return [
    ...duplicateNames(records),
    ...references(records, names, unreadable),
    ...scopeLeaks(records),
    ...dateOrder(records),
    ...cycles(records),
    ...limitPlaceholders(records),
    ...flagLimitNumbers(records),
    ...phaseStatuses(records),
  ];
}

/**
 * Statuses at which a flag must name a behaviour proof (flag-without-proof): the bytes verify measures show its
 * code is in or out of a build, never that it does what its description says. A claim rule, so `check` (and
 * `generate`, the site) runs it, while verify still measures the bundles of records that break it.
 */
export const FLAG_PROOF_STATUSES: ReadonlySet<string> = new Set(["Done", "Beta"]);

export function flagProofs(records: Records): Diagnostic[] {
  return records.features
    .filter((f) => FLAG_PROOF_STATUSES.has(f.record.status) && f.record.proof === undefined)
    .map((f) =>
      diagnostic(
        "flag-without-proof",
        recordPlace(f, ["status"]),
        `flag ${f.record.name} says ${f.record.status}, but names no behaviour proof: the bundles show where its code ships, not that it does what it says`,
      ),
    );
}

function duplicateNames(records: Records): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const kind of KINDS) {
    const seen = new Map<string, Entry>();
    for (const e of records[kind]) {
      const first = seen.get(e.record.name);
      if (first) {
        out.push(
          diagnostic(
            "duplicate-name",
            recordPlace(e, ["name"]),
            `${KIND_NOUN[kind]} "${e.record.name}" is already defined at ${where(first)}`,
            "rename one of them or merge the two records",
          ),
        );
      } else seen.set(e.record.name, e);
    }
  }
  // Each variant's build:<variant> script is generated into package.json: two variants cannot share one.
  const scripts = new Map<string, Entry<"variants">>();
  for (const v of records.variants) {
    const first = scripts.get(v.record.script);
    if (first)
      out.push(
        diagnostic(
          "duplicate-script",
          recordPlace(v, ["script"]),
          `variants "${first.record.name}" and "${v.record.name}" both name the script ${v.record.script} (first at ${where(first)})`,
        ),
      );
    else scripts.set(v.record.script, v);
  }
  return out;
}

function references(records: Records, names: LoadResult["names"], unreadable: Set<Kind>): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const ref of referenceFields()) {
    if (unreadable.has(ref.target)) continue;
    const known = [...names[ref.target]];
    for (const e of records[ref.kind]) {
      const value = fieldValue(e, ref.field);
      if (value === undefined) continue;
      const items: [string, PathSegment[]][] = Array.isArray(value)
        ? value.map((v, i) => [String(v), [ref.field, i]])
        : [[String(value), [ref.field]]];
      const seen = new Set<string>();
      for (const [name, path] of items) {
        if (seen.has(name)) {
          out.push(
            diagnostic("duplicate-entry", recordPlace(e, path), `"${name}" is listed twice in ${ref.field}`, "remove the second entry"),
          );
          continue;
        }
        seen.add(name);
        if (ref.allowAll && name === ALL_SCOPES) {
          if (items.length > 1)
            out.push(
              diagnostic(
                "invalid-value",
                recordPlace(e, path),
                `"${ALL_SCOPES}" cannot be combined with other scopes`,
                `write scope: ${ALL_SCOPES}`,
              ),
            );
          continue;
        }
        if (names[ref.target].has(name)) continue;
        const candidates = ref.allowAll ? [...known, ALL_SCOPES] : known;
        const file = `data/${ref.target}.yaml`;
        // The hint lists what may stand here, so the fix never needs a look into another file.
        const existing = candidates.length
          ? `the ${KIND_INFO[ref.target].plural} in ${file} are ${listOf(candidates, 12, "and")}`
          : `${file} defines no ${KIND_INFO[ref.target].plural} yet`;
        const meant = didYouMean(name, candidates);
        out.push(
          diagnostic(
            "unknown-reference",
            recordPlace(e, path),
            `${ref.field} names ${KIND_NOUN[ref.target]} "${name}", which is not defined in ${file}`,
            meant ? `${meant} ${upperFirst(existing)}` : `use one of them, or define it in ${file}: ${existing}`,
          ),
        );
      }
    }
  }
  return out;
}

function scopeLeaks(records: Records): Diagnostic[] {
  const out: Diagnostic[] = [];
  const allScopes = records.scopes.map((s) => s.record.name);
  const flags = new Map(records.features.map((f) => [f.record.name, f]));
  for (const v of records.variants) {
    v.record.features.forEach((name, i) => {
      const flag = flags.get(name);
      if (!flag) return;
      const allowed = expandScope(flag.record.scope, allScopes);
      if (!allowed.includes(v.record.scope)) {
        out.push(
          diagnostic(
            "scope-leak",
            recordPlace(v, ["features", i]),
            `variant "${v.record.name}" (scope ${v.record.scope}) enables ${name}, which is allowed only in ${allowed.join(", ")}`,
            `remove ${name} from this variant, or add ${v.record.scope} to its scope at ${where(flag)}`,
          ),
        );
      }
    });
  }
  return out;
}

function dateOrder(records: Records): Diagnostic[] {
  return records.features
    .filter((f) => f.record.expires !== undefined && f.record.expires <= f.record.introduced)
    .map((f) =>
      diagnostic(
        "invalid-date",
        recordPlace(f, ["expires"]),
        `flag ${f.record.name} expires (${f.record.expires}) on or before it was introduced (${f.record.introduced})`,
        `pick an expiry date later than ${f.record.introduced}, or correct introduced if that is the wrong one`,
      ),
    );
}

function cycles(records: Records): Diagnostic[] {
  const out: Diagnostic[] = [];
  const byName = new Map(records.roadmap.map((r) => [r.record.name, r]));
  const state = new Map<string, "visiting" | "done">();
  const visit = (name: string, trail: string[]) => {
    if (state.get(name) === "done") return;
    if (state.get(name) === "visiting") {
      const entry = byName.get(name)!;
      const loop = [...trail.slice(trail.indexOf(name)), name].join(" → ");
      out.push(
        diagnostic(
          "dependency-cycle",
          recordPlace(entry, ["dependsOn"]),
          `roadmap items depend on each other in a loop: ${loop}`,
          "remove one dependsOn entry of the loop",
        ),
      );
      return;
    }
    state.set(name, "visiting");
    for (const dep of byName.get(name)?.record.dependsOn ?? []) if (byName.has(dep)) visit(dep, [...trail, name]);
    state.set(name, "done");
  };
  for (const name of byName.keys()) visit(name, []);
  return out;
}

/** Texts that write limits take every number from them (limit-text.ts). */
function limitPlaceholders(records: Records): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const kind of KINDS) {
    const keys = limitTextFields(kind);
    if (!keys.length) continue;
    for (const e of records[kind]) {
      for (const { key, text, limits } of limitTexts(e, keys)) {
        const names = limits.map((l) => `{${l.name}}`);
        for (const p of limitTextProblems(text, limits)) {
          if (p.kind === "literal") {
            out.push(
              diagnostic(
                "requirement-limit",
                recordTextPlace(e, [key], text, p.index),
                `${key} types ${p.written}, the value of the limit "${p.limit.name}"; the text would keep saying ${p.written} when the limit changes`,
                `write {${p.limit.name}} instead of ${p.written}`,
              ),
            );
          } else if (p.kind === "unknown") {
            const hint = p.meant
              ? `did you mean {${p.meant.name}}?`
              : names.length
                ? `its limits are ${names.join(", ")}`
                : "add the limit under limits, or write the text without braces";
            out.push(
              diagnostic(
                "requirement-limit",
                recordTextPlace(e, [key], text, p.index),
                `${key} writes {${p.name}}, but ${KIND_NOUN[kind]} "${e.record.name}" has no limit named "${p.name}"`,
                hint,
              ),
            );
          } else {
            const list = p.limits.map((l) => `"${l.name}" (${l.value} ${l.unit})`).join(" and ");
            out.push(
              diagnostic(
                "requirement-limit",
                recordPlace(e, [key]),
                `${key} does not mention the ${wordFor(p.limits.length, "limit")} ${list}`,
                `write ${p.limits.map((l) => `{${l.name}}`).join(" and ")} where the text sets ${wordFor(p.limits.length, "it", "them")}`,
              ),
            );
          }
        }
      }
    }
  }
  return out;
}

/**
 * typed-limit: a flag's prose must not type a number of a control that relies on the flag (names it in
 * `flags`); the control's page shows the number from its record, and the flag's text would keep the old one.
 */
function flagLimitNumbers(records: Records): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const flag of records.features) {
    const controls = records.security.filter((c) => (c.record.flags ?? []).includes(flag.record.name));
    const limits = controls.flatMap((c) => (c.record.limits ?? []).map((l) => ({ ...l, control: c.record.name })));
    if (!limits.length) continue;
    for (const key of ["description"] as const) {
      const text = flag.record[key];
      for (const t of typedLimits(text, limits)) {
        out.push(
          diagnostic(
            "typed-limit",
            recordTextPlace(flag, [key], text, t.index),
            `${key} types ${t.written}, the value of the limit "${t.limit.name}" of control "${t.limit.control}"; the text would keep saying ${t.written} when the limit changes`,
            `name the control instead ("at the limit of ${t.limit.control}"): its page shows the number from its record`,
          ),
        );
      }
    }
  }
  return out;
}

/** phase-status: a phase's written status is the one its tasks give (a phase without tasks is left to unproven-claim). */
function phaseStatuses(records: Records): Diagnostic[] {
  return records.roadmap.flatMap((e) => {
    if (e.record.type !== "Phase") return [];
    const computed = phaseStatus({ records }, e);
    if (computed === undefined || computed === e.record.status) return [];
    return [
      diagnostic(
        "phase-status",
        recordPlace(e, ["status"]),
        `${e.record.name} says ${e.record.status}, but its tasks (phase ${e.record.phase}) make it ${computed}`,
        `write status: ${computed}`,
      ),
    ];
  });
}

export type { Kind };
