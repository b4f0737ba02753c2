/**
 * DEBUG: diagnostics. Timing traces of every pipeline stage and a dump of the
 * tracker's internal state when the process exits.
 */
import { writeSync } from "node:fs";
import type { StageProbe } from "../core/instrumentation.ts";
import type { TrackerState } from "../core/tracker.ts";

export type LineWriter = (line: string) => void;

/** Traces "[debug] > stage" / "[debug] < stage 1.234ms" for every instrumented stage. */
export function createDebugProbe(write: LineWriter, clock: () => number = () => performance.now()): StageProbe {
  let depth = 0;
  return {
    enter(stage) {
      write(`[debug] ${"  ".repeat(depth)}> ${stage}`);
      depth++;
      return clock();
    },
    exit(stage, token) {
      depth = Math.max(0, depth - 1);
      const ms = clock() - (token as number);
      write(`[debug] ${"  ".repeat(depth)}< ${stage} ${ms.toFixed(3)}ms`);
    },
  };
}

/** Deterministic multi-line rendering of the tracker state. */
export function formatStateDump(state: TrackerState): string[] {
  const lines = [
    `[debug:state] samples=${state.samples} pending=${state.pending} grouping=${state.grouping} guarded=${state.guarded} listeners=${state.listeners}`,
    `[debug:state] owners=${state.owners.join(",") || "-"} namespaces=${state.namespaces.join(",") || "-"}`,
    `[debug:state] keys=${state.keys.join(",") || "-"}`,
  ];
  for (const c of state.stages) {
    const drops = Object.entries(c.drops)
      .map(([reason, n]) => `${reason}:${n}`)
      .join(",");
    lines.push(`[debug:state] stage ${c.stage} in=${c.in} out=${c.out}${drops ? ` drops=${drops}` : ""}`);
  }
  return lines;
}

/** Registers a one-time process "exit" hook writing the state dump synchronously to `fd` (stderr). */
export function installExitDump(getState: () => TrackerState, fd = 2): () => void {
  const hook = (): void => {
    writeSync(fd, `${formatStateDump(getState()).join("\n")}\n`);
  };
  process.once("exit", hook);
  return () => {
    process.off("exit", hook);
  };
}
