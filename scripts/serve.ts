/**
 * npm run serve: serves dist/ at http://localhost:4321 with Bun.serve.
 *
 *   bun scripts/serve.ts [--dir dist] [--port 4321] [--host localhost]
 *
 * Folders answer with their index.html (a folder URL without its trailing slash redirects to it), files with
 * the right Content-Type, anything else with dist/404.html and status 404. Paths cannot leave the folder.
 */
import { existsSync, statSync } from "node:fs";
import { join, normalize, resolve, sep } from "node:path";

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

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}
function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

export interface ServeOptions {
  dir?: string;
  port?: number;
  hostname?: string;
}

/** Starts the server; port 0 picks a free port (see server.port). */
export function serveSite(options: ServeOptions = {}): ReturnType<typeof Bun.serve> {
  const root = resolve(options.dir ?? "dist");
  if (!existsSync(root)) throw new Error(`${root} does not exist: run npm run build first`);
  const notFound = join(root, "404.html");
  const file = (path: string, status = 200, method = "GET") =>
    new Response(method === "HEAD" ? null : Bun.file(path), {
      status,
      headers: { "Content-Type": contentType(path), "Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff" },
    });

  return Bun.serve({
    port: options.port ?? 4321,
    hostname: options.hostname ?? "localhost",
    fetch(req) {
      const url = new URL(req.url);
      if (req.method !== "GET" && req.method !== "HEAD") return new Response("Method Not Allowed", { status: 405, headers: { Allow: "GET, HEAD" } });
      let pathname: string;
      try {
        pathname = decodeURIComponent(url.pathname);
      } catch {
        return new Response("Bad Request", { status: 400 });
      }
      const target = normalize(join(root, pathname));
      if (target !== root && !target.startsWith(root + sep)) return new Response("Forbidden", { status: 403 });
      if (isDir(target)) {
        if (!url.pathname.endsWith("/")) return Response.redirect(new URL(`${url.pathname}/${url.search}`, url).href, 301);
        const index = join(target, "index.html");
        if (isFile(index)) return file(index, 200, req.method);
      } else if (isFile(target)) {
        return file(target, 200, req.method);
      } else if (isFile(`${target}.html`)) {
        return file(`${target}.html`, 200, req.method);
      }
      if (isFile(notFound)) return file(notFound, 404, req.method);
      return new Response("Not Found", { status: 404, headers: { "Content-Type": "text/plain; charset=utf-8" } });
    },
  });
}

if (import.meta.main) {
  const args = process.argv.slice(2);
  const opt = (name: string) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const server = serveSite({
    dir: opt("dir") ?? "dist",
    port: Number(opt("port") ?? process.env.PORT ?? 4321),
    hostname: opt("host") ?? "localhost",
  });
  console.log(`Serving ${opt("dir") ?? "dist"}/ at http://${server.hostname}:${server.port}/ (Ctrl+C to stop)`);
}
