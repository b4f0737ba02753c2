/**
 * The site shows proof, read from the built fixture site (no browser needed): the control × variant matrix
 * with every state, each control's tests and limits with the constants they feed, the proof column of the
 * tables, and "Cleared for takeoff?" computed from the evidence. The fixture's prove results (fixture.ts) make
 * FAILING_CONTROL fail in one variant and leave UNPROVEN_CONTROL without a test in one.
 */
import { beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { buildFixtureSite, DIST } from "./harness.ts";
import { FAILING_CONTROL, UNPROVEN_CONTROL } from "./fixture.ts";
import { loadModel } from "../../src/core/model/model.ts";
import { REPO } from "../helpers/project.ts";

const { model } = loadModel(REPO);

setDefaultTimeout(240_000);
beforeAll(() => buildFixtureSite(), 240_000);

const html = (path: string) => readFileSync(join(DIST, path, "index.html"), "utf8");
/** The text of an element's HTML: tags dropped, entities of the fixture's names decoded, spaces collapsed. */
const text = (s: string) =>
  s
    .replace(/<[^>]+>/g, " ")
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, "&")
    .replace(/\s+/g, " ")
    .trim();

/** The matrix row of a control: variant → state, read from the cells' data attributes. */
function matrixRow(page: string, control: string): Record<string, string> {
  const start = page.indexOf("data-control-matrix");
  const table = page.slice(start, page.indexOf("</table>", start));
  const rows = table.split("<tr").filter((r) => text(r.slice(0, r.indexOf("</th>") + 5)).includes(control));
  expect(rows.length).toBe(1);
  return Object.fromEntries([...rows[0]!.matchAll(/data-variant="([^"]+)" data-state="([^"]+)"/g)].map((m) => [m[1]!, m[2]!]));
}

