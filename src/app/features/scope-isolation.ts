/**
 * SCOPE_ISOLATION: validateMetricScope(): a metric may only be recorded or read by a caller of its own scope
 * (a ScopeName of data/scopes.yaml) and its own tenant.
 */
import { isScopeName } from "../../generated/limits.ts";
import { ownerLabel, type AccessOp, type Owner, type RecordContext } from "../core/types.ts";

export class ScopeViolationError extends Error {
  override name = "ScopeViolationError";
  constructor(
    readonly owner: Owner,
    readonly caller: RecordContext,
    readonly op: AccessOp,
    reason: string,
  ) {
    super(
      `scope violation: ${op} of ${ownerLabel(owner)} by ${caller.scope === undefined ? "a caller without scope" : ownerLabel(caller)}: ${reason}`,
    );
  }
}

/** Throws ScopeViolationError unless the caller names a known scope and a tenant, and both are the data's own. */
export function validateMetricScope(owner: Owner, ctx: RecordContext, op: AccessOp = "record"): void {
  const reason = !isScopeName(owner.scope)
    ? "unknown scope"
    : ctx.scope === undefined
      ? "caller scope required"
      : !isScopeName(ctx.scope)
        ? "unknown caller scope"
        : ctx.tenant === undefined
          ? "caller tenant required"
          : ctx.scope !== owner.scope
            ? "cross-scope access"
            : ctx.tenant !== owner.tenant
              ? "cross-tenant access"
              : undefined;
  if (reason !== undefined) throw new ScopeViolationError(owner, ctx, op, reason);
}
