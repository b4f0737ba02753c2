/**
 * Everything outside data/ that names the variants must agree with data/variants.yaml: the package.json
 * `build:<variant>` scripts (the same build verify does, for a developer to run alone) and the matrix of
 * `.github/workflows/build-variants.yml`. Both are generated from the records; `check` reports a mismatch
 * at the line to change and `fix` writes the generated text.
 */
import { join } from "node:path";
import type { Diagnostic } from "../core/report/diagnostics.ts";
import type { Entry } from "../core/load/load-records.ts";
import type { Model } from "../core/model/model.ts";
import { readIfExists, writeAtomic } from "../core/fs/write-atomic.ts";
import { offsetOf, parseYamlSource, position, type YamlSource } from "../core/load/yaml-source.ts";

export const PACKAGE_JSON = "package.json";
export const WORKFLOW_PATH = ".github/workflows/build-variants.yml";
export const VARIANTS_DIR = "dist/variants";

/**
 * One shell word: safe characters as they are, anything else single-quoted. The schema already refuses
 * such values; quoting here means a value that slipped past it still cannot become a second command.
 */
export function shellWord(s: string): string {
  return /^[A-Za-z0-9_./:=@%+,-]+$/.test(s) ? s : `'${s.replace(/'/g, "'\\''")}'`;
}

/** The CLI twin of verify's Bun.build: byte-identical output, and BUN_OPTIONS cleared so it cannot add flags. */
export function buildCommand(v: Pick<Entry<"variants">["record"], "name" | "entry" | "features">): string {
  const out = `${VARIANTS_DIR}/${v.name}`;
  const words = [v.entry, "--target=bun", "--minify", `--outdir=${out}`, `--metafile=${out}/metafile.json`, ...v.features.map((f) => `--feature=${f}`)];
  return `BUN_OPTIONS= bun build ${words.map(shellWord).join(" ")}`;
}

export function expectedScripts(model: Model): Map<string, string> {
  return new Map(model.records.variants.map((v) => [v.record.script, buildCommand(v.record)]));
}

/** Values go in as JSON strings (valid YAML scalars) and reach the shell only through an environment variable. */
export function expectedWorkflow(model: Pick<Model, "records">): string {
  const q = JSON.stringify;
  const include = model.records.variants.flatMap((v) => [`          - variant: ${q(v.record.name)}`, `            script: ${q(v.record.script)}`]);
  return [
    "# Generated from data/variants.yaml: `npm run verify` fails when this matrix drifts, `npm run verify -- --fix` rewrites it.",
    "name: build-variants",
    "on:",
    "  push:",
    "  pull_request:",
    "jobs:",
    "  build:",
    "    name: build ${{ matrix.variant }}",
    "    runs-on: ubuntu-latest",
    "    timeout-minutes: 10",
    "    strategy:",
    "      fail-fast: false",
    "      matrix:",
    "        include:",
    ...include,
    "    steps:",
    "      - uses: actions/checkout@v4",
    "      - uses: actions/setup-node@v4",
    "        with:",
    "          node-version: 22",
    "      - run: npm ci --no-audit --no-fund",
    "      - name: Build ${{ matrix.variant }}",
    "        env:",
    "          SCRIPT: ${{ matrix.script }}",
    '        run: npm run "$SCRIPT"',
    "      - uses: actions/upload-artifact@v4",
    "        with:",
    "          name: variant-${{ matrix.variant }}",
    "          path: dist/variants/${{ matrix.variant }}",
    "  verify:",
    "    name: verify variants",
    "    needs: build",
    "    runs-on: ubuntu-latest",
    "    timeout-minutes: 10",
    "    steps:",
    "      - uses: actions/checkout@v4",
    "      - uses: actions/setup-node@v4",
    "        with:",
    "          node-version: 22",
    "      - run: npm ci --no-audit --no-fund",
    "      # Verify's caches are checked by content on every read, so any earlier cache is safe to restore.",
    "      - uses: actions/cache@v4",
    "        with:",
    "          path: .cache/verify",
    "          key: verify-${{ hashFiles('src/**', 'data/**', 'package-lock.json') }}",
    "          restore-keys: verify-",
    "      # Builds every variant, proves sizes, budgets, dead code and drift; writes the Markdown summary to",
    "      # $GITHUB_STEP_SUMMARY and ::error annotations; exits non-zero on a budget breach or a failed proof.",
    "      - name: Verify variants",
    "        run: npm run verify",
    "      - uses: actions/upload-artifact@v4",
    "        if: always()",
    "        with:",
    "          name: verify-results",
    "          path: .cache/verify/results.json",
    "",
  ].join("\n");
}