describe("the site shows proof", () => {
  test("the security matrix: each control in each variant is proven, failing, not proven or not shipped", () => {
    const page = html("security-matrix");
    expect(matrixRow(page, FAILING_CONTROL.name)[FAILING_CONTROL.variant]).toBe("failing");
    expect(matrixRow(page, UNPROVEN_CONTROL.name)[UNPROVEN_CONTROL.variant]).toBe("unproven");
    // RBAC ships only where RBAC and LIVE_STREAM are both on (data/variants.yaml): prod leaves them off.
    const rbac = matrixRow(page, "RBAC Token Validation");
    expect(rbac.prod).toBe("not shipped");
    expect(Object.values(rbac)).toContain("proven");
    // A column per variant, for every control.
    expect(Object.keys(rbac)).toEqual(model.records.variants.map((v) => v.record.name));
  });

  test("a control's page lists its tests with result, duration and variant, where it stands per variant, and its limits as code constants", () => {
    const page = html("controls/scope-isolation");
    const tests = page.slice(page.indexOf("data-proof-tests"), page.indexOf("</table>", page.indexOf("data-proof-tests")));
    expect(text(tests)).toContain(
      `variant ${FAILING_CONTROL.variant}: behaves as the record says ${FAILING_CONTROL.variant} ❌ failed 250 ms`,
    );
    expect(text(tests)).toContain("variant enterprise: behaves as the record says enterprise ✅ passed 250 ms");
    expect(page).toContain('data-proof-verdict="unbacked"');
    expect(page).toMatch(new RegExp(`data-variant="${FAILING_CONTROL.variant}" data-state="failing"`));

    // Beside the tests: each listed fault, planted by npm run prove, and whether the tests caught it.
    const faults = (page: string) =>
      text(page.slice(page.indexOf('<h3 id="proof-faults"'), page.indexOf("</ul>", page.indexOf("data-proof-faults"))));
    expect(faults(page)).toStartWith("Faults caught: 2 of 2");
    expect(faults(page)).toContain(
      "tenant : tokens are not checked against the tenant of the data. caught : 1 test failed with it planted in",
    );
    expect(faults(page)).toContain("cross-tenant-read");
    expect(faults(html(`controls/${UNPROVEN_CONTROL.name.toLowerCase().replace(/ /g, "-")}`))).toMatch(
      /^Faults caught: 1 of 2 .* prototype-keys : __proto__, constructor and prototype keys are kept\. missed : \d+ of \d+ tests of the proof still pass with it planted\./,
    );

    const sanitization = html("controls/input-sanitization");
    const limits = text(sanitization.slice(sanitization.indexOf("data-proof-limits")));
    expect(limits).toContain("Property key length: 64 characters at most, read by the code as INPUT_SANITIZATION_PROPERTY_KEY_LENGTH");
    // The requirement writes the limit as {Property key length}: readers see the number, on the record page and in the matrix.
    expect(text(sanitization)).toContain("drops keys longer than 64 characters");
    expect(text(html("security-matrix"))).toContain("drops keys longer than 64 characters");
    expect(sanitization + html("security-matrix")).not.toContain("{Property key length}");
    // The constant is really in the generated module the app imports.
    expect(readFileSync(join(import.meta.dir, "../../src/generated/limits.ts"), "utf8")).toContain(
      "export const INPUT_SANITIZATION_PROPERTY_KEY_LENGTH = 64;",
    );
  });

  test("a flag's page shows its behaviour in each variant beside the bytes it adds, the tests that showed it, and Done backed by both", () => {
    const page = html("features/CSV_EXPORT");
    const table = page.slice(page.indexOf('id="variants"'), page.indexOf("</table>", page.indexOf('id="variants"')));
    const states = Object.fromEntries([...table.matchAll(/data-behaviour="([^"]+)" data-state="([^"]+)"/g)].map((m) => [m[1]!, m[2]!]));
    // Every variant that ships CSV_EXPORT (data/variants.yaml), each proven by the fixture's prove results.
    expect(states).toEqual({ prod: "proven", enterprise: "proven", dev: "proven", test: "proven", staging: "proven", canary: "proven" });
    expect(text(table)).toMatch(/prod Public [+−-]?[\d,.]+ (B|kB) ✅ proven/);
    expect(text(page.slice(page.indexOf("data-proof-tests")))).toContain(
      "variant staging: behaves as the record says staging ✅ passed 250 ms",
    );
    const header = text(page.slice(0, page.indexOf('id="master-columns"')));
    expect(header).toContain("proven by npm run verify");
    expect(header).toContain("proven by npm run prove");
    // A flag that names no proof says so, variant by variant (the first such flag a variant ships).
    const unnamed = model.records.features.find(
      (f) => !f.record.proof && model.records.variants.some((v) => v.record.features.includes(f.record.name)),
    );
    expect(unnamed).toBeDefined();
    const shipping = model.records.variants.find((v) => v.record.features.includes(unnamed!.record.name))!.record.name;
    const page2 = html(`features/${unnamed!.record.name}`);
    expect(text(page2)).toContain("This flag names no tests as proof.");
    expect(page2).toMatch(new RegExp(`data-behaviour="${shipping}" data-state="unproven"`));
    // Its proof field lists the named tests, never an object.
    expect(page).not.toContain("[object Object]");
    expect(text(page.slice(page.indexOf('data-field="proof"') + 'data-field="proof">'.length))).toMatch(
      /^test\/behaviour\/flags-export\.test\.ts tests named "flag: CSV_EXPORT"/,
    );
  });

  test("the proof column shows what the tests showed, never an object or a bare file list", () => {
    const takeoff = html("takeoff");
    expect(takeoff).not.toContain("[object Object]");
    const controls = text(html("controls"));
    expect(controls).toMatch(/✅ \d+ passed · /);
    expect(controls).toMatch(/❌ \d+ passed, 1 failed · /);
  });

  test("Cleared for takeoff? is computed: every open or unbacked criterion, control and Production variant is listed", () => {
    const page = html("takeoff");
    expect(page).toContain('data-cleared="no"');
    const blockers = text(page.slice(page.indexOf("data-blockers"), page.indexOf("</ul>", page.indexOf("data-blockers"))));
    expect(blockers).toContain(`The security control ${FAILING_CONTROL.name} is`);
    expect(page).not.toMatch(/ALL SYSTEMS GO/i);
  });
});
