/**
 * MDX is code: an `import`, an `export` or a `{expression}` in content/*.mdx runs when the site builds, so a
 * contribution to content/ could run anything in CI. Pages may therefore use only the site's own components
 * (given to every page without imports), plain HTML without scripts or event handlers, and attribute values
 * that are literal data. This module is the one list of those components; src/components/mdx.ts must match it.
 */
import type { Program } from "estree";

export const MDX_COMPONENTS = [
  "Clearance",
  "ControlRequirements",
  "Count",
  "ExampleSource",
  "MasterTable",
  "PageCards",
  "RequiredColumns",
  "RoadmapPhases",
  "RuleTable",
  "SchemaColumns",
  "SecurityMatrix",
  "SizeCharts",
  "Status",
  "StatusSummary",
  "VariantMatrix",
  "VerifyStatus",
] as const;
export type MdxComponentName = (typeof MDX_COMPONENTS)[number];

/** Elements that load or run code, or change where the page's links and forms go. */
export const REFUSED_ELEMENTS = new Set([
  "script",
  "style",
  "iframe",
  "frame",
  "frameset",
  "object",
  "embed",
  "link",
  "meta",
  "base",
  "form",
  "svg",
  "math",
  "template",
  "portal",
]);

/** Whether an attribute value expression is literal data: strings, numbers, booleans, null, arrays and plain objects of them. */
export function isLiteralData(program: Program | undefined): boolean {
  const statement = program?.body.length === 1 ? program.body[0] : undefined;
  if (statement?.type !== "ExpressionStatement") return false;
  const literal = (node: unknown): boolean => {
    const n = node as { type: string; [k: string]: unknown };
    switch (n.type) {
      case "Literal":
        return !(n as { regex?: unknown }).regex;
      case "TemplateLiteral":
        return (n.expressions as unknown[]).length === 0;
      case "UnaryExpression":
        return (n.operator === "-" || n.operator === "+") && (n.argument as { type: string }).type === "Literal";
      case "ArrayExpression":
        return (n.elements as unknown[]).every((e) => e !== null && literal(e));
      case "ObjectExpression":
        return (
          n.properties as { type: string; computed?: boolean; kind?: string; method?: boolean; key: { type: string }; value: unknown }[]
        ).every(
          (p) =>
            p.type === "Property" &&
            !p.computed &&
            p.kind === "init" &&
            !p.method &&
            (p.key.type === "Identifier" || p.key.type === "Literal") &&
            literal(p.value),
        );
      default:
        return false;
    }
  };
  return literal(statement.expression);
}
