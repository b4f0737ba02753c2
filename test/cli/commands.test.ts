/**
 * Every command as a function, in this process: the one argument parser, usage errors (exit 2) before any
 * work, --help, and the commands not covered by their own suites (serve until its signal, check-links,
 * start stopping at the first failing step).
 */
import { afterAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs, type CommandSpec } from "../../src/cli/args.ts";
import { memoryIo } from "../../src/cli/io.ts";
import { main as serve } from "../../src/cli/serve.ts";
import { makeProject, removeProject, REPO, runMain, type Command } from "../helpers/project.ts";

// Processes and builds on a loaded 2-core machine: seconds, not the default 5.
setDefaultTimeout(60_000);

const TMP = mkdtempSync(join(tmpdir(), "takeoff-commands-"));
afterAll(() => rmSync(TMP, { recursive: true, force: true }));

describe("the argument parser", () => {
  const spec: CommandSpec = {
    usage: "x [--out DIR] [--quiet] [--format text|json]",
    options: {
      "--out": { value: "DIR", help: "where" },
      "--quiet": { help: "hush" },
      "--format": {
        value: "text|json",
        help: "how",
        check: (v) => (v === "text" || v === "json" ? undefined : `--format takes "text" or "json", not ${JSON.stringify(v)}`),
      },
    },
    aliases: { "--json": ["--format", "json"] },
    positionals: 1,
  };
  const ok = (argv: string[]) => {
    const r = parseArgs(argv, spec);
    if (!("args" in r)) throw new Error(JSON.stringify(r));
    return { values: Object.fromEntries(r.args.values), flags: [...r.args.flags], positionals: r.args.positionals };
  };
  const usage = (argv: string[]) => {
    const r = parseArgs(argv, spec);
    return "usage" in r ? r.usage : undefined;
  };

  test("values as `--name value` or `--name=value`, flags, aliases, positionals", () => {
    expect(ok(["--out", "a", "--quiet", "site"])).toEqual({ values: { "--out": "a" }, flags: ["--quiet"], positionals: ["site"] });
    expect(ok(["--out=a=b", "--json"])).toEqual({ values: { "--out": "a=b", "--format": "json" }, flags: [], positionals: [] });
    expect(ok(["--", "--not-an-option"]).positionals).toEqual(["--not-an-option"]);
  });

  test("anything else is a usage error, in one line", () => {
    expect(usage(["--frobnicate"])).toBe('unknown option "--frobnicate"');
    expect(usage(["--out"])).toBe("--out needs a value");
    expect(usage(["--out", "--quiet"])).toBe("--out needs a value");
    expect(usage(["--out="])).toBe("--out needs a value");
    expect(usage(["--quiet=yes"])).toBe("--quiet takes no value");
    expect(usage(["--format", "xml"])).toBe('--format takes "text" or "json", not "xml"');
    expect(usage(["a", "b"])).toBe('too many arguments: "b"');
  });

  test("--help lists every option", () => {
    const r = parseArgs(["--help"], spec);
    expect("help" in r && r.help).toBe(
      "usage: x [--out DIR] [--quiet] [--format text|json]\n  --out DIR           where\n  --quiet             hush\n  --format text|json  how\n  --json              same as --format json\n",
    );
  });
});

describe("every command", () => {
  const commands: Command[] = ["check", "generate", "verify", "build-site", "serve", "check-links", "start"];

  test("refuses an unknown option with exit 2 before doing anything, and answers --help with exit 0", async () => {
    const dir = join(TMP, "empty");
    mkdirSync(dir, { recursive: true });
    for (const command of commands) {
      const bad = await runMain(command, dir, ["--frobnicate"]);
      expect({ command, ...bad }).toEqual({ command, exitCode: 2, stdout: "", stderr: 'unknown option "--frobnicate"\n' });
      const help = await runMain(command, dir, ["--help"]);
      expect(help.exitCode).toBe(0);
      expect(help.stdout).toStartWith(`usage: bun scripts/${command}.ts`);
    }
  });

  test("option values are checked before any work", async () => {
    expect(await runMain("verify", TMP, ["--today", "2026-02-30"])).toEqual({
      exitCode: 2,
      stdout: "",
      stderr: '--today takes a date written YYYY-MM-DD, not "2026-02-30"\n',
    });
    expect(await runMain("check", TMP, ["--format", "xml"])).toEqual({
      exitCode: 2,
      stdout: "",
      stderr: '--format takes "text" or "json", not "xml"\n',
    });
    expect(await runMain("serve", TMP, ["--port", "http"])).toEqual({
      exitCode: 2,
      stdout: "",
      stderr: '--port takes a number from 0 to 65535, not "http"\n',
    });
    expect(await runMain("check-links", TMP, ["a", "b"])).toEqual({ exitCode: 2, stdout: "", stderr: 'too many arguments: "b"\n' });
  });
});

