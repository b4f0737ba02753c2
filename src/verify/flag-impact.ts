/**
 * What each flag costs, measured: for every variant, the flag toggled (added where it is off, left out
 * where it is on) and the build measured again. Deltas are shown as measured: they are not additive
 * (modules shared between flags, helpers pulled in once) and can be negative (a flag that retires a legacy
 * path). A flag whose toggle changes no byte in any variant is dead: its branches do nothing.
 */
import { diagnostic, type Diagnostic } from "../core/report/diagnostics.ts";
import type { Entry } from "../core/load/load-records.ts";
import { recordPlace } from "../core/load/yaml-source.ts";
import type { Delta, RawGzip } from "./results-file.ts";

export interface FlagImpact {
  name: string;
  /** Bytes added when the flag is switched on in a variant that lacks it. */
  addOne: Delta[];
  /** Bytes saved when the flag is switched off in a variant that has it (size with − size without). */
  leaveOneOut: Delta[];
  dead: boolean;
}

export interface Toggle {
  variant: string;
  flag: string;
  mode: "add" | "leave";
  features: string[];
}

/**
 * Every flag a variant has, left out; every flag its scope allows but it lacks, added. A flag the scope
 * forbids is not added: that build could never ship (it is a scope leak), so its delta would mislead.
 */
export function toggles(
  variants: Entry<"variants">[],
  flags: Entry<"features">[],
  scopesOf: (flag: Entry<"features">) => string[],
): Toggle[] {
  const out: Toggle[] = [];
  for (const v of variants) {
    const base = v.record.features;
    for (const f of flags) {
      const name = f.record.name;
      if (base.includes(name)) out.push({ variant: v.record.name, flag: name, mode: "leave", features: base.filter((x) => x !== name) });
      else if (scopesOf(f).includes(v.record.scope as string))
        out.push({ variant: v.record.name, flag: name, mode: "add", features: [...base, name] });
    }
  }
  return out;
}

/**
 * `base` holds each variant's own size; `toggled` the size of each toggle (same order as `toggles`), or
 * undefined when that build failed (the failure is reported elsewhere; the flag is then not called dead).
 */
export function flagImpacts(
  flags: Entry<"features">[],
  list: Toggle[],
  base: Map<string, RawGzip | undefined>,
  toggled: (RawGzip | undefined)[],
): FlagImpact[] {
  const byFlag = new Map(
    flags.map((f) => [f.record.name, { name: f.record.name, addOne: [] as Delta[], leaveOneOut: [] as Delta[], incomplete: false }]),
  );
  list.forEach((t, i) => {
    const impact = byFlag.get(t.flag)!;
    const b = base.get(t.variant);
    const s = toggled[i];
    if (!b || !s) {
      impact.incomplete = true;
      return;
    }
    if (t.mode === "add") impact.addOne.push({ variant: t.variant, raw: s.raw - b.raw, gzip: s.gzip - b.gzip });
    else impact.leaveOneOut.push({ variant: t.variant, raw: b.raw - s.raw, gzip: b.gzip - s.gzip });
  });
  return [...byFlag.values()].map(({ incomplete, ...i }) => ({
    ...i,
    dead: !incomplete && [...i.addOne, ...i.leaveOneOut].every((d) => d.raw === 0 && d.gzip === 0),
  }));
}

export function deadFlagDiagnostics(impacts: FlagImpact[], flags: Map<string, Entry<"features">>): Diagnostic[] {
  return impacts
    .filter((i) => i.dead)
    .map((i) =>
      diagnostic(
        "dead-flag",
        recordPlace(flags.get(i.name)!, ["name"]),
        `toggling ${i.name} changes no byte in any of the ${i.addOne.length + i.leaveOneOut.length} builds measured: its branches do nothing`,
        "guard real behaviour with it, or delete the flag",
      ),
    );
}
