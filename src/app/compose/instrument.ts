/**
 * The instrumentation every stage runs through: DEBUG traces each stage on stderr, PROFILING measures each.
 * Each adds its section to the diagnostics, at the end of the report.
 */
import { feature } from "bun:bundle";
import { section } from "../core/format.ts";
import { Instrumentation } from "../core/instrumentation.ts";
import { createDebugProbe } from "../features/debug.ts";
import { formatProfileCalls, formatProfileTimings, Profiler } from "../features/profiling.ts";
import type { AppIo, Sections } from "./run.ts";

export function instrument(io: AppIo, sections: Sections): Instrumentation {
  const inst = new Instrumentation();
  if (feature("DEBUG")) {
    inst.add(createDebugProbe(io.err));
    sections.diagnostics.push(({ out, tracker }) => {
      out(section("debug"));
      out(`stages: ${inst.stages.join(" > ")}`);
      out(`pipeline: ${tracker.stageNames.join(" > ") || "(no stages)"}`);
      for (const c of tracker.stageCounters()) out(`stage ${c.stage}: in=${c.in} out=${c.out}`);
      out("timing traces and state dump on stderr");
    });
  }
  if (feature("PROFILING")) {
    const profiler = new Profiler();
    inst.add(profiler);
    sections.diagnostics.push(() => {
      io.out(section("profile"));
      for (const line of formatProfileCalls(profiler.entries())) io.out(line);
      for (const line of formatProfileTimings(profiler.entries())) io.err(line);
    });
  }
  return inst;
}
