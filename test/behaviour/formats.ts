/**
 * Readers of the formats the flag proofs check, none of them the application's own code:
 * - OTLP/JSON against the OpenTelemetry protocol's message definitions (the protobufjs code generated from
 *   opentelemetry-proto that @opentelemetry/otlp-transformer ships): every field of the payload must be a field
 *   of its message, of its type, and survive an encode/decode round trip unchanged.
 * - CloudWatch Embedded Metric Format: the envelope of the EMF specification as a JSON Schema (ajv), each
 *   directive's dimensions and metrics as members of the document, and AWS's own validators
 *   (aws-embedded-metrics) for namespaces, dimension sets, metric names, values, units and timestamps.
 * - W3C Trace Context: OpenTelemetry's W3C propagator decides whether a traceparent is valid.
 * - The mpt2 snapshot format, decoded from its documented grammar (src/app/features/v2-serializer.ts's header
 *   comment), not with the application's deserializer.
 */
import { defaultTextMapGetter, isSpanContextValid, ROOT_CONTEXT, trace } from "@opentelemetry/api";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import otlp from "@opentelemetry/otlp-transformer/build/src/generated/root.js";
import Ajv from "ajv";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { validateDimensionSet, validateMetric, validateNamespace, validateTimestamp } from "aws-embedded-metrics/lib/utils/Validator";

// ---- OTLP/JSON -----------------------------------------------------------------------------------

interface ProtoType {
  fromObject(o: unknown): unknown;
  encode(m: unknown): { finish(): Uint8Array };
  decode(b: Uint8Array): unknown;
  toObject(m: unknown, o: Record<string, unknown>): unknown;
}
const ExportMetricsServiceRequest = (
  otlp as unknown as { opentelemetry: { proto: { collector: { metrics: { v1: { ExportMetricsServiceRequest: ProtoType } } } } } }
).opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;

/**
 * Problems of an OTLP/JSON ExportMetricsServiceRequest, empty when it is one. The payload is converted to the
 * protobuf message, encoded, decoded and converted back (64-bit integers as decimal strings, enums as numbers,
 * defaults shown): a key that is not a field (a misspelling, a wrong nesting), a value of the wrong type, a
 * second member of a oneof or a number that does not fit its field does not come back as it was written.
 */
export function otlpProblems(payload: unknown): string[] {
  const problems: string[] = [];
  let decoded: unknown;
  try {
    const message = ExportMetricsServiceRequest.fromObject(payload);
    decoded = ExportMetricsServiceRequest.toObject(
      ExportMetricsServiceRequest.decode(ExportMetricsServiceRequest.encode(message).finish()),
      {
        longs: String,
        enums: Number,
        bytes: String,
        defaults: true,
        arrays: true,
      },
    );
  } catch (error) {
    return [`not an ExportMetricsServiceRequest: ${String(error)}`];
  }
  const walk = (written: unknown, read: unknown, path: string): void => {
    if (Array.isArray(written)) {
      if (!Array.isArray(read) || read.length !== written.length)
        problems.push(`${path}: a list of ${written.length} did not survive the round trip`);
      else for (const [i, w] of written.entries()) walk(w, read[i], `${path}[${i}]`);
    } else if (typeof written === "object" && written !== null) {
      if (typeof read !== "object" || read === null) return void problems.push(`${path}: not a message`);
      for (const [k, w] of Object.entries(written)) {
        if (!(k in read)) problems.push(`${path}.${k}: not a field of this message`);
        else walk(w, (read as Record<string, unknown>)[k], `${path}.${k}`);
      }
    } else if (written !== read && !(typeof written === "number" && typeof read === "string" && String(written) === read)) {
      problems.push(`${path}: wrote ${JSON.stringify(written)}, the message holds ${JSON.stringify(read)}`);
    }
  };
  walk(payload, decoded, "$");
  return problems;
}

// ---- CloudWatch EMF ------------------------------------------------------------------------------

