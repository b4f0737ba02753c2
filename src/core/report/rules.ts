/**
 * Every rule the project reports, in one place: its id, the stage that finds it, what it means in one line
 * a doc writer understands, the usual fix (the hint printed when a check has no better one) and its
 * severity. `Diagnostic.rule` is a `RuleId`, so a check cannot report an id that is not declared here, and
 * `diagnostic()` (diagnostics.ts) fills the hint and severity from here. The README's rule table is
 * generated from this list by `npm run generate` (and checked by `stale-generated`); the site's Rules page
 * (content/rules.mdx, src/components/RuleTable.astro) renders it at build time. test/core/rule-registry.test.ts
 * names the test that triggers each rule.
 *
 * This module is plain data: the CLIs' fast paths import it through diagnostics.ts.
 */

export type Severity = "error" | "warning";

/** Where in the pipeline a rule is found, in pipeline order. */
export const STAGES = {
  files: "reading a data, content or `public/` file safely (`check`, `generate`, the site build)",
  load: "parsing a data file's YAML and finding the data files (`check`, `generate`)",
  schema: "a record against its kind's schema (`check`, `generate`)",
  model: "rules across records (`check`, `generate`)",
  generated: "generated files against what the records produce (`check`)",
  lint: "hand-written pages in `content/` (`check`; `mdx-code` also stops the site build)",
  verify: "the source and the bundles of every variant (`npm run verify`)",
  proof: "the tests records name as proof, their results and the claims they back (`npm run prove`; `check` with fresh results)",
} as const;
export type Stage = keyof typeof STAGES;

export interface Rule {
  stage: Stage;
  /** What the finding means, in one line. */
  summary: string;
  /** The usual fix; printed when the place that reports the rule has no more specific hint. */
  hint: string;
  /** A warning is printed but does not fail the run. */
  severity: Severity;
}

const NAMED_IMPORT = 'write `import { feature } from "bun:bundle"`';
const DIRECT_IMPORT = 'import it with `import { feature } from "bun:bundle"` in each file that tests a flag';

