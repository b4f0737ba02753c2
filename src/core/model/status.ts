/**
 * Where a record stands, computed where the records allow: the one place the site and check read a status,
 * whether a phase's status follows from its tasks, and whether an open record is past its due date.
 * Scopes and team roles have no status (nothing about them is a claim a check could prove).
 */
import { STATUSES, type Status } from "../schema/columns.ts";
import { fieldsWithRole } from "../schema/kinds.ts";
import { fieldValue, type Entry } from "./records.ts";
import type { Model } from "./model.ts";

const isStatus = (v: unknown): v is Status => STATUSES.some((s) => s === v);

/** A record's written Release/Status; undefined for kinds without one (scopes, team roles). */
export function statusOf(entry: Entry): Status | undefined {
  const v = fieldValue(entry, "status");
  return isStatus(v) ? v : undefined;
}

/** Statuses still open: work not done and not retired. */
export const OPEN_STATUSES: readonly Status[] = ["Planned", "In Progress", "Beta", "Blocked"];

/** A record still open after the date it was due (its field with the "due" role, such as target) on `date` (YYYY-MM-DD). */
export function isOverdue(entry: Entry, date: string): boolean {
  const status = statusOf(entry);
  if (status === undefined || !OPEN_STATUSES.includes(status)) return false;
  return fieldsWithRole(entry.kind, "due").some((key) => {
    const due = fieldValue(entry, key);
    return typeof due === "string" && due < date;
  });
}

/** The tasks of a phase: the roadmap tasks with its phase number, in file order. */
export function tasksOf(model: Pick<Model, "records">, phase: Entry<"roadmap">): Entry<"roadmap">[] {
  return model.records.roadmap.filter((e) => e.record.type === "Task" && e.record.phase === phase.record.phase);
}

/**
 * A phase's status from its tasks: Done when every task is Done, Blocked when any is, Planned while none has
 * started (all Planned), otherwise In Progress. A phase without tasks keeps what it says (nothing to compute).
 */
export function phaseStatus(model: Pick<Model, "records">, phase: Entry<"roadmap">): Status | undefined {
  const tasks = tasksOf(model, phase).map((t) => t.record.status);
  if (!tasks.length) return undefined;
  if (tasks.every((s) => s === "Done" || s === "Deprecated")) return tasks.some((s) => s === "Done") ? "Done" : "Deprecated";
  if (tasks.some((s) => s === "Blocked")) return "Blocked";
  if (tasks.every((s) => s === "Planned")) return "Planned";
  return "In Progress";
}