describe("serve", () => {
  test("serves the folder until its signal aborts, then exits 0", async () => {
    const site = join(TMP, "site");
    mkdirSync(site, { recursive: true });
    writeFileSync(join(site, "index.html"), "<!doctype html><title>t</title><p>hello</p>");
    const stop = new AbortController();
    const io = memoryIo({ cwd: TMP, env: {}, signal: stop.signal });
    const running = serve(["--dir", "site", "--port", "0", "--host", "127.0.0.1"], io);
    for (let i = 0; i < 100 && !io.out.includes("Serving"); i++) await Bun.sleep(10);
    const url = /http:\/\/\S+\//.exec(io.out)?.[0];
    expect(url).toBeDefined();
    const res = await fetch(url!);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("hello");
    stop.abort();
    expect(await running).toBe(0);
    expect(io.out).toBe(`Serving site/ at ${url} (Ctrl+C to stop)\n`);
  });

  test("a folder that does not exist is exit 1 with one line, not a stack trace", async () => {
    const r = await runMain("serve", TMP, ["--dir", "nowhere", "--port", "0"]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toBe(`serve: ${join(TMP, "nowhere")} does not exist: run npm run build first\n`);
  });
});

describe("check-links", () => {
  test("every link resolves: exit 0; a broken one: exit 1, named", async () => {
    const site = join(TMP, "links");
    mkdirSync(join(site, "a"), { recursive: true });
    writeFileSync(join(site, "index.html"), '<!doctype html><title>i</title><a href="/a/">a</a>');
    writeFileSync(join(site, "a", "index.html"), '<!doctype html><title>a</title><a href="/">home</a>');
    const good = await runMain("check-links", TMP, ["links"]);
    expect(good.exitCode).toBe(0);
    expect(good.stderr).toContain("check-links: 2 links in 2 pages, all resolve");
    writeFileSync(join(site, "a", "index.html"), '<!doctype html><title>a</title><a href="/missing/">gone</a>');
    const bad = await runMain("check-links", TMP, ["links"]);
    expect(bad.exitCode).toBe(1);
    expect(bad.stderr).toContain("/missing/");
  });
});

describe("start", () => {
  /** A plan of stand-in steps that record when they run; serve resolves only when the test lets it. */
  function plan(codes: Record<string, number> = {}) {
    const order: string[] = [];
    let stop: (code: number) => void = () => {};
    const step = (name: string) =>
      [
        name,
        async () => async () => {
          order.push(name);
          return codes[name] ?? 0;
        },
      ] as [string, () => Promise<(a: string[], io: unknown) => Promise<number>>];
    const serve = () => {
      order.push("serve");
      return new Promise<number>((done) => (stop = done));
    };
    const [check, generate, build, verify, prove] = ["check", "generate", "build", "verify", "prove"].map(step) as [
      ReturnType<typeof step>,
      ReturnType<typeof step>,
      ReturnType<typeof step>,
      ReturnType<typeof step>,
      ReturnType<typeof step>,
    ];
    return {
      order,
      stop: (code: number) => stop(code),
      plan: {
        before: [check, generate, build],
        serve,
        whileServing: [
          [verify, build],
          [prove, build],
        ] as const,
      },
    };
  }

  test("serves the site as soon as it is built, then lands each evidence step in it with a rebuild", async () => {
    const { startWith, BEFORE_SERVING, WHILE_SERVING } = await import("../../src/cli/start.ts");
    // The real plan: nothing slow (verify, prove) stands before the server.
    expect(BEFORE_SERVING.map(([name]) => name)).toEqual(["check", "generate", "build"]);
    expect(WHILE_SERVING.map(([evidence, rebuild]) => [evidence[0], rebuild[0]])).toEqual([
      ["verify", "build"],
      ["prove", "build"],
    ]);
    const p = plan();
    const io = memoryIo({ cwd: REPO });
    const started = startWith(p.plan, io);
    await Bun.sleep(0);
    while (p.order.length < 8) await Bun.sleep(5);
    expect(p.order).toEqual(["check", "generate", "build", "serve", "verify", "build", "prove", "build"]);
    expect(io.err).toContain("npm start: the site now shows what prove proved.");
    p.stop(0);
    expect(await started).toBe(0);
  });

  test("a failing verify or prove is reported and the site keeps being served; a failing check serves nothing", async () => {
    const { startWith } = await import("../../src/cli/start.ts");
    const failing = plan({ verify: 1 });
    const io = memoryIo({ cwd: REPO });
    const started = startWith(failing.plan, io);
    while (!io.err.includes('step "verify" failed')) await Bun.sleep(5);
    expect(failing.order).toEqual(["check", "generate", "build", "serve", "verify"]);
    expect(io.err).toContain("the site keeps showing only what the evidence backs");
    failing.stop(0);
    expect(await started).toBe(0);

    const broken = plan({ check: 1 });
    expect(await startWith(broken.plan, memoryIo({ cwd: REPO }))).toBe(1);
    expect(broken.order).toEqual(["check"]);
  });

  test("stops at the first failing step with its exit code", async () => {
    const dir = makeProject();
    try {
      const features = join(dir, "data/features.yaml");
      writeFileSync(features, readFileSync(features, "utf8").replace("tier: Internal", "tier: Gold"));
      const r = await runMain("start", dir);
      expect(r.exitCode).toBe(1);
      expect(r.stderr).toStartWith("\n▶ check\n");
      expect(r.stderr).toContain("invalid-enum");
      expect(r.stderr).toEndWith('\nnpm start: step "check" failed (exit 1); fix the errors above and run it again.\n');
      expect(r.stderr).not.toContain("▶ generate");
    } finally {
      removeProject(dir);
    }
  });
});
