/**
 * Numbers defined once: src/generated/limits.ts is what emitLimits() renders from data/security.yaml and
 * data/scopes.yaml, and the app's defaults are those constants.
 */
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { DEFAULT_MAX_BODY_BYTES, parseArgs } from "../../src/app/core/args.ts";
import { MAX_NAME_LENGTH, MAX_UNIT_LENGTH, NAMESPACE_PATTERN } from "../../src/app/core/input.ts";
import { AuditLog } from "../../src/app/features/audit-log.ts";
import { defaultLimits } from "../../src/app/features/input-sanitization.ts";
import {
  DEFAULT_INGEST_PER_MINUTE,
  DEFAULT_MAX_CONNECTIONS,
  DEFAULT_MESSAGES_PER_MINUTE,
  DEFAULT_TENANT_BYTES,
} from "../../src/app/features/rate-limit.ts";
import { emitLimits, LIMITS_PATH, limitIdentifier } from "../../src/core/emit/emit-limits.ts";
import { loadModel, type Model } from "../../src/core/model/model.ts";
import * as limits from "../../src/generated/limits.ts";

const ROOT = join(import.meta.dir, "../..");
const { model } = loadModel(ROOT);
const record = (control: string, name: string) =>
  model.records.security.find((c) => c.record.name === control)?.record.limits?.find((l) => l.name === name)?.value;

describe("limits from the records", () => {
  test("src/generated/limits.ts is fresh", () => {
    expect(readFileSync(join(ROOT, LIMITS_PATH), "utf8")).toBe(emitLimits(model));
  });

  test("every limit of data/security.yaml is a constant; scope names are a list", () => {
    for (const c of model.records.security) {
      for (const l of c.record.limits ?? []) {
        const id = limitIdentifier(c.record.name, l.name);
        expect({ id, value: (limits as Record<string, unknown>)[id] }).toEqual({ id, value: l.value });
      }
    }
    expect<string[]>([...limits.SCOPE_NAMES]).toEqual(model.scopeNames);
    for (const s of model.scopeNames) expect(limits.isScopeName(s)).toBe(true);
    for (const s of ["api", "public", "*", "", undefined, 1]) expect(limits.isScopeName(s)).toBe(false);
  });

  test("the app's defaults are the records' numbers", () => {
    const o = parseArgs([]);
    expect(o.retentionDays).toBe(record("Retention Cleanup", "Retention window")!);
    expect(o.rateLimit).toBe(record("Message Rate Limit", "Stream messages")!);
    expect(o.ingestLimit).toBe(record("Message Rate Limit", "Ingested metrics")!);
    expect(o.tenantBytes).toBe(record("Message Rate Limit", "Stored bytes")!);
    expect(o.maxBodyBytes).toBe(record("Input Sanitization", "Ingest body")!);
    expect(o.maxConnections).toBe(record("Per-Tenant Connection Limit", "Connections")!);
    expect([
      DEFAULT_MESSAGES_PER_MINUTE,
      DEFAULT_INGEST_PER_MINUTE,
      DEFAULT_TENANT_BYTES,
      DEFAULT_MAX_CONNECTIONS,
      DEFAULT_MAX_BODY_BYTES,
    ]).toEqual([o.rateLimit, o.ingestLimit, o.tenantBytes, o.maxConnections, o.maxBodyBytes]);
    expect(new AuditLog().capacity).toBe(record("Audit Logging", "Entries in memory")!);
    expect([MAX_NAME_LENGTH, MAX_UNIT_LENGTH]).toEqual([
      record("Input Sanitization", "Metric name length")!,
      record("Input Sanitization", "Unit length")!,
    ]);
    const ns = record("Input Sanitization", "Namespace length")!;
    expect([NAMESPACE_PATTERN.test("n".repeat(ns)), NAMESPACE_PATTERN.test("n".repeat(ns + 1))]).toEqual([true, false]);
    expect(defaultLimits()).toEqual({
      maxKeyLength: record("Input Sanitization", "Property key length")!,
      maxValueLength: record("Input Sanitization", "Property value length")!,
      maxKeys: record("Input Sanitization", "Properties per metric")!,
    });
    // No secret is built in: it comes from the environment or --secret only.
    expect(o.secret).toBeUndefined();
    expect(parseArgs([], { PERF_TOKEN_SECRET: "" }).secret).toBeUndefined();
    expect(parseArgs([], { PERF_TOKEN_SECRET: "s" }).secret).toBe("s");
    expect(parseArgs(["--secret=t"], { PERF_TOKEN_SECRET: "s" }).secret).toBe("t");
  });

  test("identifiers, collisions and comments", () => {
    expect(limitIdentifier("Rate Limiting", "Connections")).toBe("RATE_LIMITING_CONNECTIONS");
    expect(limitIdentifier("Per-Tenant Connection Limit", "Connections")).toBe("PER_TENANT_CONNECTION_LIMIT_CONNECTIONS");
    expect(limitIdentifier("Rétention", "window (days)")).toBe("RETENTION_WINDOW_DAYS");
    expect(limitIdentifier("2FA", "tries")).toBe("LIMIT_2FA_TRIES");
    const fake = {
      scopeNames: [],
      records: {
        security: [
          {
            src: { file: "data/security.yaml" },
            record: {
              name: "A-B",
              limits: [
                { name: "c", value: 1, unit: "x */ y" },
                { name: "C", value: 2.5, unit: "z" },
              ],
            },
          },
          { src: { file: "data/security.yaml" }, record: { name: "A B", limits: [{ name: "c!", value: 0, unit: "u" }] } },
        ],
      },
    } as unknown as Model;
    const text = emitLimits(fake);
    expect(text).toContain("export const A_B_C = 1;");
    expect(text).toContain("export const A_B_C_2 = 2.5;");
    expect(text).toContain("export const A_B_C_3 = 0;");
    expect(text).toContain("x *\\/ y");
    expect(text).toContain("export type ScopeName = never;");
    expect(text).not.toContain("import");
  });
});
