/**
 * Plants each hole issue 9 found back into the application, one at a time, in a temporary copy of the
 * repository, and runs `npm run prove` there: each must fail, naming the control and the variants. A script,
 * not a test (each run proves everything: about 20 s per hole on a 2-core machine).
 *
 *   bun bench/plant-holes.ts            every hole
 *   HOLES=tenant,secret bun bench/plant-holes.ts
 *
 * Exit 0 when every planted hole made prove fail as expected, 1 otherwise.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

const REPO = join(import.meta.dir, "..");
const BUN = process.execPath;

interface Hole {
  id: string;
  what: string;
  file: string;
  from: string;
  to: string;
  /** The control prove must name, and at least these variants. */
  control: string;
  variants: string[];
}

const HOLES: Hole[] = [
  {
    id: "anonymous-ingest",
    what: "an RBAC build accepts POST /ingest without a token",
    file: "src/app/app.ts",
    from: "    hooks.authorizeIngest = async (token) => {\n",
    to: '    hooks.authorizeIngest = async (token) => {\n      if (!token) return { ok: true, subject: "anonymous", grant: { sub: "anonymous", role: "admin", scope: "Public", tenant: "default", exp: 4e9 } };\n',
    control: "RBAC Token Validation",
    variants: ["test", "staging", "canary"],
  },
  {
    id: "secret",
    what: 'the signing secret defaults to "dev-secret", compiled into every bundle',
    file: "src/app/app.ts",
    from: "  let secret = opts.secret;\n",
    to: '  let secret = opts.secret ?? "dev-secret";\n',
    control: "RBAC Token Validation",
    variants: ["staging", "canary"],
  },
  {
    id: "tenant",
    what: "tokens are not checked against the tenant of the data",
    file: "src/app/features/rbac.ts",
    from: "  if (owner.tenant !== undefined && owner.tenant !== claims.tenant) return `token not valid for tenant ${owner.tenant}`;\n",
    to: "",
    control: "Scope Isolation",
    variants: ["test", "staging", "canary"],
  },
  {
    id: "client-clock",
    what: "the ingest rate limit counts by each metric's own timestamp",
    file: "src/app/features/rate-limit.ts",
    from: "    for (const [key, n] of counts) if (this.limiter.remaining(key, now) < n) return false;\n    return true;",
    to: "    void counts; void now;\n    return true;",
    control: "Message Rate Limit",
    variants: ["test", "staging", "canary"],
  },
  {
    id: "ingest-not-taken",
    what: "the ingest limit is checked but never taken, so only the pipeline's survivors would count",
    file: "src/app/app.ts",
    from: "      if (!c.ingestLimit.take(counts)) {\n",
    to: "      if (!c.ingestLimit.fits(counts)) {\n",
    control: "Message Rate Limit",
    variants: ["test", "staging", "canary"],
  },
  {
    id: "slot-leak",
    what: "a closed connection's slot is never released",
    file: "src/app/features/rate-limit.ts",
    from: "  release(key: string): void {\n",
    to: "  release(key: string): void {\n    return;\n",
    control: "Per-Tenant Connection Limit",
    variants: ["test", "staging", "canary"],
  },
];

/** Tracked and untracked (not ignored) files: what a clone plus the working tree holds. */
function repoFiles(): string[] {
  const p = Bun.spawnSync(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: REPO, stdout: "pipe" });
  return p.stdout.toString().split("\0").filter(Boolean);
}

function copyRepo(dir: string): void {
  for (const rel of repoFiles()) {
    try {
      mkdirSync(dirname(join(dir, rel)), { recursive: true });
      cpSync(join(REPO, rel), join(dir, rel));
    } catch {
      /* a file deleted in the working tree */
    }
  }
  symlinkSync(join(REPO, "node_modules"), join(dir, "node_modules"));
}

interface Diag {
  rule: string;
  file: string;
  line: number;
  message: string;
}

const wanted = process.env.HOLES?.split(",");
let failures = 0;
const rows: string[] = [];
for (const hole of HOLES.filter((h) => !wanted || wanted.includes(h.id))) {
  const dir = mkdtempSync(join(tmpdir(), `hole-${hole.id}-`));
  try {
    copyRepo(dir);
    const path = join(dir, hole.file);
    const text = readFileSync(path, "utf8");
    if (!text.includes(hole.from)) throw new Error(`${hole.id}: the code to change is not in ${hole.file} any more; update the hole`);
    writeFileSync(path, text.replace(hole.from, hole.to));
    const t = performance.now();
    const p = Bun.spawnSync([BUN, "scripts/prove.ts", "--format", "json"], { cwd: dir, env: { ...process.env, BUN_OPTIONS: "" }, stdout: "pipe", stderr: "pipe" });
    const seconds = ((performance.now() - t) / 1000).toFixed(1);
    let diags: Diag[] = [];
    try {
      diags = JSON.parse(p.stdout.toString()) as Diag[]; // check's JSON format: an array of diagnostics
    } catch {
      /* reported below */
    }
    const named = diags.find((d) => d.rule === "proof-failed" && d.message.includes(`proving ${hole.control} failed`));
    const missing = named ? hole.variants.filter((v) => !new RegExp(`failed in [^:]*\\b${v}\\b`).test(named.message)) : hole.variants;
    const ok = p.exitCode === 1 && named !== undefined && missing.length === 0;
    if (!ok) failures++;
    rows.push(`${ok ? "caught" : "MISSED"}  ${hole.id.padEnd(18)} ${seconds.padStart(5)} s  ${hole.what}`);
    rows.push(named ? `        ${named.file}:${named.line}: ${named.rule}: ${named.message.slice(0, 220)}` : `        no proof-failed for ${hole.control} (exit ${p.exitCode}): ${p.stderr.toString().slice(-400)}`);
    if (missing.length) rows.push(`        variants not named: ${missing.join(", ")}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(rows.splice(0).join("\n"));
}
process.exitCode = failures ? 1 : 0;
