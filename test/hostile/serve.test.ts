/**
 * scripts/serve.ts against hostile requests and a hostile dist/: redirects are
 * paths only (no open redirect through the request line or Host), a missing or malformed Host is a 400
 * and never Bun's development error page, HEAD carries GET's headers, the 404 page is a 404 under every
 * name, links and special files inside the served folder are never followed, every response carries the
 * security headers, traversal in any encoding stays inside, and 300 concurrent connections see no error.
 * Then the built fixture site in Chromium: its own scripts pass the Content-Security-Policy (search
 * included) and an injected inline script does not run.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CONTENT_SECURITY_POLICY, serveSite } from "../../src/site/serve.ts";
import { BROWSER_SUITES, buildFixtureSite, DIST, errorsOf, openSite, type SiteSession } from "../site/harness.ts";

setDefaultTimeout(30_000);

interface Raw {
  status: number;
  headers: Record<string, string>;
  body: string;
  text: string;
}

/** Sends bytes as they are (no client normalises the path or adds a Host) and reads the whole answer. */
function raw(port: number, request: string, timeout = 10_000): Promise<Raw> {
  return new Promise((resolveRaw, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect(port, "127.0.0.1", () => socket.write(request));
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no complete answer within ${timeout} ms to ${JSON.stringify(request.split("\r\n")[0])}`));
    }, timeout);
    socket.on("data", (b: Buffer) => chunks.push(b));
    socket.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    socket.on("close", () => {
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString("latin1");
      const end = text.indexOf("\r\n\r\n");
      const head = end >= 0 ? text.slice(0, end) : text;
      const [statusLine, ...lines] = head.split("\r\n");
      const headers: Record<string, string> = {};
      for (const l of lines) {
        const i = l.indexOf(":");
        if (i > 0) headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
      }
      resolveRaw({
        status: Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine ?? "")?.[1] ?? 0),
        headers,
        body: end >= 0 ? text.slice(end + 4) : "",
        text,
      });
    });
  });
}

const get = (port: number, target: string, host: string | null = "127.0.0.1", method = "GET") =>
  raw(port, `${method} ${target} HTTP/1.1\r\n${host === null ? "" : `Host: ${host}\r\n`}Connection: close\r\n\r\n`);

const SECRET = "TOP-SECRET-OUTSIDE-THE-SITE";

function expectSecurityHeaders(r: Raw, what: string): void {
  const h = r.headers;
  expect({ what, csp: h["content-security-policy"] ?? "" }).toEqual({ what, csp: expect.stringContaining("frame-ancestors 'none'") });
  expect({ what, csp: h["content-security-policy"] }).toEqual({ what, csp: expect.stringContaining("default-src 'none'") });
  expect({ what, nosniff: h["x-content-type-options"], frame: h["x-frame-options"], referrer: h["referrer-policy"] }).toEqual({
    what,
    nosniff: "nosniff",
    frame: "DENY",
    referrer: expect.stringMatching(/^(strict-origin-when-cross-origin|no-referrer)$/),
  });
}

describe("serve.ts against hostile requests", () => {
  let tmp: string;
  let site: string;
  let server: ReturnType<typeof serveSite>;
  let port: number;

  beforeAll(() => {
    tmp = mkdtempSync(join(tmpdir(), "takeoff-serve-"));
    site = join(tmp, "site");
    mkdirSync(join(site, "features"), { recursive: true });
    mkdirSync(join(site, "x"), { recursive: true });
    writeFileSync(join(site, "index.html"), "<p>home</p>");
    writeFileSync(join(site, "features", "index.html"), "<p>features</p>");
    writeFileSync(join(site, "x", "index.html"), "<p>x</p>");
    mkdirSync(join(site, "build-variants", "compare", "prod", "lite"), { recursive: true });
    writeFileSync(join(site, "build-variants", "compare", "index.html"), "<p>compare form</p>");
    writeFileSync(join(site, "build-variants", "compare", "prod", "lite", "index.html"), "<p>prod vs lite</p>");
    writeFileSync(join(site, "404.html"), "<p>missing</p>");
    writeFileSync(join(site, "real.txt"), "real file\n");
    writeFileSync(join(site, "app.js"), "console.log(1);\n");
    writeFileSync(join(site, ".takeoff-site"), "{}\n");
    writeFileSync(join(tmp, "secret.txt"), SECRET);
    symlinkSync("/etc/passwd", join(site, "leak.txt"));
    symlinkSync(join(tmp, "secret.txt"), join(site, "secret-link.txt"));
    symlinkSync("real.txt", join(site, "inner.txt"));
    symlinkSync("/etc", join(site, "etc"));
    symlinkSync(tmp, join(site, "up"));
    Bun.spawnSync(["mkfifo", join(site, "pipe.txt")]);
    server = serveSite({ dir: site, port: 0, hostname: "127.0.0.1" });
    port = server.port!;
  });
  afterAll(() => {
    server?.stop(true);
    rmSync(tmp, { recursive: true, force: true });
  });

  test("redirects carry only a path: no scheme or host from the request line or the Host header", async () => {
    for (const target of [
      "//evil.com/..%2ffeatures",
      "/\\evil.com/..%2ffeatures",
      "//evil.com%2f..%2ffeatures",
      "/features",
      "//features",
      "/%2ffeatures",
      "/./x/../features",
    ]) {
      for (const host of ["evil.com", "127.0.0.1"]) {
        const r = await get(port, target, host);
        expect({ target, host, status: r.status, location: r.headers.location }).toEqual({
          target,
          host,
          status: 301,
          location: "/features/",
        });
      }
    }
    const q = await get(port, "/x?next=//evil.com/", "evil.com");
    expect(q.status).toBe(301);
    expect(q.headers.location).toBe("/x/?next=//evil.com/");
    // Whatever a browser makes of it, the target stays on this origin.
    expect(new URL(q.headers.location!, "http://site.test/").origin).toBe("http://site.test");
  });

  test("the compare form's ?a=&b= redirects to an existing pair page only; anything else gets the form, never an echo", async () => {
    for (const target of [
      "/build-variants/compare/?a=prod&b=lite",
      "/build-variants/compare/?b=lite&a=prod&x=1",
      "/build-variants/compare/./?a=prod&b=lite",
    ]) {
      const r = await get(port, target, "evil.com");
      expect({ target, status: r.status, location: r.headers.location }).toEqual({
        target,
        status: 302,
        location: "/build-variants/compare/prod/lite/",
      });
      expectSecurityHeaders(r, target);
    }
    // Without the slash: first the folder's redirect (query kept), then the pair.
    const slashless = await get(port, "/build-variants/compare?a=prod&b=lite");
    expect({ status: slashless.status, location: slashless.headers.location }).toEqual({
      status: 301,
      location: "/build-variants/compare/?a=prod&b=lite",
    });
    const hostile = [
      "?a=prod",
      "?a=prod&b=prod",
      "?a=lite&b=prod",
      "?a=prod&b=lite&b=dev",
      "?a=Prod&b=lite",
      "?a=prod&b=lite%2f..%2f..",
      "?a=%2f%2fevil.com&b=lite",
      "?a=prod&b=%0d%0aSet-Cookie:x=1",
      "?a=prod&b=..",
      "?a=prod&b=lite%00",
      `?a=prod&b=${"a".repeat(64)}`,
      "?a[]=prod&b=lite",
      "?a=https://evil.com&b=lite",
    ];
    for (const q of hostile) {
      const r = await get(port, `/build-variants/compare/${q}`, "evil.com");
      expect({ q, status: r.status, location: r.headers.location, body: r.body }).toEqual({
        q,
        status: 200,
        location: undefined,
        body: "<p>compare form</p>",
      });
      expect(r.text).not.toContain("Set-Cookie");
    }
    // Only the compare folder answers a query this way.
    expect((await get(port, "/features/?a=prod&b=lite")).status).toBe(200);
    expect((await get(port, "/features/?a=prod&b=lite")).headers.location).toBeUndefined();
  });

  test("a missing or malformed Host is a 400 and nothing ever shows Bun's development error page", async () => {
    expect(server.development).toBe(false);
    const cases: [string, string][] = [
      ["HTTP/1.0 without Host", "GET / HTTP/1.0\r\n\r\n"],
      ["HTTP/1.0 without Host, odd path", "GET //evil.com%2f..%2ffeatures HTTP/1.0\r\n\r\n"],
      ["empty Host", "GET / HTTP/1.1\r\nHost: \r\nConnection: close\r\n\r\n"],
      ["Host with a space", "GET / HTTP/1.1\r\nHost: a b\r\nConnection: close\r\n\r\n"],
      ["Host with userinfo", "GET / HTTP/1.1\r\nHost: x@evil.com\r\nConnection: close\r\n\r\n"],
      ["Host with a path", "GET / HTTP/1.1\r\nHost: evil.com/x\r\nConnection: close\r\n\r\n"],
      ["two Host headers", "GET / HTTP/1.1\r\nHost: a.test\r\nHost: b.test\r\nConnection: close\r\n\r\n"],
    ];
    for (const [what, request] of cases) {
      const r = await raw(port, request);
      expect({ what, status: r.status }).toEqual({ what, status: 400 });
      expectSecurityHeaders(r, what);
    }
    for (const [target, status] of [
      ["/%zz", 400],
      ["/a%00b", 400],
      ["//evil.com%2f..%2ffeatures", 301],
      ["/%2e%2e%2f%2e%2e%2f", 403],
    ] as const) {
      const r = await get(port, target);
      expect({ target, status: r.status }).toEqual({ target, status });
    }
    const cwd = process.cwd();
    for (const request of cases.map((c) => c[1]).concat("GET /%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")) {
      const r = await raw(port, request);
      expect(r.status).not.toBe(500);
      for (const leak of [cwd, "serve.ts", "    at ", "<script"]) expect(r.text).not.toContain(leak);
    }
  });

  test("HEAD answers with GET's status and headers, the real Content-Length, and no body", async () => {
    for (const target of ["/", "/real.txt", "/app.js", "/nope/", "/features"]) {
      const g = await get(port, target);
      const h = await get(port, target, "127.0.0.1", "HEAD");
      const strip = (x: Record<string, string>) => Object.fromEntries(Object.entries(x).filter(([k]) => k !== "date"));
      expect({ target, status: h.status, headers: strip(h.headers) }).toEqual({ target, status: g.status, headers: strip(g.headers) });
      expect(h.body).toBe("");
      expect(Number(h.headers["content-length"])).toBe(Buffer.byteLength(g.body, "latin1"));
    }
    expect(Number((await get(port, "/real.txt", "127.0.0.1", "HEAD")).headers["content-length"])).toBe(
      statSync(join(site, "real.txt")).size,
    );
  });

  test("the 404 page answers with status 404 under every name", async () => {
    for (const target of ["/404", "/404.html", "/404/", "/nope", "/nope/", "/x/404.html"]) {
      const r = await get(port, target);
      expect({ target, status: r.status, body: r.body }).toEqual({ target, status: 404, body: "<p>missing</p>" });
    }
    expect((await get(port, "/real.txt")).status).toBe(200);
  });

  test("links and special files inside the served folder are never followed", async () => {
    for (const target of [
      "/leak.txt",
      "/secret-link.txt",
      "/inner.txt",
      "/etc/passwd",
      "/etc/",
      "/etc",
      "/up/secret.txt",
      "/pipe.txt",
      "/.takeoff-site",
    ]) {
      const r = await get(port, target);
      expect({ target, status: r.status }).toEqual({ target, status: 404 });
      expect(r.body).not.toContain("root:");
      expect(r.body).not.toContain(SECRET);
    }
    const real = await get(port, "/real.txt");
    expect(real.status).toBe(200);
    expect(real.body).toBe("real file\n");
  });

  test("every response carries the security headers", async () => {
    const responses: [string, Raw][] = [
      ["200 page", await get(port, "/")],
      ["200 script", await get(port, "/app.js")],
      ["301", await get(port, "/features")],
      ["400", await raw(port, "GET / HTTP/1.0\r\n\r\n")],
      ["403", await get(port, "/%2e%2e%2f")],
      ["404", await get(port, "/nope/")],
      ["405", await get(port, "/", "127.0.0.1", "DELETE")],
      ["HEAD", await get(port, "/", "127.0.0.1", "HEAD")],
    ];
    expect(responses.map(([what, r]) => `${what} ${r.status}`)).toEqual([
      "200 page 200",
      "200 script 200",
      "301 301",
      "400 400",
      "403 403",
      "404 404",
      "405 405",
      "HEAD 200",
    ]);
    for (const [what, r] of responses) expectSecurityHeaders(r, what);
  });

  test("path traversal in every encoding stays inside the folder", async () => {
    const targets = [
      "/../secret.txt",
      "/%2e%2e/secret.txt",
      "/%2E%2E/secret.txt",
      "/..%2fsecret.txt",
      "/%2e%2e%2fsecret.txt",
      "/x/..%2f..%2fsecret.txt",
      "/x/%2e%2e%2f%2e%2e%2fsecret.txt",
      "/.%2e/secret.txt",
      "/..%5csecret.txt",
      "/%5c..%5csecret.txt",
      "/%252e%252e/secret.txt",
      "/%c0%ae%c0%ae/secret.txt",
      "/..;/secret.txt",
      "//..//secret.txt",
      "/\\..\\secret.txt",
      "/%2f..%2f..%2fsecret.txt",
      "/%2fetc%2fpasswd",
      "/..%2f..%2f..%2f..%2fetc%2fpasswd",
      "/x/..%00/secret.txt",
    ];
    // A folder without links, so only the path handling is under test.
    const clean = join(tmp, "clean");
    mkdirSync(join(clean, "x"), { recursive: true });
    writeFileSync(join(clean, "x", "index.html"), "<p>x</p>");
    const plain = serveSite({ dir: clean, port: 0, hostname: "127.0.0.1" });
    try {
      for (const target of targets) {
        const r = await get(plain.port!, target);
        expect({ target, ok: r.status === 200 || r.status === 500 }).toEqual({ target, ok: false });
        expect(r.body).not.toContain(SECRET);
        expect(r.body).not.toContain("root:");
      }
    } finally {
      plain.stop(true);
    }
  });

  test("300 concurrent connections for 3 s: no error", async () => {
    const until = performance.now() + 3_000;
    let done = 0;
    const failures: string[] = [];
    const worker = async (i: number) => {
      const paths = ["/", "/real.txt", "/features/", "/nope/"];
      while (performance.now() < until) {
        const path = paths[(i + done) % paths.length]!;
        try {
          const r = await fetch(`http://127.0.0.1:${port}${path}`);
          await r.arrayBuffer();
          if (r.status !== (path === "/nope/" ? 404 : 200)) failures.push(`${path}: ${r.status}`);
          done++;
        } catch (e) {
          failures.push(`${path}: ${(e as Error).message}`);
        }
      }
    };
    await Promise.all(Array.from({ length: 300 }, (_, i) => worker(i)));
    expect(failures.slice(0, 5)).toEqual([]);
    expect(done).toBeGreaterThan(300);
  }, 60_000);
});

