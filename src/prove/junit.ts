/**
 * Reads the JUnit XML `bun test --reporter=junit` writes: nested <testsuite> elements (one per file, then
 * one per describe) holding <testcase> elements, a failure as a <failure> (or <error>) child and a skip as
 * <skipped>. Parsed by fast-xml-parser in document order, so an attribute may hold any legal text (a `>`,
 * entities, character references) and a report that is not well-formed XML is an error, not a guess.
 */
import { EntityDecoder, XML } from "@nodable/entities";
import { XMLParser, XMLValidator } from "fast-xml-parser";

export interface JunitCase {
  /** The test file, relative to the folder bun test ran in. */
  file: string;
  /** The enclosing describe names, outermost first (the file-level suite excluded). */
  suites: string[];
  name: string;
  status: "passed" | "failed" | "skipped";
  /** Seconds. */
  time: number;
}

/** One element as fast-xml-parser's ordered output holds it: `{ tag: children, ":@": attributes }`. */
type OrderedNode = Record<string, unknown> & { ":@"?: Record<string, string> };

function parser(): XMLParser {
  return new XMLParser({
    preserveOrder: true,
    ignoreAttributes: false,
    attributeNamePrefix: "",
    parseAttributeValue: false,
    parseTagValue: false,
    // XML's five entities and character references (fast-xml-parser leaves `&#…;` alone unless told); DOCTYPE
    // entities stay within the parser's expansion limits.
    entityDecoder: new EntityDecoder({ namedEntities: XML, numericAllowed: true }),
  });
}

const tagOf = (node: OrderedNode) => Object.keys(node).find((k) => k !== ":@");
const childrenOf = (node: OrderedNode, tag: string) => (Array.isArray(node[tag]) ? (node[tag] as OrderedNode[]) : []);

/** Every test case of a report, in document order, with its describe path. Throws on XML that is not well-formed. */
export function parseJunit(xml: string): JunitCase[] {
  const valid = XMLValidator.validate(xml);
  if (valid !== true)
    throw new Error(`JUnit report is not well-formed XML (line ${valid.err.line}, col ${valid.err.col}): ${valid.err.msg}`);
  const out: JunitCase[] = [];
  /** Open testsuite elements: their names and files, the file-level suite first. */
  const walk = (nodes: OrderedNode[], stack: { name: string; file: string | undefined }[]) => {
    for (const node of nodes) {
      const tag = tagOf(node);
      if (tag === undefined) continue;
      const attrs = node[":@"] ?? {};
      const children = childrenOf(node, tag);
      if (tag === "testsuites") walk(children, stack);
      else if (tag === "testsuite") walk(children, [...stack, { name: attrs.name ?? "", file: attrs.file }]);
      else if (tag === "testcase") {
        const fileSuite = stack[0];
        const marks = new Set(children.map(tagOf));
        out.push({
          file: attrs.file ?? fileSuite?.file ?? fileSuite?.name ?? "",
          suites: stack.slice(1).map((s) => s.name),
          name: attrs.name ?? "",
          status: marks.has("failure") || marks.has("error") ? "failed" : marks.has("skipped") ? "skipped" : "passed",
          time: Number(attrs.time ?? 0) || 0,
        });
      }
    }
  };
  walk(parser().parse(xml) as OrderedNode[], []);
  return out;
}

/** "variant prod: …" → "prod". */
export function variantOf(testName: string): string | undefined {
  return /^variant ([a-z][a-z0-9-]*):/.exec(testName)?.[1];
}
