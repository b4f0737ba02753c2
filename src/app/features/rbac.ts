/**
 * RBAC: HMAC-SHA256 signed tokens (WebCrypto) carrying a role, a scope (a ScopeName of data/scopes.yaml) and a
 * tenant, validated for live-stream subscribers and for POST /ingest. Reads need any role; writes need operator
 * or admin. Every read and write is confined to the token's scope and tenant; a token naming an unknown scope
 * is invalid. No secret is built in: the application refuses to serve without one, except mock-data (MOCK_API)
 * builds, which use `randomSecret()`.
 */
import { isScopeName, SCOPE_NAMES, type ScopeName } from "../../generated/limits.ts";
import { DEFAULT_TENANT, TENANT_PATTERN } from "../core/input.ts";
import type { Owner } from "../core/types.ts";

export type Role = "viewer" | "operator" | "admin";

export interface TokenClaims {
  sub: string;
  role: Role;
  /** Scope the token grants. */
  scope: ScopeName;
  /** Tenant inside the scope the token is confined to (lowercase id; "default" for single-tenant deployments). */
  tenant: string;
  /** Expiry, epoch seconds. */
  exp: number;
}

export type VerifyResult = { ok: true; claims: TokenClaims } | { ok: false; reason: string };

const ROLES: readonly string[] = ["viewer", "operator", "admin"];
const WRITERS: readonly string[] = ["operator", "admin"];

function b64url(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("base64url");
}

/** base64url without padding: the alphabet only, and a length no encoding produces (4n + 1) refused. */
const B64URL = /^[A-Za-z0-9_-]+$/;

/**
 * The bytes of strict, canonical base64url text, or undefined. Node's decoder skips characters outside the
 * alphabet and padding, so "sig!!", "sig====" and "pay!load" would decode like "sig" and "payload": a token
 * must be exactly what signToken() wrote, so anything else is refused before it is decoded.
 */
function fromB64url(text: string): Uint8Array<ArrayBuffer> | undefined {
  if (!B64URL.test(text) || text.length % 4 === 1) return undefined;
  const bytes = Buffer.from(text, "base64url");
  // Unused trailing bits must be zero: one encoding per byte string.
  if (bytes.toString("base64url") !== text) return undefined;
  return new Uint8Array(bytes);
}

async function hmacKey(secret: string): Promise<CryptoKey> {
  return crypto.subtle.importKey("raw", new TextEncoder().encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign", "verify"]);
}

export function isRole(value: unknown): value is Role {
  return typeof value === "string" && ROLES.includes(value);
}

/** `payload.signature`, both base64url. */
export async function signToken(claims: TokenClaims, secret: string): Promise<string> {
  const payload = new TextEncoder().encode(JSON.stringify(claims));
  const sig = new Uint8Array(await crypto.subtle.sign("HMAC", await hmacKey(secret), payload));
  return `${b64url(payload)}.${b64url(sig)}`;
}

/** Verifies the signature (constant time, via WebCrypto), the claim shapes and expiry. */
export async function verifyToken(token: string, secret: string, nowMs: number): Promise<VerifyResult> {
  const parts = token.split(".");
  if (parts.length !== 2 || !parts[0] || !parts[1]) return { ok: false, reason: "malformed token" };
  const payload = fromB64url(parts[0]);
  const sig = fromB64url(parts[1]);
  if (payload === undefined || sig === undefined) return { ok: false, reason: "malformed token" };
  const valid = await crypto.subtle.verify("HMAC", await hmacKey(secret), sig, payload);
  if (!valid) return { ok: false, reason: "bad signature" };
  let claims: unknown;
  try {
    claims = JSON.parse(new TextDecoder().decode(payload));
  } catch {
    return { ok: false, reason: "malformed payload" };
  }
  const c = claims as Partial<TokenClaims>;
  if (
    typeof c !== "object" ||
    c === null ||
    typeof c.sub !== "string" ||
    !isRole(c.role) ||
    typeof c.scope !== "string" ||
    typeof c.exp !== "number"
  ) {
    return { ok: false, reason: "invalid claims" };
  }
  if (!isScopeName(c.scope)) return { ok: false, reason: "token names an unknown scope" };
  if (typeof c.tenant !== "string" || !TENANT_PATTERN.test(c.tenant)) return { ok: false, reason: "token carries no valid tenant" };
  if (c.exp * 1000 <= nowMs) return { ok: false, reason: "token expired" };
  return { ok: true, claims: c as TokenClaims };
}

/** Why the token may not read or write data of `owner` (another scope or tenant), or undefined when it may. */
export function accessDenial(claims: TokenClaims, owner: { scope?: string | undefined; tenant?: string | undefined }): string | undefined {
  if (owner.scope !== undefined && owner.scope !== claims.scope) return `token not valid for scope ${owner.scope}`;
  if (owner.tenant !== undefined && owner.tenant !== claims.tenant) return `token not valid for tenant ${owner.tenant}`;
  return undefined;
}

/** Writes (POST /ingest) need the operator or admin role. */
export function canIngest(claims: TokenClaims): boolean {
  return WRITERS.includes(claims.role);
}

/** Why the token may not write `metric` (its role, or the metric's scope or tenant), or undefined when it may. */
export function ingestDenial(claims: TokenClaims, metric: Owner): string | undefined {
  return canIngest(claims) ? accessDenial(claims, metric) : `role ${claims.role} may not ingest`;
}

/** Parses "role:scope[:tenant[:sub]]" (CLI --issue-token) into claims valid for `ttlSeconds` from `nowMs`. */
export function claimsFromSpec(spec: string, nowMs: number, ttlSeconds = 3600): TokenClaims {
  const [role, scope, tenant, sub] = spec.split(":");
  if (!isRole(role) || !isScopeName(scope))
    throw new Error(`token spec must be ROLE:SCOPE[:TENANT[:SUB]] with ROLE in ${ROLES.join("|")} and SCOPE in ${SCOPE_NAMES.join("|")}`);
  const t = tenant || DEFAULT_TENANT;
  if (!TENANT_PATTERN.test(t)) throw new Error(`token tenant must match ${TENANT_PATTERN.source}`);
  return { sub: sub || `${role}@${t}`, role, scope, tenant: t, exp: Math.floor(nowMs / 1000) + ttlSeconds };
}

/** A random per-process signing secret (development builds only; never persisted). */
export function randomSecret(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64url");
}
