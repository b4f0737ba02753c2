/**
 * Behaviour proofs against the BUILT variants: each variant is built like verify builds it (`Bun.build`, target
 * bun, minify, the variant's `features` from data/variants.yaml) into a temporary folder, once per process, and
 * run as a child process (`bun <tmp>/<variant>/main.js ...`) that tests talk to over HTTP and WebSocket on
 * 127.0.0.1 only. The numbers come from the records (data/security.yaml limits), and so does which variant
 * proves which control: every variant whose flags include the control's `flags`.
 *
 * Everything is bounded: waits have deadlines, loops have counts, children are killed in afterAll (and at exit).
 */
import { afterAll, beforeAll } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadBehaviourView } from "../../src/core/model/views/behaviour.ts";

export const ROOT = join(import.meta.dir, "../..");

// ---- records -------------------------------------------------------------------------------------

export interface Variant {
  name: string;
  entry: string;
  features: string[];
}

export interface Control {
  name: string;
  flags: string[];
  /** Limit values by limit name ("Connections" → 10). */
  limits: Map<string, number>;
}

// Only the fields a behaviour proof depends on: editing a record's status or prose leaves these proofs fresh.
const records = loadBehaviourView(ROOT);
export const VARIANTS: Variant[] = records.variants.map((v) => ({ name: v.name, entry: v.entry, features: [...v.features] }));
export const CONTROLS: Control[] = records.security.map((c) => ({
  name: c.name,
  flags: [...(c.flags ?? [])],
  limits: new Map((c.limits ?? []).map((l) => [l.name, l.value])),
}));

export function control(name: string): Control {
  const c = CONTROLS.find((x) => x.name === name);
  if (!c) throw new Error(`no control "${name}" in data/security.yaml`);
  return c;
}

/** A limit of a control, from the records. */
export function limit(controlName: string, limitName: string): number {
  const v = control(controlName).limits.get(limitName);
  if (v === undefined) throw new Error(`control "${controlName}" has no limit "${limitName}" in data/security.yaml`);
  return v;
}

/** Variants whose flags include every flag of the control: the ones that must prove it. */
export function variantsFor(controlName: string): Variant[] {
  const c = control(controlName);
  return VARIANTS.filter((v) => c.flags.every((f) => v.features.includes(f)));
}

export const has = (v: Variant, ...flags: string[]) => flags.every((f) => v.features.includes(f));

/** Variants that ship a flag (data/variants.yaml): the ones a flag's behaviour proof must cover. */
export function variantsWith(flag: string): Variant[] {
  if (!records.features.some((f) => f.name === flag)) throw new Error(`no flag "${flag}" in data/features.yaml`);
  return VARIANTS.filter((v) => v.features.includes(flag));
}

/** Variants that leave a flag out. */
export function variantsWithout(flag: string): Variant[] {
  const shipping = new Set(variantsWith(flag));
  return VARIANTS.filter((v) => !shipping.has(v));
}

// ---- builds --------------------------------------------------------------------------------------

let tmp: string | undefined;
let users = 0;
/** The temporary folder of this test file's builds and files (created on first use). */
function TMP(): string {
  return (tmp ??= mkdtempSync(join(tmpdir(), "behaviour-")));
}

function cleanup(): void {
  for (const p of children) p.kill("SIGKILL");
  children.clear();
  builds.clear();
  if (tmp !== undefined) rmSync(tmp, { recursive: true, force: true });
  tmp = undefined;
}

/**
 * Call once at the top of a test file: when the file's last test ran, every child still running is killed
 * and the temporary folder (builds, inputs, audit files) removed. Also on process exit.
 */
export function useHarness(): void {
  beforeAll(() => {
    users++;
  });
  afterAll(() => {
    if (--users === 0) cleanup();
  });
}
process.on("exit", cleanup);

