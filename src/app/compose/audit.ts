/**
 * AUDIT_LOG's part of a run, set up before ingest: a hash-chained log of what the tracker does, of the token
 * RBAC checks, and (serving) of every stream event, by the report clock and then the server's. Everything that
 * reads the log is added here, so no other stage holds it: its report section, its counts in CloudWatch EMF,
 * and (CLOUDWATCH, serving) an EMF line per entry as it is appended.
 */
import { feature } from "bun:bundle";
import { section } from "../core/format.ts";
import { AuditLog, auditTrackerEvent, formatAuditEntry, type AuditSink } from "../features/audit-log.ts";
import { auditCountsToEmf, auditEntryToEmf } from "../features/cloudwatch.ts";
import type { Run } from "./run.ts";

export function auditStage(run: Run, sink: AuditSink | undefined): void {
  const { tracker, sections, hooks, io, now } = run;
  const log = new AuditLog(sink);
  let clock = (): number => now;
  tracker.observe((event) => auditTrackerEvent(log, event, () => clock()));
  sections.security.push(() => {
    const { out } = io;
    out(section("audit log"));
    out(`entries: ${log.size} (${log.kept} kept in memory), chain ${log.verify() ? "verified" : "BROKEN"}`);
    out(
      `by action: ${Object.entries(log.countsByAction())
        .map(([a, n]) => `${a}=${n}`)
        .join(", ")}`,
    );
    for (const e of log.entries().slice(-3)) out(formatAuditEntry(e));
  });
  if (feature("RBAC")) {
    hooks.tokenChecked = (result) => {
      log.append({
        ts: now,
        actor: result.ok ? result.claims.sub : "anonymous",
        action: "auth.verify",
        target: "cli",
        outcome: result.ok ? "ok" : "denied",
        detail: result.ok ? undefined : result.reason,
      });
    };
  }
  if (feature("CLOUDWATCH")) {
    hooks.cloudwatch = () => auditCountsToEmf(log.countsByAction(), now);
  }
  if (feature("LIVE_STREAM")) {
    hooks.serving = (server) => {
      clock = () => Date.now();
      if (feature("CLOUDWATCH")) {
        log.onAppend((entry) => io.out(auditEntryToEmf(entry, Date.now())));
      }
      server.onEvent = (e) => {
        const denied = e.type === "limited" || e.type === "expired" || (e.type === "auth" && e.detail !== "granted");
        log.append({
          ts: Date.now(),
          actor: e.subject,
          action: `stream.${e.type}`,
          target: e.target,
          outcome: denied ? "denied" : "ok",
          detail: e.detail,
        });
      };
    };
  }
}
