/**
 * Reads the JUnit XML `bun test --reporter=junit` writes: nested <testsuite> elements (one per file, then
 * one per describe) holding <testcase> elements, a failure as a <failure> (or <error>) child and a skip as
 * <skipped>. Only what the prover needs, read with a small tokenizer (no entity-expanding XML parser: the
 * report is written by our Bun, and only the five predefined entities and character references occur).
 */

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

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

export function decodeXml(s: string): string {
  return s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);/g, (m, e: string) => {
    if (e.startsWith("#x")) return String.fromCodePoint(parseInt(e.slice(2), 16));
    if (e.startsWith("#")) return String.fromCodePoint(parseInt(e.slice(1), 10));
    return ENTITIES[e] ?? m;
  });
}

function attrs(tag: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of tag.matchAll(/([A-Za-z_:][\w:.-]*)="([^"]*)"/g)) out.set(m[1]!, decodeXml(m[2]!));
  return out;
}

/** Every test case of a report, with its describe path. */
export function parseJunit(xml: string): JunitCase[] {
  const out: JunitCase[] = [];
  /** Open testsuite elements: their names and files. */
  const stack: { name: string; file: string | undefined }[] = [];
  let current: JunitCase | undefined;
  for (const m of xml.matchAll(/<(\/?)(testsuites|testsuite|testcase|failure|error|skipped)\b([^>]*?)(\/?)>/g)) {
    const [, closing, tag, body = "", selfClosing] = m;
    if (tag === "testsuites") continue;
    if (tag === "testsuite") {
      if (closing) stack.pop();
      else if (!selfClosing) {
        const a = attrs(body);
        stack.push({ name: a.get("name") ?? "", file: a.get("file") });
      }
      continue;
    }
    if (tag === "testcase") {
      if (closing) {
        if (current) out.push(current);
        current = undefined;
        continue;
      }
      const a = attrs(body);
      const fileSuite = stack[0];
      const c: JunitCase = {
        file: a.get("file") ?? fileSuite?.file ?? fileSuite?.name ?? "",
        suites: stack.slice(1).map((s) => s.name),
        name: a.get("name") ?? "",
        status: "passed",
        time: Number(a.get("time") ?? 0) || 0,
      };
      if (selfClosing) out.push(c);
      else current = c;
      continue;
    }
    if (!current || closing) continue;
    if (tag === "skipped") current.status = "skipped";
    else current.status = "failed";
  }
  if (current) out.push(current);
  return out;
}

/** "variant prod: …" → "prod". */
export function variantOf(testName: string): string | undefined {
  return /^variant ([a-z][a-z0-9-]*):/.exec(testName)?.[1];
}