export function tempDir(name: string): string {
  const dir = join(TMP(), "work", `${name}-${Math.random().toString(36).slice(2, 8)}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

export function tempFile(name: string, text: string): string {
  const path = join(tempDir("files"), name);
  writeFileSync(path, text);
  return path;
}

const builds = new Map<string, Promise<string>>();

/** Builds a variant once per process; resolves to the path of its main.js. */
export function built(variant: Variant): Promise<string> {
  let p = builds.get(variant.name);
  if (!p) {
    p = (async () => {
      const outdir = join(TMP(), "variants", variant.name);
      const result = await Bun.build({
        entrypoints: [join(ROOT, variant.entry)],
        target: "bun",
        minify: true,
        features: variant.features,
        outdir,
      });
      if (!result.success) throw new Error(`build of ${variant.name} failed: ${result.logs.join("\n")}`);
      return join(outdir, "main.js");
    })();
    builds.set(variant.name, p);
  }
  return p;
}

// ---- processes -----------------------------------------------------------------------------------

const children = new Set<Bun.Subprocess>();

/** The environment of a child: no inherited flags or secrets. */
export function childEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && k !== "BUN_OPTIONS" && k !== "PERF_TOKEN_SECRET" && !k.startsWith("S3_") && !k.startsWith("AWS_")) env[k] = v;
  }
  return { ...env, ...extra };
}

export interface CliRun {
  out: string;
  err: string;
  code: number;
}

/**
 * Runs a built variant to completion (asynchronously, so in-process servers such as s3rver keep answering).
 * `stopWhen` ends it early, killed, as soon as its standard output so far satisfies it: a run that was meant to
 * refuse and exit, and serves instead, fails its test at once rather than at the deadline.
 */
export async function runCli(
  variant: Variant,
  args: string[],
  env: Record<string, string> = {},
  timeoutMs = 30_000,
  stopWhen?: (out: string) => boolean,
): Promise<CliRun> {
  const main = await built(variant);
  const proc = Bun.spawn([process.execPath, main, ...args], { cwd: TMP(), env: childEnv(env), stdout: "pipe", stderr: "pipe" });
  children.add(proc);
  const timer = setTimeout(() => proc.kill("SIGKILL"), timeoutMs);
  try {
    const readOut = async () => {
      let out = "";
      const decoder = new TextDecoder();
      for await (const chunk of proc.stdout) {
        out += decoder.decode(chunk, { stream: true });
        if (stopWhen?.(out)) proc.kill("SIGKILL");
      }
      return out + decoder.decode();
    };
    const [out, err] = await Promise.all([readOut(), new Response(proc.stderr).text()]);
    const code = await proc.exited;
    return { out, err, code };
  } finally {
    clearTimeout(timer);
    children.delete(proc);
  }
}

/** Lines of a report section (`== title ==`). */
export function sectionOf(out: string, title: string): string[] {
  const lines = out.split("\n");
  const start = lines.indexOf(`== ${title} ==`);
  if (start < 0) return [];
  const end = lines.findIndex((l, i) => i > start && l.startsWith("== "));
  return lines.slice(start + 1, end < 0 ? undefined : end).filter((l) => l !== "");
}

const STDOUT_KEPT = 16 * 1024 * 1024;

export class AppServer {
  private constructor(
    readonly variant: Variant,
    readonly proc: Bun.Subprocess<"ignore", "pipe", "pipe">,
    readonly port: number,
    private readonly errText: () => string,
    private readonly outText: () => string,
  ) {}

  get http(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get ws(): string {
    return `ws://127.0.0.1:${this.port}/stream`;
  }

  /** Everything the server wrote to stderr so far. */
  get stderr(): string {
    return this.errText();
  }

  /** What the server wrote to stdout so far (its last 16 MiB), the report and the "serving" line included. */
  get stdout(): string {
    return this.outText();
  }

  /**
   * Starts `bun main.js <input> --serve --port=0 --host=127.0.0.1`, reads the port it prints, waits for /health.
   * Rejects (after killing the child) when it exits or does not answer within `timeoutMs`.
   */
  static async start(
    variant: Variant,
    opts: { env?: Record<string, string>; args?: string[]; timeoutMs?: number } = {},
  ): Promise<AppServer> {
    const main = await built(variant);
    const input = tempFile("empty.jsonl", "");
    const proc = Bun.spawn([process.execPath, main, input, "--serve", "--port=0", "--host=127.0.0.1", ...(opts.args ?? [])], {
      cwd: TMP(),
      env: childEnv(opts.env),
      stdin: "ignore",
      stdout: "pipe",
      stderr: "pipe",
    });
    children.add(proc);
    let err = "";
    void (async () => {
      const decoder = new TextDecoder();
      for await (const chunk of proc.stderr) err += decoder.decode(chunk, { stream: true });
    })();
    const deadline = Date.now() + (opts.timeoutMs ?? 20_000);
    try {
      const reader = proc.stdout.getReader();
      const decoder = new TextDecoder();
      let text = "";
      let port = 0;
      while (!port) {
        const chunk = await Promise.race([reader.read(), Bun.sleep(Math.max(1, deadline - Date.now())).then(() => "timeout" as const)]);
        if (chunk === "timeout") throw new Error(`${variant.name}: no "serving" line within the deadline`);
        if (chunk.done) throw new Error(`${variant.name}: exited before serving (code ${await proc.exited}): ${err}`);
        text += decoder.decode(chunk.value, { stream: true });
        const m = /serving ws:\/\/127\.0\.0\.1:(\d+)\/stream/.exec(text);
        if (m) port = Number(m[1]);
      }
      // Keep draining stdout so the child never blocks on a full pipe; keep its tail for tests that read it.
      void (async () => {
        try {
          for (;;) {
            const chunk = await reader.read();
            if (chunk.done) break;
            text += decoder.decode(chunk.value, { stream: true });
            if (text.length > STDOUT_KEPT) text = text.slice(text.length - STDOUT_KEPT / 2);
          }
        } catch {}
      })();
      const server = new AppServer(
        variant,
        proc,
        port,
        () => err,
        () => text,
      );
      for (;;) {
        try {
          const res = await fetch(`${server.http}/health`);
          if (res.status === 200 && (await res.text()) === "ok") return server;
        } catch {}
        if (Date.now() > deadline) throw new Error(`${variant.name}: /health did not answer`);
        await Bun.sleep(25);
      }
    } catch (error) {
      proc.kill("SIGKILL");
      children.delete(proc);
      throw error;
    }
  }

  /** SIGTERM (or `signal`) and wait for the exit. */
  async stop(signal: NodeJS.Signals = "SIGTERM"): Promise<number> {
    this.proc.kill(signal);
    const code = await Promise.race([this.proc.exited, Bun.sleep(5_000).then(() => undefined)]);
    if (code === undefined) {
      this.proc.kill("SIGKILL");
      await this.proc.exited;
    }
    children.delete(this.proc);
    return this.proc.exitCode ?? -1;
  }

  post(path: string, body: string, token?: string): Promise<Response> {
    return fetch(`${this.http}${path}`, { method: "POST", body, headers: token ? { Authorization: `Bearer ${token}` } : {} });
  }

  /** Status of a WebSocket upgrade request that is expected to be refused (a granted one is closed at once). */
  async upgradeStatus(query: string): Promise<number> {
    const res = await fetch(`${this.http}/stream?${query}`, {
      headers: {
        Connection: "Upgrade",
        Upgrade: "websocket",
        "Sec-WebSocket-Version": "13",
        "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
      },
    });
    await res.body?.cancel().catch(() => {});
    return res.status;
  }
}

