/**
 * MDX is code: a contribution to content/ must not be able to run anything when the site builds, nor put
 * a script in front of readers. Each construct that would is refused as mdx-code at its place.
 */
import { describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { lintMarkdown } from "../../src/core/lint/lint-tables.ts";

const ctx = { scopeNames: ["Public"] };
const found = (file: string, text: string) => lintMarkdown(file, text, ctx).map((d) => `${d.line}:${d.col} ${d.rule}`);

describe("code in content pages", () => {
  test.each([
    ["an import", 'import fs from "node:fs";\n\n# Page\n', "1:1"],
    ["an export", "export const x = process.env;\n\n# Page\n", "1:1"],
    ["a flow expression", "# Page\n\n{process.exit(1)}\n", "3:1"],
    ["a text expression", "# Page\n\nSome {Bun.spawnSync(['id'])} text\n", "3:6"],
    ["an unknown component", "# Page\n\n<Evil />\n", "3:1"],
    ["a member component", "# Page\n\n<X.Y />\n", "3:1"],
    ["a script element", "# Page\n\n<script>alert(1)</script>\n", "3:1"],
    ["an iframe", '# Page\n\n<iframe src="https://example.com" />\n', "3:1"],
    ["an event handler", '# Page\n\n<div onClick="alert(1)">x</div>\n', "3:6"],
    ["a javascript: link", '# Page\n\n<a href="javascript:alert(1)">x</a>\n', "3:4"],
    ["a spread attribute", "# Page\n\n<MasterTable {...globalThis} />\n", "3:14"],
    ["a computed attribute", "# Page\n\n<MasterTable kind={require('fs').readFileSync('/etc/passwd', 'utf8')} />\n", "3:14"],
    ["a function attribute", "# Page\n\n<MasterTable kind=\"features\" filter={{ approval: (() => 'x')() }} />\n", "3:30"],
  ])("%s is refused", (_what, text, place) => {
    expect(found("content/page.mdx", text)).toContain(`${place} mdx-code`);
  });

  test("raw HTML with a script or a handler in a .md page is refused", () => {
    expect(found("content/page.md", "# Page\n\n<script>alert(1)</script>\n")).toEqual(["3:1 mdx-code"]);
    expect(found("content/page.md", '# Page\n\n<img src="x" onerror="alert(1)">\n')).toEqual(["3:1 mdx-code"]);
    expect(found("content/page.md", "# Page\n\n<kbd>/</kbd> opens search\n")).toEqual([]);
  });

  test("what the site's pages use stays allowed: components with literal data, comments, plain HTML", () => {
    const page = [
      "# Page",
      "",
      "{/* a comment */}",
      "",
      '<MasterTable kind="roadmap" filter={{ status: ["In Progress", "Blocked"] }} columns={["name", "type"]} showCaption />',
      "",
      "Press <kbd>/</kbd> to search, and see `{code}` in a code span.",
      "",
      '<ExampleSource file="src/examples/registry-features.ts" />',
      "",
    ].join("\n");
    expect(found("content/page.mdx", page)).toEqual([]);
  });
});

test("the site build refuses a page that would run code, before Astro ever compiles it", () => {
  const dir = mkdtempSync(join(tmpdir(), "takeoff-mdx-"));
  try {
    mkdirSync(join(dir, "content"));
    const pwned = join(dir, "PWNED");
    writeFileSync(
      join(dir, "content/index.mdx"),
      `---\ntitle: x\ndescription: x\norder: 1\n---\n\nexport const x = require("node:fs").writeFileSync(${JSON.stringify(pwned)}, "x");\n\n# Page\n`,
    );
    const repo = join(import.meta.dir, "../..");
    const run = Bun.spawnSync([process.execPath, join(repo, "scripts/build-site.ts"), "--out", join(dir, "out"), "--quiet"], {
      cwd: repo,
      env: { ...process.env, BUN_OPTIONS: "", SITE_CONTENT_DIR: join(dir, "content") },
      stderr: "pipe",
    });
    expect(run.exitCode).toBe(1);
    expect(run.stderr.toString()).toContain("index.mdx:7:1: error mdx-code");
    expect(existsSync(pwned)).toBe(false);
    expect(readdirSync(dir).sort()).toEqual(["content"]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 60_000);
