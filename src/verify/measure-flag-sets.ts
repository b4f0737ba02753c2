/**
 * Raw and gzip size of many flag sets (the toggles of the impact table), shared between this process and
 * one helper process (size-worker.ts), because Bun runs one build at a time per process. The helper takes
 * jobs from the front of the list as it replies, this process from the back whenever its own variant and
 * probe builds leave the bundler idle, so neither waits for the other. A helper that dies or cannot start
 * leaves its jobs to this process; few jobs are not worth a process start. Sizes whose inputs are
 * unchanged since an earlier run come from the cache and are not built at all.
 */
import { join } from "node:path";
import type { Subprocess } from "bun";
import { flagSetKey, type VariantBuilder } from "./build-variants.ts";
import type { FlagSetCache } from "./flag-set-cache.ts";
import type { SizeMeter } from "./measure-sizes.ts";
import type { RawGzip } from "./results-file.ts";
import { lines, type SizeJob, type SizeReply } from "./size-worker.ts";

export type FlagSetSize = RawGzip | undefined;

/** Below this many jobs the helper's start-up (~50 ms) costs more than it saves. */
const MIN_JOBS_FOR_HELPER = 24;
/** Jobs the helper holds at once: enough to keep its bundler busy between replies. */
const HELPER_IN_FLIGHT = 3;
/** Background builds this process runs at once. */
const LOCAL_IN_FLIGHT = 2;

type Helper = Subprocess<"pipe", "pipe", "ignore">;

export class FlagSetMeasurer {
  private helper: Helper | undefined;
  /** Builds the helper ran, for the run's statistics. */
  helperBuilds = 0;

  /** Jobs answered from the cache, for the run's statistics. */
  cached = 0;

  constructor(
    private readonly root: string,
    private readonly builder: VariantBuilder,
    private readonly meter: SizeMeter,
    private readonly cache: FlagSetCache,
  ) {}

  /** Starts the helper now, so its own start-up overlaps the caller's work until `measure`. */
  startHelper(): void {
    try {
      this.helper = Bun.spawn([process.execPath, join(import.meta.dir, "size-worker.ts"), this.root], {
        cwd: this.root,
        env: { ...process.env, BUN_OPTIONS: "" },
        stdin: "pipe",
        stdout: "pipe",
        stderr: "ignore",
      });
    } catch {
      this.helper = undefined;
    }
  }

  /** Ends a helper that will not be needed. */
  stop(): void {
    this.helper?.kill();
    this.helper = undefined;
  }

  /** Sizes in job order. */
  measure(all: SizeJob[]): Promise<FlagSetSize>[] {
    const key = (job: SizeJob) => `${job.entry}|${flagSetKey(job.features)}`;
    const sizes: Promise<FlagSetSize>[] = new Array(all.length);
    const jobs: SizeJob[] = [];
    const slot: number[] = [];
    all.forEach((job, i) => {
      const hit = this.cache.lookup(key(job));
      if (hit) {
        this.cached++;
        sizes[i] = Promise.resolve(hit);
      } else {
        slot.push(i);
        jobs.push(job);
      }
    });
    const settle: ((s: FlagSetSize) => void)[] = [];
    for (const [i, at] of slot.entries()) sizes[at] = new Promise<FlagSetSize>((resolve) => void (settle[i] = resolve));
    const done = new Uint8Array(jobs.length);
    const finish = (i: number, s: FlagSetSize, inputs?: string[]) => {
      if (done[i]) return;
      done[i] = 1;
      if (s && inputs) this.cache.store(key(jobs[i]!), inputs, s);
      settle[i]!(s);
    };
    const local = (i: number) =>
      this.builder
        .build({ ...jobs[i]!, background: true })
        .then((b) => (b.ok ? finish(i, this.meter.rawAndGzip(b.outputs), Object.keys(b.metafile.inputs)) : finish(i, undefined)));

    let front = 0;
    let back = jobs.length - 1;
    const take = (fromFront: boolean): number | undefined => (front <= back ? (fromFront ? front++ : back--) : undefined);

    const helper = jobs.length >= MIN_JOBS_FOR_HELPER ? this.helper : undefined;
    if (!helper) this.stop();
    this.helper = undefined;
    if (helper) void this.feedHelper(helper, jobs, take, finish, local);

    const worker = async () => {
      for (;;) {
        await this.builder.whenIdle();
        const i = take(false);
        if (i === undefined) return;
        await local(i);
      }
    };
    for (let k = 0; k < LOCAL_IN_FLIGHT; k++) void worker();
    return sizes;
  }

  private async feedHelper(
    helper: Helper,
    jobs: SizeJob[],
    take: (fromFront: boolean) => number | undefined,
    finish: (i: number, s: FlagSetSize, inputs?: string[]) => void,
    local: (i: number) => Promise<void>,
  ): Promise<void> {
    const outstanding = new Set<number>();
    let ended = false;
    const feed = () => {
      while (!ended && outstanding.size < HELPER_IN_FLIGHT) {
        const i = take(true);
        if (i === undefined) {
          ended = true;
          void helper.stdin.end();
          break;
        }
        outstanding.add(i);
        helper.stdin.write(`${JSON.stringify({ i, ...jobs[i]! })}\n`);
      }
      void helper.stdin.flush();
    };
    try {
      feed();
      for await (const line of lines(helper.stdout)) {
        let reply: SizeReply;
        try {
          reply = JSON.parse(line) as SizeReply;
        } catch {
          continue;
        }
        outstanding.delete(reply.i);
        this.helperBuilds++;
        if ("error" in reply) finish(reply.i, undefined);
        else finish(reply.i, { raw: reply.raw, gzip: reply.gzip }, reply.inputs);
        feed();
      }
    } catch {
      // The helper's pipes broke: what it still held is built here.
    }
    // A helper that died leaves jobs unanswered: build them here rather than lose the measurement.
    for (const i of outstanding) void local(i);
    if (!ended) {
      ended = true;
      for (let i = take(true); i !== undefined; i = take(true)) void local(i);
    }
  }
}
