/**
 * `.github/workflows/build-variants.yml`: one CI job per variant running its package.json build script,
 * then verify. Values go in as JSON strings (valid YAML scalars) and the script reaches the shell only
 * through an environment variable, so a record value can never become workflow syntax or a command.
 */
import type { Model } from "../model/model.ts";

export const WORKFLOW_PATH = ".github/workflows/build-variants.yml";

export function emitWorkflow(model: Pick<Model, "records">): string {
  const q = JSON.stringify;
  const include = model.records.variants.flatMap((v) => [`          - variant: ${q(v.record.name)}`, `            script: ${q(v.record.script)}`]);
  return [
    "# Generated from data/variants.yaml by `npm run generate`; `npm run check` fails when it is stale.",
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
    "      # The content caches (verify's among them) are checked by content on every read, so any earlier",
    "      # cache is safe to restore; after npm ci, which empties node_modules.",
    "      - uses: actions/cache@v4",
    "        with:",
    "          path: node_modules/.cache/takeoff",
    "          key: verify-${{ hashFiles('src/**', 'data/**', 'package-lock.json') }}",
    "          restore-keys: verify-",
    "      # Builds every variant, proves sizes, budgets and dead code; writes the Markdown summary to",
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
