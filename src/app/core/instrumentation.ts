/**
 * Stage instrumentation: named pipeline stages run through registered probes
 * (DEBUG traces, PROFILING measurements). With no probe it is a plain call.
 */
export interface StageProbe {
  enter(stage: string): unknown;
  exit(stage: string, token: unknown): void;
}

export class Instrumentation {
  readonly #probes: StageProbe[] = [];
  readonly #order: string[] = [];

  add(probe: StageProbe): this {
    this.#probes.push(probe);
    return this;
  }

  get probeCount(): number {
    return this.#probes.length;
  }

  /** Stage names in first-run order. */
  get stages(): readonly string[] {
    return this.#order;
  }

  /** Runs `fn` as stage `name`; works for sync functions and for functions returning a promise. */
  run<T>(name: string, fn: () => T): T {
    if (!this.#order.includes(name)) this.#order.push(name);
    if (this.#probes.length === 0) return fn();
    const tokens = this.#probes.map((p) => p.enter(name));
    const done = (): void => {
      for (let i = this.#probes.length - 1; i >= 0; i--) this.#probes[i]!.exit(name, tokens[i]);
    };
    let result: T;
    try {
      result = fn();
    } catch (error) {
      done();
      throw error;
    }
    if (result instanceof Promise) return result.finally(done) as T;
    done();
    return result;
  }
}