export const RULES = {
  // files
  "outside-repository": {
    stage: "files",
    severity: "error",
    summary:
      "A data, content or `public/` path is a link leading outside the repository (or into a hidden path such as `.git/`): it is never read.",
    hint: "commit the file itself instead of a symbolic link to it",
  },
  "not-a-file": {
    stage: "files",
    severity: "error",
    summary: "A FIFO, device, socket or folder stands where a file belongs (or a file where a folder belongs): it is never read.",
    hint: "replace it with a plain file",
  },
  "file-too-large": {
    stage: "files",
    severity: "error",
    summary: "A data file over 1 MiB or a content page over 4 MiB; records and pages are small.",
    hint: "make it smaller: split records into files under data/<kind>/, a page into several pages",
  },
  "unreadable-file": {
    stage: "files",
    severity: "error",
    summary: "A file cannot be opened or read: a dangling link, missing permissions.",
    hint: "restore the file, or make it readable",
  },
  "invalid-encoding": { stage: "files", severity: "error", summary: "A data file is not valid UTF-8.", hint: "save the file as UTF-8" },
  // load
  "yaml-syntax": {
    stage: "load",
    severity: "error",
    summary: "The file is not valid YAML: an unclosed quote or bracket, a tab in the indentation, a value containing `: `.",
    hint: 'fix the line at the caret; put a value containing ": " or " #" in double quotes',
  },
  "duplicate-key": {
    stage: "load",
    severity: "error",
    summary: "A key appears twice in one record; YAML would silently keep the last.",
    hint: "remove one of the two keys",
  },
  "yaml-anchor": {
    stage: "load",
    severity: "error",
    summary: "An anchor (`&name`) lets one value stand in for others, so the data means something other than it reads.",
    hint: "remove the anchor and write values out in full",
  },
  "yaml-alias": {
    stage: "load",
    severity: "error",
    summary: "An alias (`*name`) repeats an anchored value somewhere else.",
    hint: "write the value out in full",
  },
  "yaml-merge-key": {
    stage: "load",
    severity: "error",
    summary: "A merge key (`<<`) copies keys in from another mapping.",
    hint: "write the keys out in full",
  },
  "yaml-tag": {
    stage: "load",
    severity: "error",
    summary: "A tag (`!!str`, `!include`) changes how a value is read.",
    hint: "remove the tag; plain values are enough",
  },
  "yaml-version": {
    stage: "load",
    severity: "error",
    summary: "A `%YAML` directive switches to other rules for reading values.",
    hint: "remove the %YAML line; data files are YAML 1.2",
  },
  "yaml-too-deep": {
    stage: "load",
    severity: "error",
    summary: "Nesting deeper than 64 levels; records are flat.",
    hint: "data files hold a list of flat records; remove the extra [ { or - levels",
  },
  "yaml-multiple-documents": {
    stage: "load",
    severity: "error",
    summary: "A `---` line starts a second YAML document; a data file holds one list of records.",
    hint: "remove the --- line and keep all records in one list",
  },
  "not-a-list": {
    stage: "load",
    severity: "error",
    summary: "A data file is not a YAML list of records.",
    hint: 'start each record with "- name: …"',
  },
  "unknown-data-file": {
    stage: "load",
    severity: "error",
    summary: "A file in `data/` that is not one of the record kinds; it would be ignored.",
    hint: "rename it after a record kind, such as data/features.yaml, or move it out of data/",
  },
  "missing-data": {
    stage: "load",
    severity: "error",
    summary: "There is no `data/` folder, or no records at all of one kind.",
    hint: "run from the repository root, and keep a data/<kind>.yaml for every kind",
  },
  "schema-comment": {
    stage: "load",
    severity: "error",
    summary: "The first line of a data file does not point editors at its kind's JSON Schema.",
    hint: "make line 1 the `# yaml-language-server: $schema=…` comment of its kind",
  },
  // schema
  "unknown-key": {
    stage: "schema",
    severity: "error",
    summary: "A key the record's kind does not have, often a misspelling.",
    hint: "fix the spelling, or remove the key",
  },
  "missing-key": {
    stage: "schema",
    severity: "error",
    summary: "A record lacks a key its kind requires.",
    hint: "add the key to the record",
  },
  "invalid-type": {
    stage: "schema",
    severity: "error",
    summary:
      "A value of the wrong kind (text where a list belongs, a fraction where a whole number belongs), or a record that is not a mapping.",
    hint: "write the value in the form the message names",
  },
  "invalid-enum": {
    stage: "schema",
    severity: "error",
    summary: "A value outside its column's allowed list, such as a tier or a status.",
    hint: "use one of the values the message lists",
  },
  "invalid-value": {
    stage: "schema",
    severity: "error",
    summary: "A value the schema refuses: empty text, a number out of range, `all` combined with other scopes.",
    hint: "correct the value as the message says",
  },
  "invalid-flag-name": {
    stage: "schema",
    severity: "error",
    summary: "A flag name outside `^[A-Z][A-Z0-9_]*$`.",
    hint: "write it in upper case letters, digits and underscores, such as CSV_EXPORT",
  },
  "invalid-date": {
    stage: "schema",
    severity: "error",
    summary: "A date that does not exist or is not written YYYY-MM-DD, or a flag that expires before it was introduced.",
    hint: 'write a real date in quotes, such as "2026-12-01"',
  },
  "control-character": {
    stage: "schema",
    severity: "error",
    summary: "Record text with terminal escapes, NUL or bidi overrides.",
    hint: "retype the text as plain characters",
  },
  "reserved-name": {
    stage: "schema",
    severity: "error",
    summary: "A name `__proto__`, `constructor` or `prototype`: it would reach an object's prototype.",
    hint: "choose another name",
  },
  "invalid-variant-name": {
    stage: "schema",
    severity: "error",
    summary: "A variant name outside `^[a-z][a-z0-9-]*$`; it becomes a folder, a URL and a shell word.",
    hint: "use lower case letters, digits and hyphens, such as enterprise-eu",
  },
  "invalid-path": {
    stage: "schema",
    severity: "error",
    summary: "An entry or location that is not a plain path inside the repository.",
    hint: "write a path relative to the repository root, such as src/app/main.ts",
  },
  // model
  "duplicate-name": {
    stage: "model",
    severity: "error",
    summary: "Two records of one kind have the same name.",
    hint: "rename one of them or merge the two records",
  },
  "duplicate-script": {
    stage: "model",
    severity: "error",
    summary: "Two variants name the same build:<variant> script in package.json.",
    hint: "give each variant its own script, such as build:<variant name>",
  },
  "duplicate-entry": {
    stage: "model",
    severity: "error",
    summary: "A name is listed twice in one list of a record.",
    hint: "remove the second entry",
  },
  "unknown-reference": {
    stage: "model",
    severity: "error",
    summary: "A record names a flag, scope, control, role or roadmap item that is not defined.",
    hint: "fix the name, or define the record it names",
  },
  "dependency-cycle": {
    stage: "model",
    severity: "error",
    summary: "Roadmap items depend on each other in a loop.",
    hint: "remove one dependsOn entry of the loop",
  },
  "requirement-limit": {
    stage: "model",
    severity: "error",
    summary:
      "A control's requirement types a limit's number instead of writing `{Limit name}`, leaves one of its limits out, or names a limit the control does not have: the text would not follow the record's value.",
    hint: 'write each limit as {its name}, such as "At most {Connections} connections"',
  },
  "typed-limit": {
    stage: "model",
    severity: "error",
    summary:
      "A flag's description types the number of a limit of a control that relies on the flag: it would keep the old number when the limit changes.",
    hint: "name the control instead; its page shows the number from its record",
  },
  "phase-status": {
    stage: "model",
    severity: "error",
    summary:
      "A roadmap phase's written status is not the one its tasks give: Done when all are Done, Blocked when one is, Planned while all are, else In Progress.",
    hint: "write the status its tasks give (or change the tasks)",
  },
  "scope-leak": {
    stage: "model",
    severity: "error",
    summary: "A variant enables a flag not allowed in the variant's scope.",
    hint: "remove the flag from the variant, or add the variant's scope to the flag",
  },
  "flag-without-proof": {
    stage: "model",
    severity: "error",
    summary:
      "A Beta or Done flag names no behaviour proof: bundle bytes show its code is in or out of a build, not that it does what its description says.",
    hint: 'add proof: { tests: [test/behaviour/….test.ts], name: "flag: NAME", faults: [...] } with tests named "variant <name>: …" for every variant that ships it, or set the status to what is proven',
  },
  // generated
  "stale-generated": {
    stage: "generated",
    severity: "error",
    summary:
      "A generated file (flag registry, JSON Schemas, the README's rule table, the `build:*` scripts in package.json, the build-variants workflow) differs from what the records and the rule registry produce.",
    hint: "run `npm run generate` and commit the result",
  },
  // lint
  "table-label": {
    stage: "lint",
    severity: "error",
    summary: "A master column label is not written exactly, such as `Status` for `Release/Status`.",
    hint: "write the label exactly as the master column's",
  },
  "table-order": {
    stage: "lint",
    severity: "error",
    summary: "Master columns out of their order.",
    hint: "order them Name · Type · Category · Domain · Scope · Tier · Size/Impact · Release/Status · Approval",
  },
  "table-missing-column": {
    stage: "lint",
    severity: "error",
    summary: "A master table lacks one of Name, Type, Domain, Scope, Tier and Release/Status.",
    hint: "add the missing columns in master order",
  },
  "table-duplicate-column": {
    stage: "lint",
    severity: "error",
    summary: "A master column appears twice in one table.",
    hint: "remove the second column",
  },
  "table-cell-count": {
    stage: "lint",
    severity: "error",
    summary: "A table row has more or fewer cells than its header (any table, master or not; markdownlint MD056).",
    hint: "give every row as many cells as the header",
  },
  "table-value": {
    stage: "lint",
    severity: "error",
    summary: "A cell holds a value its master column does not allow, such as an unknown tier, scope or status.",
    hint: "use one of the values the message lists",
  },
  "table-record": {
    stage: "lint",
    severity: "error",
    summary: "A cell of a hand-written table disagrees with the record its row names, such as a status the record does not have.",
    hint: "write the record's value (the hint names it), or change the record; `npm run check -- --fix` writes the record's value",
  },
  "table-swapped-cells": {
    stage: "lint",
    severity: "error",
    summary: "Two cells of a row hold each other's values: each is allowed in the other's column.",
    hint: "swap the two cells; `npm run check -- --fix` does it",
  },
  "table-delimiter": {
    stage: "lint",
    severity: "error",
    summary:
      "A delimiter row (`| --- |`) with more or fewer cells than the header above it: Markdown does not make it a table, and it renders as a paragraph of pipes.",
    hint: "write one --- cell per header cell",
  },
  "table-pipe-style": {
    stage: "lint",
    severity: "error",
    summary:
      "A table row has a leading or trailing pipe where the page's first table header has none, or lacks one it has (markdownlint MD055).",
    hint: "write the row's outer pipes as the page's first table writes them; `npm run check -- --fix` does it",
  },
  "mdx-syntax": {
    stage: "lint",
    severity: "error",
    summary: "A content page is not valid Markdown or MDX, such as an unclosed `{` or tag.",
    hint: "close it; in text, put a literal { or < inside a code span",
  },
  "mdx-code": {
    stage: "lint",
    severity: "error",
    summary:
      "A content page would run code: `import`/`export`, `{expressions}`, components other than the site's own, `<script>`, event handlers, `javascript:` links, attribute values that are not literal data.",
    hint: "use plain Markdown and the site's components with literal attribute values",
  },
  // verify
  "macro-import": {
    stage: "verify",
    severity: "error",
    summary:
      'A source file imports a Bun macro (`with { type: "macro" }`, `assert { type: "macro" }`, or `import(…, { with: { type: "macro" } })`): bundling would run its code inside our tools, so nothing is built (verify, and the base of `npm run diff`).',
    hint: "import the module normally and call it at run time, or compute the value with npm run generate",
  },
  "bun-version": {
    stage: "verify",
    severity: "error",
    summary: "verify runs on a Bun other than the one package.json pins, so its sizes would not compare.",
    hint: "run npm run verify, which uses the pinned node_modules/.bin/bun",
  },
  "missing-entry": {
    stage: "verify",
    severity: "error",
    summary: "A variant's entry file does not exist.",
    hint: "fix the path; entries are relative to the repository root",
  },
  "build-failed": {
    stage: "verify",
    severity: "error",
    summary: "A variant does not build with Bun.",
    hint: "fix the error at the place shown, then run verify again",
  },
  "bun-bundle-import": {
    stage: "verify",
    severity: "error",
    summary:
      "`bun:bundle` is imported other than as `import { feature }` (default, namespace, side-effect or another name): calls are not folded and both branches ship.",
    hint: NAMED_IMPORT,
  },
  "bun-bundle-require": {
    stage: "verify",
    severity: "error",
    summary: '`require("bun:bundle")`: the module does not exist at run time and nothing is folded.',
    hint: NAMED_IMPORT,
  },
  "bun-bundle-dynamic-import": {
    stage: "verify",
    severity: "error",
    summary: '`import("bun:bundle")`: nothing is folded and it fails at run time.',
    hint: NAMED_IMPORT,
  },
  "bun-bundle-reexport": {
    stage: "verify",
    severity: "error",
    summary: "`bun:bundle` or its `feature` is re-exported: calls through a wrapper are not folded, so both branches ship.",
    hint: DIRECT_IMPORT,
  },
  "feature-wrapper": {
    stage: "verify",
    severity: "error",
    summary: "`feature` is imported from a module of the project, not from `bun:bundle`: the bundler folds only direct imports.",
    hint: DIRECT_IMPORT,
  },
  "flag-name-literal": {
    stage: "verify",
    severity: "error",
    summary: "`feature()` is called with something other than one plain string literal.",
    hint: 'write the name itself, such as feature("DEBUG")',
  },
  "undeclared-flag": {
    stage: "verify",
    severity: "error",
    summary:
      "Code tests a flag `data/features.yaml` does not declare; the bundler would fold it to false silently. `check` reports it too, in every file a variant's entry reaches.",
    hint: "declare it in data/features.yaml, then run `npm run generate`",
  },
  "feature-position": {
    stage: "verify",
    severity: "error",
    summary: "`feature()` stands outside an `if` or ternary condition; the bundler folds only conditions.",
    hint: "move the call into `if (feature(...))` or `feature(...) ? a : b`",
  },
  "owned-module-side-effect": {
    stage: "verify",
    severity: "error",
    summary: "Top-level code in a module a flag owns runs on import and ships even with the flag off.",
    hint: "move it into a function the flag's branch calls",
  },
  "stale-flag": {
    stage: "verify",
    severity: "error",
    summary: "A declared flag that no code bundled by a variant tests.",
    hint: 'use it behind feature("NAME") in code a variant bundles, or delete the record',
  },
  "expired-flag": {
    stage: "verify",
    severity: "error",
    summary: "A flag is past its `expires` date.",
    hint: "remove the flag and its dead branch, or move `expires` to a new agreed date",
  },
  "owned-glob-unmatched": {
    stage: "verify",
    severity: "error",
    summary: "A flag's `modules` or `replaces` glob matches no bundled file, so its claim cannot be proven.",
    hint: "fix the path (globs are relative to the repository root), or remove it",
  },
  "owned-module-leak": {
    stage: "verify",
    severity: "error",
    summary: "A module a flag owns ships in a variant that has the flag off.",
    hint: "import and use it only inside the flag's branch",
  },
  "replaced-module-leak": {
    stage: "verify",
    severity: "error",
    summary: "A module a flag replaces ships in a variant that has the flag on.",
    hint: "use it only inside the branch where the flag is off",
  },
  "probe-mismatch": {
    stage: "verify",
    severity: "error",
    summary: "A guarded branch ships although its flags rule it out, or is missing although they keep it (probe markers).",
    hint: "test the flag with feature() from bun:bundle directly in the condition",
  },
  leftover: {
    stage: "verify",
    severity: "error",
    summary: "A bundle still contains `bun:bundle` or an unfolded `feature(` call: a flag test escaped the bundler.",
    hint: "fix the source rule errors reported for the same code",
  },
  "over-budget": {
    stage: "verify",
    severity: "error",
    summary: "A variant's minified bundle is larger than its `budget`.",
    hint: "make the bundle smaller (the flag impact table shows where the bytes are), or raise the budget in review",
  },
  "dead-flag": {
    stage: "verify",
    severity: "warning",
    summary: "Switching a flag on or off changes no byte in any build: its branches do nothing. A warning: verify still passes.",
    hint: "guard real behaviour with it, or delete the flag",
  },
  "output-not-writable": {
    stage: "verify",
    severity: "error",
    summary: "verify cannot write its results (dist/variants/, .cache/verify/): something unwritable stands in the way.",
    hint: "remove or fix what stands there, then run verify again",
  },
  // proof
  "proof-missing-file": {
    stage: "proof",
    severity: "error",
    summary: "A record's `proof` names a test file that is not a file of the repository.",
    hint: "fix the path (relative to the repository root, such as test/behaviour/access-and-limits.test.ts), or add the test file",
  },
  "proof-matched-none": {
    stage: "proof",
    severity: "error",
    summary: "A record's proof matched no test in its files: nothing was proven.",
    hint: 'make `name` the exact name of a describe block or test in the files, such as "control: Rate Limiting"',
  },
  "proof-failed": {
    stage: "proof",
    severity: "error",
    summary:
      "A test named as a record's proof failed. A proof that reads no record (no file of data/, no record view among its inputs) runs in a copy of the repository without data/, so a test that loads the records there fails too.",
    hint: "fix the behaviour (or the test), then run npm run prove again; a test that runs a file it does not import names that file under proof `inputs`, not `reads`",
  },
  "proof-variant-unproven": {
    stage: "proof",
    severity: "error",
    summary: "A variant ships a control's (or flag's) code, but no test of its proof ran against that variant.",
    hint: 'add a test named "variant <name>: …" that runs against the variant\'s bundle, or take the flag out of the variant',
  },
  "proof-stale": {
    stage: "proof",
    severity: "warning",
    summary:
      "A record's proof has results, but an input of its proof changed since its tests ran (a file its tests load, the app they build, the records they read, a file it declares under `inputs` or `reads`, the lock file, Bun, or the proof itself): its claims are not checked against them. One notice per record, at its proof. A warning.",
    hint: "run npm run prove (it re-runs only the proofs whose inputs changed)",
  },
  "tracked-results": {
    stage: "proof",
    severity: "error",
    summary:
      "git tracks the prove results file (or a folder or link above it): results a commit brings could be written by anyone, so none of them is used.",
    hint: "git rm --cached the file under .cache/ and run npm run prove",
  },
  "proof-without-faults": {
    stage: "proof",
    severity: "error",
    summary:
      "A security control, or a flag that names a proof, lists no `faults:` its tests must catch: a test that asserts nothing would prove it.",
    hint: "add a fault under proof: (id, what, file, find, replace) that breaks what the control promises, such as removing its check",
  },
  "proof-fault-missed": {
    stage: "proof",
    severity: "error",
    summary:
      "A fault was planted into a copy of the repository and every test of the proof still passed (or they did not run): the tests do not catch what they exist to catch.",
    hint: "make the tests assert the behaviour the fault breaks, then run npm run prove again",
  },
  "proof-fault-stale": {
    stage: "proof",
    severity: "error",
    summary: "A fault cannot be planted: its `find` text is not in its file, or the file is missing, a link, or outside the repository.",
    hint: "copy the text to find from the current source file exactly (line breaks and indentation included)",
  },
  "unproven-claim": {
    stage: "proof",
    severity: "error",
    summary:
      "A record says Done without the evidence for it: a control, criterion, component or flag whose proof is missing, failing, not fresh, silent in a variant that ships its code, or whose listed faults were not all planted and caught (prove, check; a Beta with a fault not caught too); a flag the bundles do not back, shipped nowhere or dead (verify); a roadmap task whose delivered records are not all Done, or a phase whose tasks are not (check).",
    hint: "run npm run prove and fix what fails, or set the status to what the evidence shows",
  },
  "missing-location": {
    stage: "proof",
    severity: "error",
    summary:
      "A component's location is not a file or folder of this repository (nor a Bun module such as bun:bundle). A location that exists backs only the location, never a Done.",
    hint: "fix the path, relative to the repository root",
  },
  "status-behind-evidence": {
    stage: "proof",
    severity: "warning",
    summary: "A record is Planned or In Progress although its proof passes in every variant that ships it. A warning.",
    hint: "move the status on (Beta, or Done once approved)",
  },
  "unapproved-in-production": {
    stage: "proof",
    severity: "error",
    summary: "A Production variant ships a flag that is not approved (Approved or Not Required) or not released (Beta or Done).",
    hint: "remove the flag from the variant until it is approved and released",
  },
} as const satisfies Record<string, Rule>;

