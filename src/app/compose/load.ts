/** The metrics of the run: MOCK_API's generated ones, else the input file (or stdin), else the built-in sample. */
import { feature } from "bun:bundle";
import type { CliOptions } from "../core/args.ts";
import { parseMetricLines } from "../core/input.ts";
import { sampleMetrics } from "../core/sample-data.ts";
import type { Owner } from "../core/types.ts";
import { generateMockMetrics } from "../features/mock-api.ts";
import type { AppIo, Loaded } from "./run.ts";

export async function loadInput(opts: CliOptions, io: AppIo, caller: Owner | undefined): Promise<Loaded> {
  if (feature("MOCK_API")) {
    const note = opts.file !== undefined ? ` (ignored input ${opts.file})` : "";
    return {
      metrics: generateMockMetrics({ seed: opts.seed, count: opts.count, hostile: opts.mockHostile }),
      source: `mock api (seed=${opts.seed}, count=${opts.count})${note}`,
      errors: [],
    };
  } else {
    if (opts.file !== undefined) {
      const text = opts.file === "-" ? await Bun.stdin.text() : await io.readText(opts.file);
      const parsed = parseMetricLines(text, caller);
      return { ...parsed, source: `${opts.file === "-" ? "stdin" : opts.file} (${parsed.metrics.length} metrics)` };
    }
    const metrics = sampleMetrics();
    return { metrics, source: `built-in sample (${metrics.length} metrics)`, errors: [] };
  }
}
