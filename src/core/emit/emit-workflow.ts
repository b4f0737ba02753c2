/**
 * `.github/workflows/build-variants.yml`: one CI job per variant running its package.json build script,
 * then verify. Built as a `yaml` Document, so the library writes every scalar: a record value goes in as a
 * double-quoted string node (escaped by yaml) and the script reaches the shell only through an environment
 * variable, so a record value can never become workflow syntax or a command.
 */
import { Document, Scalar } from "yaml";
import type { RecordView } from "../model/record-view.ts";

export const WORKFLOW_PATH = ".github/workflows/build-variants.yml";

const HEADER = " Generated from data/variants.yaml by `npm run generate`; `npm run check` fails when it is stale.";

/** A record's text as a double-quoted scalar: never read back as anything but that string. */
function quoted(value: string): Scalar<string> {
  const node = new Scalar(value);
  node.type = Scalar.QUOTE_DOUBLE;
  return node;
}

/** The workflow of the variants in `view` (the `build` record view: the compiler refuses any other field). */
export function emitWorkflow(view: RecordView<"build">): string {
  const doc = new Document();
  /** A step with a comment above it, saying why it is there. */
  const explained = (comment: string, step: Record<string, unknown>) => {
    const node = doc.createNode(step);
    node.commentBefore = comment;
    return node;
  };
  // A function, not one array: the same object twice would be written as a YAML anchor and alias.
  const setupSteps = () => [
    { uses: "actions/checkout@v4" },
    { uses: "actions/setup-node@v4", with: { "node-version": 22 } },
    { run: "npm ci --no-audit --no-fund" },
  ];
  const contents = doc.createNode({
    name: "build-variants",
    on: { push: null, pull_request: null },
    jobs: {
      build: {
        name: "build ${{ matrix.variant }}",
        "runs-on": "ubuntu-latest",
        "timeout-minutes": 10,
        strategy: {
          "fail-fast": false,
          matrix: { include: view.variants.map((v) => ({ variant: quoted(v.name), script: quoted(v.script) })) },
        },
        steps: [
          ...setupSteps(),
          { name: "Build ${{ matrix.variant }}", env: { SCRIPT: "${{ matrix.script }}" }, run: 'npm run "$SCRIPT"' },
          {
            uses: "actions/upload-artifact@v4",
            with: { name: "variant-${{ matrix.variant }}", path: "dist/variants/${{ matrix.variant }}" },
          },
        ],
      },
      verify: {
        name: "verify variants",
        needs: "build",
        "runs-on": "ubuntu-latest",
        "timeout-minutes": 10,
        steps: [
          ...setupSteps(),
          explained(
            " The content caches (verify's among them) are checked by content on every read, so any earlier\n cache is safe to restore; after npm ci, which empties node_modules.",
            {
              uses: "actions/cache@v4",
              with: {
                path: "node_modules/.cache/takeoff",
                key: "verify-${{ hashFiles('src/**', 'data/**', 'package-lock.json') }}",
                "restore-keys": "verify-",
              },
            },
          ),
          explained(
            " Builds every variant, proves sizes, budgets and dead code; writes the Markdown summary to\n $GITHUB_STEP_SUMMARY and ::error annotations; exits non-zero on a budget breach or a failed proof.",
            { name: "Verify variants", run: "npm run verify" },
          ),
          { uses: "actions/upload-artifact@v4", if: "always()", with: { name: "verify-results", path: ".cache/verify/results.json" } },
        ],
      },
    },
  });
  contents.commentBefore = HEADER;
  doc.contents = contents;
  // No line folding (a long `run:` stays one line) and an empty value for the bare `push:` triggers.
  return doc.toString({ lineWidth: 0, nullStr: "" });
}
