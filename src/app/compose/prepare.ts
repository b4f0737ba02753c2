/**
 * Before any work: the RBAC signing secret (never built in) and the AUDIT_LOG file. A build that cannot have
 * them refuses to start (exit 2); options for a flag the build lacks are named as ignored.
 */
import { feature } from "bun:bundle";
import type { CliOptions } from "../core/args.ts";
import { errorMessage } from "../core/tracker.ts";
import { openAuditFile, type AuditSink } from "../features/audit-log.ts";
import { randomSecret } from "../features/rbac.ts";
import type { AppIo } from "./run.ts";

export interface Prepared {
  secret: string | undefined;
  auditSink: AuditSink | undefined;
}

/** The secret and the audit file, or undefined when the build refuses to start (said on stderr). */
export function prepare(opts: CliOptions, io: AppIo): Prepared | undefined {
  let secret = opts.secret;
  if (feature("RBAC")) {
    if (secret === undefined && (opts.serve || opts.issueToken !== undefined || opts.token !== undefined)) {
      if (feature("MOCK_API")) {
        secret = randomSecret();
        io.err(`rbac: no PERF_TOKEN_SECRET; mock-data build, random per-process secret: ${secret}`);
      } else {
        io.err("error: refusing to start: RBAC needs a signing secret (PERF_TOKEN_SECRET or --secret)");
        return undefined;
      }
    }
  }
  let auditSink: AuditSink | undefined;
  if (feature("AUDIT_LOG")) {
    if (opts.auditFile !== undefined) {
      try {
        auditSink = openAuditFile(opts.auditFile);
      } catch (error) {
        io.err(`error: ${errorMessage(error)}`);
        return undefined;
      }
    }
  } else {
    if (opts.auditFile !== undefined) io.err("--audit-file ignored: this build has no AUDIT_LOG");
  }
  return { secret, auditSink };
}
