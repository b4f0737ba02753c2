/** After the exports: RBAC's tokens, the sections of the security stages (audit), CloudWatch EMF. */
import { feature } from "bun:bundle";
import { isoDate, section } from "../core/format.ts";
import { aggregatesToEmf } from "../features/cloudwatch.ts";
import { claimsFromSpec, signToken, verifyToken } from "../features/rbac.ts";
import type { Reported } from "./run.ts";

export async function reportSecurity(run: Reported): Promise<void> {
  const { opts } = run;
  if (feature("RBAC")) {
    const { out, secret, now } = run;
    out(section("rbac"));
    if (opts.issueToken !== undefined && secret !== undefined) {
      const token = await signToken(claimsFromSpec(opts.issueToken, now), secret);
      out(`token: ${token}`);
    }
    if (opts.token !== undefined && secret !== undefined) {
      const result = await verifyToken(opts.token, secret, now);
      run.hooks.tokenChecked?.(result);
      out(
        result.ok
          ? `token ok: sub=${result.claims.sub} role=${result.claims.role} scope=${result.claims.scope} tenant=${result.claims.tenant} exp=${isoDate(result.claims.exp * 1000)}`
          : `token rejected: ${result.reason}`,
      );
    }
    out("stream subscribers and POST /ingest must present an HMAC-SHA256 token (role + scope + tenant); ingest needs operator or admin");
  } else {
    if (opts.token !== undefined || opts.issueToken !== undefined) run.io.err("token options ignored: this build has no RBAC");
  }
  for (const write of run.sections.security) write(run);
  if (feature("CLOUDWATCH")) {
    const { out, hooks } = run;
    out(section("cloudwatch emf"));
    for (const line of aggregatesToEmf(run.rows, run.now)) out(line);
    if (hooks.cloudwatch) out(hooks.cloudwatch());
  }
}
