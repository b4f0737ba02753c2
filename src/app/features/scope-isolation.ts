/**
 * SCOPE_ISOLATION: validateMetricScope(): a metric may only be recorded or read in its own scope.
 */
import type { RecordContext, ScopeOp } from "../core/types.ts";

export const SCOPE_PATTERN = /^[a-z][a-z0-9_-]{0,31}$/;

export class ScopeViolationError extends Error {
  override name = "ScopeViolationError";
  constructor(
    readonly metricScope: string,
    readonly callerScope: string | undefined,
    readonly op: ScopeOp,
    reason: string,
  ) {
    super(`scope violation: ${op} of scope "${metricScope}" by ${callerScope === undefined ? "an unscoped caller" : `scope "${callerScope}"`}: ${reason}`);
  }
}

/** Throws ScopeViolationError unless the caller's scope is exactly the (well-formed) metric scope. */
export function validateMetricScope(metricScope: string, ctx: RecordContext, op: ScopeOp = "record"): void {
  if (!SCOPE_PATTERN.test(metricScope)) throw new ScopeViolationError(metricScope, ctx.scope, op, "malformed scope name");
  if (ctx.scope === undefined) throw new ScopeViolationError(metricScope, ctx.scope, op, "caller scope required");
  if (ctx.scope !== metricScope) throw new ScopeViolationError(metricScope, ctx.scope, op, "cross-scope access");
}