function at(src: YamlSource, path: (string | number)[], onKey: boolean, rule: string, message: string, hint: string): Diagnostic {
  return { file: src.file, ...position(src, offsetOf(src, path, onKey)), rule, message, hint };
}

const FIX_HINT = "run `npm run verify -- --fix` to regenerate it from data/variants.yaml";

export function checkScripts(root: string, model: Model): { diagnostics: Diagnostic[]; text?: string } {
  const text = readIfExists(join(root, PACKAGE_JSON));
  if (text === undefined) return { diagnostics: [{ file: PACKAGE_JSON, line: 1, col: 1, rule: "script-drift", message: "package.json is missing", hint: "run from the repository root" }] };
  // JSON is YAML 1.2, so the YAML reader gives every key its line and column.
  const { source, diagnostics: parseErrors } = parseYamlSource(PACKAGE_JSON, text);
  if (parseErrors.length || typeof source.data !== "object" || source.data === null) {
    return { diagnostics: [{ file: PACKAGE_JSON, line: 1, col: 1, rule: "script-drift", message: "package.json could not be read as JSON", hint: "fix its syntax" }], text };
  }
  const scripts = ((source.data as { scripts?: Record<string, unknown> }).scripts ?? {}) as Record<string, unknown>;
  const out: Diagnostic[] = [];
  const seen = new Map<string, string>();
  for (const v of model.records.variants) {
    const name = v.record.script;
    const expected = buildCommand(v.record);
    const other = seen.get(name);
    if (other !== undefined) {
      out.push(at(source, ["scripts", name], true, "script-drift", `variants "${other}" and "${v.record.name}" both name the script ${name}`, "give each variant its own build:<variant> script in data/variants.yaml"));
      continue;
    }
    seen.set(name, v.record.name);
    if (!(name in scripts)) {
      out.push(at(source, ["scripts"], true, "script-drift", `script "${name}" of variant "${v.record.name}" is missing`, FIX_HINT));
    } else if (scripts[name] !== expected) {
      out.push(at(source, ["scripts", name], false, "script-drift", `script "${name}" does not build variant "${v.record.name}" as data/variants.yaml says: expected ${JSON.stringify(expected)}`, FIX_HINT));
    }
  }
  for (const [name, value] of Object.entries(scripts)) {
    if (!seen.has(name) && typeof value === "string" && value.includes(`${VARIANTS_DIR}/`)) {
      out.push(at(source, ["scripts", name], true, "script-drift", `script "${name}" builds into ${VARIANTS_DIR}/ but no variant in data/variants.yaml names it`, FIX_HINT));
    }
  }
  return { diagnostics: out, text };
}