export async function stopAll(servers: Iterable<AppServer | undefined>): Promise<void> {
  await Promise.all([...servers].map((s) => s?.stop("SIGKILL")));
}

/**
 * Serves each variant for the tests of one file: started in beforeAll (all of them, or the file fails with every
 * reason), killed in afterAll. Returns the lookup a test uses for its variant's server.
 */
export function serveVariants(variants: () => Variant[], env: Record<string, string>): (v: Variant) => AppServer {
  const servers = new Map<string, AppServer>();
  beforeAll(async () => {
    const started = await Promise.allSettled(variants().map((v) => AppServer.start(v, { env })));
    for (const s of started) if (s.status === "fulfilled") servers.set(s.value.variant.name, s.value);
    const failed = started.filter((s) => s.status === "rejected");
    if (failed.length) throw new Error(failed.map((f) => String((f as PromiseRejectedResult).reason)).join("\n"));
  }, 120_000);
  afterAll(() => stopAll(servers.values()));
  return (v) => {
    const s = servers.get(v.name);
    if (!s) throw new Error(`no server for ${v.name}`);
    return s;
  };
}

// ---- tokens (the wire format: base64url(JSON claims) "." base64url(HMAC-SHA256)) ----------------

export interface Claims {
  sub: string;
  role: "viewer" | "operator" | "admin";
  scope: string;
  tenant?: string;
  exp: number;
}