/** Units CloudWatch accepts (aws-embedded-metrics' Unit enum, from the PutMetricData API). */
const EMF_ENVELOPE = {
  type: "object",
  required: ["_aws"],
  properties: {
    _aws: {
      type: "object",
      required: ["Timestamp", "CloudWatchMetrics"],
      properties: {
        Timestamp: { type: "integer", minimum: 0 },
        CloudWatchMetrics: {
          type: "array",
          items: {
            type: "object",
            required: ["Namespace", "Dimensions", "Metrics"],
            additionalProperties: false,
            properties: {
              Namespace: { type: "string", minLength: 1, maxLength: 1024 },
              Dimensions: {
                type: "array",
                items: { type: "array", maxItems: 30, items: { type: "string", minLength: 1, maxLength: 250 } },
              },
              Metrics: {
                type: "array",
                maxItems: 100,
                items: {
                  type: "object",
                  required: ["Name"],
                  additionalProperties: false,
                  properties: {
                    Name: { type: "string", minLength: 1, maxLength: 1024 },
                    Unit: { type: "string" },
                    StorageResolution: { enum: [1, 60] },
                  },
                },
              },
            },
          },
        },
      },
    },
  },
} as const;
const checkEnvelope = new Ajv({ allErrors: true, strict: true }).compile(EMF_ENVELOPE);

