/**
 * npm run serve: serves dist/ at http://localhost:4321 with Bun.serve (the command is src/cli/serve.ts).
 *
 * Folders answer with their index.html (a folder URL without its trailing slash redirects to it), files with
 * the right Content-Type, anything else with dist/404.html and status 404 (so do /404 and /404.html).
 *
 * Every request is untrusted:
 * - the path is percent-decoded once, split into segments and normalised (`.`, `..`, empty segments); a
 *   path that climbs above the folder is refused, a NUL or bad escape is a 400, hidden names (`.x`) are
 *   never served;
 * - a redirect's Location is only a path rebuilt from those segments, re-encoded (`/features/`): never a
 *   scheme or host, never `//` at the start, so neither the request line nor the Host header can send a
 *   browser elsewhere; the compare form's `?a=…&b=…` redirects to the pair's page only when both are
 *   variant names whose page exists (anything else gets the form);
 * - a missing or malformed Host header (HTTP/1.0 without Host included) is a 400, not a crash;
 * - symbolic links are never followed: a file is served only when its real path is exactly the requested
 *   path inside the folder and it is a regular file;
 * - HEAD answers with GET's headers (real Content-Length) and no body;
 * - production mode: an unexpected error is a plain 500 without paths or source lines;
 * - every response carries a Content-Security-Policy (own scripts only, plus the theme script by hash and
 *   WebAssembly for Pagefind), frame-ancestors 'none' / X-Frame-Options DENY, nosniff and Referrer-Policy.
 */
import { lstatSync, realpathSync } from "node:fs";
import { join, resolve } from "node:path";
import { THEME_SCRIPT } from "./config.ts";
import { COMPARE_SEGMENTS, comparePairOf, comparePairPath } from "./compare-url.ts";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".txt": "text/plain; charset=utf-8",
  ".xml": "application/xml; charset=utf-8",
  ".wasm": "application/wasm",
  ".woff2": "font/woff2",
  ".map": "application/json; charset=utf-8",
};

function contentType(path: string): string {
  const dot = path.lastIndexOf(".");
  const ext = dot >= 0 ? path.slice(dot).toLowerCase() : "";
  return TYPES[ext] ?? "application/octet-stream";
}

const themeHash = new Bun.CryptoHasher("sha256").update(THEME_SCRIPT).digest("base64");

/**
 * The site's policy. Scripts: files from this origin only (Astro's bundles under /_astro/, Pagefind under
 * /pagefind/, its worker) plus the one inline theme script by hash; 'wasm-unsafe-eval' lets Pagefind compile
 * its WebAssembly and allows no eval(). Styles: Astro inlines the site's stylesheet and Shiki colours code
 * with style attributes, hence 'unsafe-inline' for styles only.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  `script-src 'self' 'sha256-${themeHash}' 'wasm-unsafe-eval'`,
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self'",
  "font-src 'self'",
  "connect-src 'self'",
  "worker-src 'self'",
  "manifest-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

/** Sent with every response, errors and redirects included. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "Content-Security-Policy": CONTENT_SECURITY_POLICY,
  "X-Content-Type-Options": "nosniff",
  "X-Frame-Options": "DENY",
  "Referrer-Policy": "strict-origin-when-cross-origin",
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Resource-Policy": "same-origin",
};

/** host (DNS or container names), IPv4 or [IPv6], optional port: what a browser or curl sends; anything else is a bad request. */
const HOST = /^(?:[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)*\.?|\[[0-9a-f:.]+\])(?::\d{1,5})?$/i;

const describeError = (err: unknown) => (err instanceof Error ? err.message : String(err));

function text(body: string, status: number, extra: Record<string, string> = {}): Response {
  return new Response(body, {
    status,
    headers: { ...SECURITY_HEADERS, "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store", ...extra },
  });
}

type Found = { kind: "file" | "dir"; path: string };

/**
 * What a path inside the (real) root is, without following links: undefined unless every component is
 * what it seems (realpath equals the path) and the final one is a regular file or a folder.
 */
function lookup(realRoot: string, segments: string[]): Found | undefined {
  const path = join(realRoot, ...segments);
  try {
    if (realpathSync(path) !== path) return undefined;
    const st = lstatSync(path);
    if (st.isFile()) return { kind: "file", path };
    if (st.isDirectory()) return { kind: "dir", path };
  } catch {
    /* missing, unreadable or not a folder on the way */
  }
  return undefined;
}

