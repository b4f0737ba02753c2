/**
 * What a roadmap item delivers: the records it names (controls, components, criteria, flags), each held to
 * its own evidence. A task is Done only when everything it delivers is proven Done; a phase only when all
 * its tasks are. Shared by the site's evidence and check's rules, so both say the same.
 */
import type { Entry } from "./records.ts";
import type { Model } from "./model.ts";
import { phaseStatus, statusOf, tasksOf } from "./status.ts";
import { wordFor } from "../text/plural.ts";

/** The records a roadmap item names as what it delivers, in field order; names that match nothing are left to unknown-reference. */
export function deliverables(model: Model, item: Entry<"roadmap">): Entry[] {
  const r = item.record;
  const find = <K extends "security" | "components" | "criteria" | "features">(kind: K, names: readonly string[] | undefined): Entry<K>[] =>
    (names ?? []).flatMap((n) => model.records[kind].filter((e) => e.record.name === n) as Entry<K>[]);
  return [
    ...find("security", r.controls),
    ...find("components", r.components),
    ...find("criteria", r.criteria),
    ...find("features", r.flags),
  ];
}

/**
 * Why a roadmap item's Done is not backed by what its records say, or undefined when it is: a task names
 * something it delivers and every one of them says Done; a phase has tasks and every task says Done.
 * (Each delivered record's own Done is held to its evidence where it stands.)
 */
export function roadmapGap(model: Model, item: Entry<"roadmap">): string | undefined {
  if (item.record.type === "Phase") {
    const tasks = tasksOf(model, item);
    if (!tasks.length) return `phase ${item.record.phase} has no tasks`;
    const open = tasks.filter((t) => t.record.status !== "Done");
    return open.length
      ? `${open.length} of its ${tasks.length} tasks ${wordFor(open.length, "is", "are")} not Done (${open.map((t) => t.record.name).join(", ")})`
      : undefined;
  }
  const delivered = deliverables(model, item);
  if (!delivered.length) return "it names nothing it delivers (controls, components, criteria or flags)";
  const open = delivered.filter((e) => statusOf(e) !== "Done");
  return open.length ? `${open.map((e) => `${e.record.name} is ${statusOf(e) ?? "without a status"}`).join(", ")}` : undefined;
}

export { phaseStatus };