/** Hashes the policy allows for inline scripts. */
function allowedScriptHashes(): Set<string> {
  const directive = CONTENT_SECURITY_POLICY.split(";")
    .map((d) => d.trim())
    .find((d) => d.startsWith("script-src "))!;
  return new Set([...directive.matchAll(/'sha256-([^']+)'/g)].map((m) => m[1]!));
}

describe("the built site and its Content-Security-Policy", () => {
  beforeAll(async () => {
    await buildFixtureSite();
  }, 240_000);

  test("every inline script in the built pages is allowed by hash (no other inline script exists)", async () => {
    const allowed = allowedScriptHashes();
    expect(allowed.size).toBeGreaterThan(0);
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/script-src[^;]*'unsafe-(inline|eval)'/);
    const pages: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const full = join(dir, name);
        if (name === "pagefind" || name === "variants") continue;
        if (statSync(full).isDirectory()) walk(full);
        else if (name.endsWith(".html")) pages.push(full);
      }
    };
    walk(DIST);
    expect(pages.length).toBeGreaterThan(10);
    const refused: string[] = [];
    let inline = 0;
    for (const page of pages) {
      // A real HTML parser: script-like text inside attributes or escaped text is not a script.
      const scripts: { attrs: { src: string | null; type: string | null }; text: string }[] = [];
      await new HTMLRewriter()
        .on("script", {
          element(el) {
            scripts.push({ attrs: { src: el.getAttribute("src"), type: el.getAttribute("type") }, text: "" });
          },
          text(t) {
            scripts.at(-1)!.text += t.text;
          },
        })
        .transform(new Response(readFileSync(page)))
        .arrayBuffer();
      for (const { attrs, text } of scripts) {
        if (attrs.src !== null) continue;
        const type = attrs.type?.trim().toLowerCase();
        if (type && !["module", "text/javascript", "application/javascript"].includes(type)) continue; // data blocks never run
        inline++;
        const hash = new Bun.CryptoHasher("sha256").update(text).digest("base64");
        if (!allowed.has(hash)) refused.push(`${page.slice(DIST.length)}: ${text.slice(0, 80)}`);
      }
    }
    expect(refused.slice(0, 5)).toEqual([]);
    expect(inline).toBeGreaterThanOrEqual(pages.length);
  });
});