/** Problems of one EMF document (a parsed log line), empty when CloudWatch would extract its metrics. */
export function emfProblems(doc: unknown): string[] {
  if (!checkEnvelope(doc)) return (checkEnvelope.errors ?? []).map((e) => `${e.instancePath || "$"} ${e.message}`);
  const d = doc as Record<string, unknown> & {
    _aws: {
      Timestamp: number;
      CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit?: string }[] }[];
    };
  };
  const problems: string[] = [];
  const attempt = (what: string, f: () => void) => {
    try {
      f();
    } catch (error) {
      problems.push(`${what}: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  attempt("timestamp", () => validateTimestamp(d._aws.Timestamp));
  for (const directive of d._aws.CloudWatchMetrics) {
    attempt("namespace", () => validateNamespace(directive.Namespace));
    for (const set of directive.Dimensions) {
      const values: Record<string, string> = {};
      for (const name of set) {
        // A dimension names a member of the document holding a string.
        if (typeof d[name] !== "string") problems.push(`dimension ${name}: the document has no string member ${name}`);
        else values[name] = d[name] as string;
      }
      attempt(`dimensions ${set.join(",")}`, () => validateDimensionSet(values));
    }
    for (const m of directive.Metrics) {
      // A metric names a member holding a number (or a list of at most 100 numbers).
      const v = d[m.Name];
      const values = Array.isArray(v) ? v : [v];
      if (values.length === 0 || values.length > 100 || !values.every((x) => typeof x === "number"))
        problems.push(`metric ${m.Name}: the document has no number member ${m.Name}`);
      else for (const x of values as number[]) attempt(`metric ${m.Name}`, () => validateMetric(m.Name, x, m.Unit));
    }
  }
  return problems;
}

// ---- W3C Trace Context ---------------------------------------------------------------------------

const w3c = new W3CTraceContextPropagator();

/** The trace context OpenTelemetry's W3C propagator reads from a traceparent header, or undefined when it refuses it. */
export function w3cTraceparent(header: string): { traceId: string; spanId: string; flags: number } | undefined {
  const context = trace.getSpanContext(w3c.extract(ROOT_CONTEXT, { traceparent: header }, defaultTextMapGetter));
  return context && isSpanContextValid(context)
    ? { traceId: context.traceId, spanId: context.spanId, flags: context.traceFlags }
    : undefined;
}

// ---- mpt2 ----------------------------------------------------------------------------------------

export interface Mpt2Record {
  name: string;
  scope: string;
  tenant: string;
  namespace: string;
  ts: number;
  value: number;
  props: Record<string, string>;
  traceparent?: string;
  unit?: string;
}

/**
 * Decodes mpt2 by its documented grammar, strictly: the `#mpt2` header; `=INDEX NAME` dictionary entries
 * numbered 0, 1, 2 … in order of first use; records `index|scope|tenant|namespace|ts delta|value|props|
 * traceparent|unit` with the ts delta in signed base 36 from the previous record, trailing empty fields
 * omitted; props `k=v` joined by `&`; every field percent-encoded (`%XX`). Throws at the first violation.
 */
export function parseMpt2(text: string): Mpt2Record[] {
  if (!text.endsWith("\n")) throw new Error("mpt2: text does not end with a line break");
  const lines = text.slice(0, -1).split("\n");
  if (lines[0] !== "#mpt2") throw new Error(`mpt2: header is ${JSON.stringify(lines[0])}`);
  const names: string[] = [];
  const out: Mpt2Record[] = [];
  let ts = 0;
  const dec = (field: string, where: string): string => {
    if (/[|&=\n\r]/.test(field) || /%(?![0-9A-F]{2})/.test(field))
      throw new Error(`mpt2 ${where}: unencoded separator or bad escape in ${JSON.stringify(field)}`);
    return field.replace(/%([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
  };
  lines.slice(1).forEach((line, i) => {
    const where = `line ${i + 2}`;
    const entry = /^=(\d+) (.*)$/.exec(line);
    if (entry) {
      if (Number(entry[1]) !== names.length) throw new Error(`mpt2 ${where}: dictionary entry ${entry[1]} out of order`);
      names.push(dec(entry[2]!, where));
      return;
    }
    const f = line.split("|");
    if (f.length < 6 || f.length > 9) throw new Error(`mpt2 ${where}: ${f.length} fields`);
    const [idx, scope, tenant, namespace, delta, value, props = "", traceparent = "", unit = ""] = f as [
      string,
      string,
      string,
      string,
      string,
      string,
      ...string[],
    ];
    if (!/^\d+$/.test(idx) || Number(idx) >= names.length) throw new Error(`mpt2 ${where}: name index ${idx} not in the dictionary`);
    if (!/^-?[0-9a-z]+$/.test(delta)) throw new Error(`mpt2 ${where}: ts delta ${delta}`);
    ts += delta.startsWith("-") ? -parseInt(delta.slice(1), 36) : parseInt(delta, 36);
    const v = Number(value);
    if (value === "" || !Number.isFinite(v) || String(v) !== value) throw new Error(`mpt2 ${where}: value ${value}`);
    const record: Mpt2Record = {
      name: names[Number(idx)]!,
      scope: dec(scope, where),
      tenant: dec(tenant, where),
      namespace: dec(namespace, where),
      ts,
      value: v,
      props: {},
    };
    if (props !== "") {
      for (const pair of props.split("&")) {
        const parts = pair.split("=");
        if (parts.length !== 2) throw new Error(`mpt2 ${where}: property ${JSON.stringify(pair)}`);
        Object.defineProperty(record.props, dec(parts[0]!, where), { value: dec(parts[1]!, where), enumerable: true });
      }
    }
    if (traceparent !== "") record.traceparent = dec(traceparent, where);
    if (unit !== "") record.unit = dec(unit, where);
    out.push(record);
  });
  return out;
}

/** The snapshot a CLI run wrote with --out=DIR (gunzipped when COMPRESSION wrote snapshot.*.gz), as text. */
export function readSnapshot(dir: string): { file: string; text: string } {
  const file = readdirSync(dir).find((f) => f.startsWith("snapshot."));
  if (!file) throw new Error(`no snapshot in ${dir}`);
  const bytes = new Uint8Array(readFileSync(join(dir, file)));
  return { file, text: new TextDecoder().decode(file.endsWith(".gz") ? Bun.gunzipSync(bytes) : bytes) };
}