export type RuleId = keyof typeof RULES;

/** Every rule id, in registry order (grouped by stage). */
export const RULE_IDS = Object.keys(RULES) as RuleId[];

export function isRuleId(id: string): id is RuleId {
  return Object.hasOwn(RULES, id);
}

/** The registry as a Markdown table: the README's "Read an error" section between RULES_BEGIN and RULES_END. */
export function rulesMarkdown(): string {
  // Pipes would split the cell; a < outside code spans would start an HTML tag (data/<kind>/ would vanish).
  const cell = (s: string) =>
    s
      .replace(/\|/g, "\\|")
      .split("`")
      .map((part, i) => (i % 2 ? part : part.replace(/</g, "&lt;")))
      .join("`");
  return [
    "Stages, in pipeline order:",
    "",
    ...(Object.entries(STAGES) as [Stage, string][]).map(([stage, what]) => `- **${stage}**: ${what}`),
    "",
    "Every rule is an error that fails the run unless marked as a warning.",
    "",
    "| Rule | Stage | Meaning | Usual fix |",
    "| --- | --- | --- | --- |",
    ...RULE_IDS.map((id) => {
      const r: Rule = RULES[id];
      return `| \`${id}\` | ${r.stage}${r.severity === "warning" ? " (warning)" : ""} | ${cell(r.summary)} | ${cell(r.hint)} |`;
    }),
  ].join("\n");
}

export const RULES_BEGIN = "<!-- rules:begin: generated from src/core/report/rules.ts by npm run generate -->";
export const RULES_END = "<!-- rules:end -->";

/** `text` with the block between the rule markers replaced by the generated table; undefined without both markers. */
export function withRulesTable(text: string): string | undefined {
  const begin = text.indexOf(RULES_BEGIN);
  const end = text.indexOf(RULES_END, begin + RULES_BEGIN.length);
  if (begin === -1 || end === -1) return undefined;
  return `${text.slice(0, begin + RULES_BEGIN.length)}\n${rulesMarkdown()}\n${text.slice(end)}`;
}