describe.skipIf(!BROWSER_SUITES)("Content-Security-Policy in Chromium", () => {
  let site: SiteSession;
  beforeAll(async () => {
    site = await openSite();
  }, 240_000);
  afterAll(async () => {
    await site?.close();
  });

  test("the site's own scripts run with zero CSP violations (search included); an injected inline script does not run", async () => {
    const page = await site.page();
    const refused: string[] = [];
    const watch = (text: string) => {
      if (/Content Security Policy|Refused to/i.test(text)) refused.push(text);
    };
    page.on("console", (m) => watch(m.text()));
    page.on("worker", (w) => w.on("console", (m) => watch(`worker: ${m.text()}`)));
    // Init scripts are not subject to the page's CSP: this listener sees every violation of the document.
    await page.addInitScript(() => {
      const w = window as unknown as { __csp: string[] };
      w.__csp = [];
      document.addEventListener("securitypolicyviolation", (e) =>
        w.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`),
      );
    });
    const violations = () => page.evaluate(() => (window as unknown as { __csp: string[] }).__csp);
    for (const path of ["/", "/features/", "/features/DEBUG/", "/no-such-page/"]) {
      const res = await page.goto(`${site.base}${path}`, { waitUntil: "load" });
      expect(res!.headers()["content-security-policy"]).toBe(CONTENT_SECURITY_POLICY);
      // The inline theme script ran (it adds the js class) and the bundled site script ran (it shows the search button).
      await page.waitForSelector("[data-search-open]:not([hidden])");
      expect({
        path,
        js: await page.evaluate(() => document.documentElement.classList.contains("js")),
        violations: await violations(),
      }).toEqual({ path, js: true, violations: [] });
    }
    // The table script (a bundled module) sorts.
    await page.goto(`${site.base}/features/`);
    await page.locator("[data-mt] thead button").first().click();
    await page.waitForSelector("[data-mt] thead th[aria-sort]");
    // Search: Pagefind's module, its worker and its WebAssembly.
    await page.click("[data-search-open]");
    await page.fill("dialog.search input", "debug");
    await page.locator('dialog.search .search-results a[href="/features/DEBUG/"]').waitFor({ timeout: 20_000 });
    expect(await violations()).toEqual([]);
    expect(refused).toEqual([]);
    expect(errorsOf(page)).toEqual([]);

    // The policy is in force: an inline script injected into the page is blocked and reported.
    await page.evaluate(() => {
      const s = document.createElement("script");
      s.textContent = "window.__injected = 1";
      document.head.append(s);
    });
    await page.waitForFunction(() => (window as unknown as { __csp: string[] }).__csp.length > 0);
    expect(await page.evaluate(() => (window as unknown as { __injected?: number }).__injected)).toBeUndefined();
    expect((await violations())[0]).toMatch(/^script-src-elem inline/);
    await page.context().close();
  }, 90_000);
});