export async function sign(claims: Claims | Record<string, unknown>, secret: string): Promise<string> {
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const payload = new TextEncoder().encode(JSON.stringify(claims));
  const sig = new Uint8Array(await crypto.subtle.sign("HMAC", key, payload));
  return `${Buffer.from(payload).toString("base64url")}.${Buffer.from(sig).toString("base64url")}`;
}

/** A token valid for an hour. */
export function token(secret: string, role: Claims["role"], scope: string, tenant: string, sub = `${role}@${tenant}`): Promise<string> {
  return sign({ sub, role, scope, tenant, exp: Math.floor(Date.now() / 1000) + 3600 }, secret);
}

// ---- WebSocket client ----------------------------------------------------------------------------

export interface Client {
  ws: WebSocket;
  /** The next message (JSON), or throws after `timeoutMs`. */
  next(timeoutMs?: number): Promise<any>;
  /** Messages received and not yet taken. */
  pending(): number;
  /** Resolves with the close code. */
  closed: Promise<number>;
  close(): Promise<number>;
}

export function connect(url: string, timeoutMs = 10_000): Promise<Client> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    const queue: unknown[] = [];
    const waiters: ((m: unknown) => void)[] = [];
    let setCode!: (code: number) => void;
    const closed = new Promise<number>((r) => (setCode = r));
    const timer = setTimeout(() => {
      ws.close();
      reject(new Error(`connect timed out: ${url}`));
    }, timeoutMs);
    ws.onmessage = (e) => {
      const m = JSON.parse(String(e.data));
      const w = waiters.shift();
      if (w) w(m);
      else queue.push(m);
    };
    ws.onclose = (e) => {
      clearTimeout(timer);
      setCode(e.code);
      reject(new Error(`closed before open (${e.code}): ${url}`));
    };
    ws.onopen = () => {
      clearTimeout(timer);
      resolve({
        ws,
        closed,
        pending: () => queue.length,
        next(ms = 10_000) {
          if (queue.length) return Promise.resolve(queue.shift());
          return new Promise((res, rej) => {
            const t = setTimeout(() => {
              const i = waiters.indexOf(w);
              if (i >= 0) waiters.splice(i, 1);
              rej(new Error(`no message within ${ms} ms`));
            }, ms);
            const w = (m: unknown) => {
              clearTimeout(t);
              res(m);
            };
            waiters.push(w);
          });
        },
        close() {
          ws.close();
          return Promise.race([closed, Bun.sleep(5_000).then(() => -1)]);
        },
      });
    };
  });
}

/** JSON lines of metrics. */
export function lines(metrics: Record<string, unknown>[]): string {
  return metrics.map((m) => JSON.stringify(m)).join("\n");
}

/** Polls `check` until it is true or `timeoutMs` passes. */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 5_000, everyMs = 20): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await Bun.sleep(everyMs);
  }
}
