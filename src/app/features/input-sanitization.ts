/**
 * INPUT_SANITIZATION: sanitizeProperties() validates property keys and values
 * (length limits, allowed characters, no prototype-pollution keys, control characters stripped).
 * The limits are the records' (data/security.yaml, via src/generated/limits.ts).
 */
import {
  INPUT_SANITIZATION_METRIC_NAME_LENGTH,
  INPUT_SANITIZATION_PROPERTIES_PER_METRIC,
  INPUT_SANITIZATION_PROPERTY_KEY_LENGTH,
  INPUT_SANITIZATION_PROPERTY_VALUE_LENGTH,
} from "../../generated/limits.ts";
import type { Metric, Props, Stage, StageOutcome } from "../core/types.ts";

export interface SanitizeLimits {
  maxKeys: number;
  maxKeyLength: number;
  maxValueLength: number;
}

export interface SanitizeResult {
  props: Props;
  /** Keys removed, with the reason. */
  rejected: { key: string; reason: string }[];
  truncated: string[];
  strippedChars: number;
}

const KEY_PATTERN = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
const METRIC_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_.:-]*$/;
// C0/C1 controls, DEL, bidi overrides/isolates, zero-width chars.
const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g;

export function defaultLimits(): SanitizeLimits {
  return {
    maxKeys: INPUT_SANITIZATION_PROPERTIES_PER_METRIC,
    maxKeyLength: INPUT_SANITIZATION_PROPERTY_KEY_LENGTH,
    maxValueLength: INPUT_SANITIZATION_PROPERTY_VALUE_LENGTH,
  };
}

export function isForbiddenKey(key: string): boolean {
  return key === "__proto__" || key === "constructor" || key === "prototype";
}

export function isValidMetricName(name: string): boolean {
  return name.length <= INPUT_SANITIZATION_METRIC_NAME_LENGTH && METRIC_NAME_PATTERN.test(name);
}

export function sanitizeProperties(raw: Record<string, unknown>, limits: SanitizeLimits = defaultLimits()): SanitizeResult {
  const props: Props = {};
  const rejected: { key: string; reason: string }[] = [];
  const truncated: string[] = [];
  let strippedChars = 0;
  for (const key of Object.keys(raw)) {
    if (isForbiddenKey(key)) {
      rejected.push({ key, reason: "forbidden key" });
      continue;
    }
    if (key.length > limits.maxKeyLength) {
      rejected.push({ key: key.slice(0, 16), reason: "key too long" });
      continue;
    }
    if (!KEY_PATTERN.test(key)) {
      rejected.push({ key, reason: "invalid key characters" });
      continue;
    }
    if (Object.keys(props).length >= limits.maxKeys) {
      rejected.push({ key, reason: "too many keys" });
      continue;
    }
    const rawValue = raw[key];
    let value = typeof rawValue === "string" ? rawValue : rawValue === undefined ? "" : String(rawValue);
    const cleaned = value.replace(CONTROL_CHARS, "");
    strippedChars += value.length - cleaned.length;
    value = cleaned;
    if (value.length > limits.maxValueLength) {
      value = value.slice(0, limits.maxValueLength);
      truncated.push(key);
    }
    Object.defineProperty(props, key, { value, enumerable: true, writable: true, configurable: true });
  }
  return { props, rejected, truncated, strippedChars };
}

/** Pipeline stage: drops metrics with invalid names, sanitises properties of the rest. */
export class SanitizationStage implements Stage {
  readonly name = "sanitize";
  rejectedKeys = 0;
  truncatedValues = 0;
  strippedChars = 0;

  constructor(readonly limits: SanitizeLimits = defaultLimits()) {}

  process(metric: Metric): StageOutcome {
    if (!isValidMetricName(metric.name)) return { drop: "invalid metric name" };
    const r = sanitizeProperties(metric.props, this.limits);
    this.rejectedKeys += r.rejected.length;
    this.truncatedValues += r.truncated.length;
    this.strippedChars += r.strippedChars;
    return { ...metric, props: r.props };
  }
}