export function checkWorkflow(root: string, model: Model): { diagnostics: Diagnostic[]; text?: string } {
  const text = readIfExists(join(root, WORKFLOW_PATH));
  if (text === undefined) return { diagnostics: [{ file: WORKFLOW_PATH, line: 1, col: 1, rule: "workflow-drift", message: `${WORKFLOW_PATH} is missing`, hint: FIX_HINT }] };
  const { source, diagnostics: parseErrors } = parseYamlSource(WORKFLOW_PATH, text);
  if (parseErrors.length) return { diagnostics: parseErrors.map((d) => ({ ...d, rule: "workflow-drift", hint: FIX_HINT })), text };
  const path = ["jobs", "build", "strategy", "matrix", "include"];
  let list: unknown = source.data;
  for (const k of path) list = list && typeof list === "object" ? (list as Record<string, unknown>)[k] : undefined;
  const out: Diagnostic[] = [];
  if (!Array.isArray(list)) {
    out.push(at(source, path, true, "workflow-drift", `${WORKFLOW_PATH} has no jobs.build.strategy.matrix.include list of variants`, FIX_HINT));
    return { diagnostics: out, text };
  }
  const variants = model.records.variants;
  variants.forEach((v, i) => {
    const item = list[i] as { variant?: unknown; script?: unknown } | undefined;
    if (!item) {
      out.push(at(source, path, true, "workflow-drift", `the build matrix lacks variant "${v.record.name}" (script ${v.record.script})`, FIX_HINT));
    } else if (item.variant !== v.record.name) {
      out.push(at(source, [...path, i, "variant"], false, "workflow-drift", `matrix entry ${i + 1} is ${JSON.stringify(item.variant)}, but variant ${i + 1} in data/variants.yaml is "${v.record.name}"`, FIX_HINT));
    } else if (item.script !== v.record.script) {
      out.push(at(source, [...path, i, "script"], false, "workflow-drift", `matrix entry "${v.record.name}" runs ${JSON.stringify(item.script)}, but its script is "${v.record.script}"`, FIX_HINT));
    }
  });
  for (let i = variants.length; i < list.length; i++) {
    const item = list[i] as { variant?: unknown };
    out.push(at(source, [...path, i], false, "workflow-drift", `matrix entry ${JSON.stringify(item?.variant)} is not a variant in data/variants.yaml`, FIX_HINT));
  }
  return { diagnostics: out, text };
}

export function checkDrift(root: string, model: Model): Diagnostic[] {
  return [...checkScripts(root, model).diagnostics, ...checkWorkflow(root, model).diagnostics];
}

/**
 * Writes the generated scripts into package.json (only the `scripts` entries change; the file must be in
 * the canonical 2-space layout, so nothing else moves) and the workflow. Returns the files written.
 */
export function fixDrift(root: string, model: Model): { written: string[]; diagnostics: Diagnostic[] } {
  const written: string[] = [];
  const diagnostics: Diagnostic[] = [];
  const scripts = checkScripts(root, model);
  if (scripts.diagnostics.length && scripts.text !== undefined) {
    let pkg: { scripts?: Record<string, string> };
    try {
      pkg = JSON.parse(scripts.text);
    } catch {
      pkg = {};
    }
    if (`${JSON.stringify(pkg, null, 2)}\n` !== scripts.text) {
      diagnostics.push({ file: PACKAGE_JSON, line: 1, col: 1, rule: "script-drift", message: "package.json is not in the canonical 2-space JSON layout, so --fix will not rewrite it", hint: "apply the scripts reported above by hand" });
    } else {
      const expected = expectedScripts(model);
      const next: Record<string, string> = {};
      for (const [k, v] of Object.entries(pkg.scripts ?? {})) {
        if (expected.has(k)) next[k] = expected.get(k)!;
        else if (!v.includes(`${VARIANTS_DIR}/`)) next[k] = v;
      }
      for (const [k, v] of expected) next[k] ??= v;
      pkg.scripts = next;
      if (writeAtomic(join(root, PACKAGE_JSON), `${JSON.stringify(pkg, null, 2)}\n`, root)) written.push(PACKAGE_JSON);
    }
  }
  if (checkWorkflow(root, model).diagnostics.length) {
    if (writeAtomic(join(root, WORKFLOW_PATH), expectedWorkflow(model), root)) written.push(WORKFLOW_PATH);
  }
  return { written, diagnostics };
}