export interface ServeOptions {
  dir?: string;
  port?: number;
  hostname?: string;
  /** Where server-side errors are logged (never sent to the client); default stderr. */
  log?: (line: string) => void;
}

/** Starts the server; port 0 picks a free port (see server.port). */
export function serveSite(options: ServeOptions = {}): ReturnType<typeof Bun.serve> {
  const dir = resolve(options.dir ?? "dist");
  let root: string;
  try {
    root = realpathSync(dir);
  } catch {
    throw new Error(`${dir} does not exist: run npm run build first`);
  }
  if (!lstatSync(root).isDirectory()) throw new Error(`${dir} is not a folder`);

  const file = (path: string, status = 200) =>
    // HEAD too: Bun sends the same headers (the file's real Content-Length) and drops the body.
    new Response(Bun.file(path), {
      status,
      headers: { ...SECURITY_HEADERS, "Content-Type": contentType(path), "Cache-Control": "no-cache" },
    });
  const notFound = () => {
    const page = lookup(root, ["404.html"]);
    return page?.kind === "file" ? file(page.path, 404) : text("Not Found", 404);
  };

  return Bun.serve({
    port: options.port ?? 4321,
    hostname: options.hostname ?? "localhost",
    development: false,
    error(err) {
      // Details go to the server's log, never to the client.
      (options.log ?? console.error)(`serve: ${describeError(err)}`);
      return text("Internal Server Error", 500);
    },
    fetch(req) {
      // Bun gives an absolute URL only when the Host header made one; HTTP/1.0 without Host or a malformed
      // Host yields just the path.
      const host = req.headers.get("host");
      if (!host || !HOST.test(host) || !req.url.startsWith("http://")) return text("Bad Request: missing or malformed Host header", 400);
      if (req.method !== "GET" && req.method !== "HEAD") return text("Method Not Allowed", 405, { Allow: "GET, HEAD" });
      let url: URL;
      try {
        url = new URL(req.url);
      } catch {
        return text("Bad Request", 400);
      }
      let decoded: string;
      try {
        decoded = decodeURIComponent(url.pathname);
      } catch {
        return text("Bad Request: bad percent-encoding", 400);
      }
      if (decoded.includes("\0")) return text("Bad Request", 400);
      // Normalise after decoding, so %2f and %2e%2e count as what they spell.
      const segments: string[] = [];
      for (const seg of decoded.split("/")) {
        if (seg === "" || seg === ".") continue;
        if (seg === "..") {
          if (!segments.length) return text("Forbidden", 403);
          segments.pop();
          continue;
        }
        segments.push(seg);
      }
      if (segments.some((s) => s.startsWith("."))) return notFound();
      const slash = decoded.endsWith("/") || segments.length === 0;
      const found = lookup(root, segments);
      if (found?.kind === "dir") {
        if (!slash) {
          // A path, never an origin: rebuilt from the segments, each re-encoded, so it starts with one "/".
          const location = `/${segments.map(encodeURIComponent).join("/")}/${url.search}`;
          return new Response(null, { status: 301, headers: { ...SECURITY_HEADERS, Location: location, "Cache-Control": "no-cache" } });
        }
        // The compare form submits /build-variants/compare/?a=A&b=B: the pair's page answers when both are
        // variant names (checked against ^[a-z][a-z0-9-]{0,62}$, never echoed otherwise) and it exists.
        if (url.search && segments.length === COMPARE_SEGMENTS.length && COMPARE_SEGMENTS.every((s, i) => segments[i] === s)) {
          const pair = comparePairOf(url.searchParams);
          if (pair && lookup(root, [...COMPARE_SEGMENTS, pair.a, pair.b, "index.html"])?.kind === "file") {
            return new Response(null, {
              status: 302,
              headers: { ...SECURITY_HEADERS, Location: comparePairPath(pair.a, pair.b), "Cache-Control": "no-cache" },
            });
          }
        }
        const index = lookup(root, [...segments, "index.html"]);
        if (index?.kind === "file") return file(index.path);
      } else if (!slash && segments.length) {
        const page = found?.kind === "file" ? found : lookup(root, [...segments.slice(0, -1), `${segments.at(-1)}.html`]);
        // The 404 page answers 404 under every name (/404, /404.html).
        if (page?.kind === "file") return file(page.path, page.path === join(root, "404.html") ? 404 : 200);
      }
      return notFound();
    },
  });
}
