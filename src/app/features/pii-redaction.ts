/**
 * PII_REDACTION: redacts e-mail addresses, IP addresses and tokens in property values.
 */
import type { Metric, Props, Stage, StageOutcome } from "../core/types.ts";

export interface RedactionHits {
  email: number;
  ip: number;
  token: number;
  secretKey: number;
}

const TOKEN_PATTERNS = [
  /\bBearer\s+[A-Za-z0-9._~+/-]+=*/g,
  /\beyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/g,
  /\b(?:sk|pk|rk)_(?:live|test)_[A-Za-z0-9]{8,}\b/g,
  /\bgh[pousr]_[A-Za-z0-9]{20,}\b/g,
  /\bxox[abprs]-[A-Za-z0-9-]{10,}\b/g,
  /\bAKIA[0-9A-Z]{16}\b/g,
  /\b[0-9a-fA-F]{32,}\b/g,
];
const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;
const IPV4 = /\b(?:25[0-5]|2[0-4]\d|1?\d?\d)(?:\.(?:25[0-5]|2[0-4]\d|1?\d?\d)){3}\b/g;
const IPV6 =
  /(?<![\w:])(?:[0-9A-Fa-f]{1,4}:){7}[0-9A-Fa-f]{1,4}(?![\w:])|(?<![\w:])(?:[0-9A-Fa-f]{1,4}:){1,6}:(?:[0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{1,4}){0,5})?(?![\w:])/g;
const SENSITIVE_KEY = /pass(?:word)?|secret|token|authorization|api[_-]?key|cookie|session/i;

export function emptyHits(): RedactionHits {
  return { email: 0, ip: 0, token: 0, secretKey: 0 };
}

/** Redacts one value; counts what it replaced into `hits`. */
export function redactValue(value: string, hits: RedactionHits = emptyHits()): string {
  let out = value;
  for (const re of TOKEN_PATTERNS) {
    out = out.replace(re, () => {
      hits.token++;
      return "[token]";
    });
  }
  out = out.replace(EMAIL, () => {
    hits.email++;
    return "[email]";
  });
  out = out.replace(IPV4, () => {
    hits.ip++;
    return "[ip]";
  });
  out = out.replace(IPV6, () => {
    hits.ip++;
    return "[ip]";
  });
  return out;
}

/** Redacts every value; values of sensitive keys (password, token, ...) are replaced entirely. */
export function redactProperties(props: Props, hits: RedactionHits = emptyHits()): Props {
  // Object.fromEntries defines own properties, so a "__proto__" key stays a plain key.
  return Object.fromEntries(
    Object.entries(props).map(([k, v]): [string, string] => {
      if (SENSITIVE_KEY.test(k) && v !== "") {
        hits.secretKey++;
        return [k, "[redacted]"];
      }
      return [k, redactValue(v, hits)];
    }),
  );
}

export class PiiRedactionStage implements Stage {
  readonly name = "pii-redact";
  readonly hits = emptyHits();

  process(metric: Metric): StageOutcome {
    return { ...metric, props: redactProperties(metric.props, this.hits) };
  }
}
