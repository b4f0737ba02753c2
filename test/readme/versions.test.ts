/**
 * The README's supported versions hold: the Node it names is package.json's `engines` minimum, every installed
 * package accepts that Node (so `npm ci` on it prints no EBADENGINE warning), and the Bun it names is the pinned one.
 */
import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const ROOT = join(import.meta.dir, "../..");
const readme = readFileSync(join(ROOT, "README.md"), "utf8");
const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
  engines?: { node?: string };
  devDependencies: Record<string, string>;
};

/** Every package.json under node_modules, scoped packages and nested node_modules included. */
function installedPackages(dir: string, out: { name: string; version: string; engines?: { node?: string } }[] = []) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name.startsWith(".")) continue;
    const path = join(dir, entry.name);
    if (entry.name.startsWith("@")) {
      installedPackages(path, out);
      continue;
    }
    try {
      out.push(JSON.parse(readFileSync(join(path, "package.json"), "utf8")));
    } catch {
      continue;
    }
    try {
      installedPackages(join(path, "node_modules"), out);
    } catch {
      /* no nested node_modules */
    }
  }
  return out;
}

describe("README: supported versions", () => {
  const named = /Node `([^`]+)` runs npm/.exec(readme)?.[1];

  test("the README names the Node of package.json's engines", () => {
    expect(named).toBeDefined();
    expect(named).toBe(pkg.engines?.node);
  });

  test("every installed package accepts the oldest Node of each supported line: npm ci on it warns of no engine", () => {
    const lines = [...(named ?? "").matchAll(/(\d+\.\d+\.\d+)/g)].map((m) => m[1]!);
    expect(lines.length).toBeGreaterThan(0);
    const packages = installedPackages(join(ROOT, "node_modules"));
    const refused = lines.flatMap((node) =>
      packages
        .filter((p) => typeof p.engines?.node === "string" && !Bun.semver.satisfies(node, p.engines.node))
        .map((p) => `node ${node}: ${p.name}@${p.version} wants ${p.engines!.node}`),
    );
    expect(refused).toEqual([]);
  });

  test("the README names the pinned Bun", () => {
    const bun = /Bun (\d+\.\d+\.\d+) is a pinned devDependency/.exec(readme)?.[1];
    expect(bun).toBe(pkg.devDependencies.bun);
    expect(bun).toBe(Bun.version);
  });
});
