/**
 * Splits an example source file into its numbered examples so the docs can show each one under its own
 * heading, straight from the file. Recognised markers, each on a line of its own:
 *
 *   // (1) title            // Example 1: title            // #region title  …  // #endregion
 *
 * Text before the first marker is the preamble (header comment and imports). A file without markers is
 * one section holding the whole file.
 */
export interface ExampleSection {
  /** 1-based position among the examples; 0 for the preamble. */
  index: number;
  title: string;
  /** First line of the section in the file (1-based). */
  line: number;
  code: string;
}

const MARKERS = [/^\/\/\s*\((\d+)\)\s*(.+)$/, /^\/\/\s*Example\s+(\d+)\s*[:.-]\s*(.+)$/i, /^\/\/\s*#region\s+(.+)$/];
const END = /^\/\/\s*#endregion\b/;

function marker(line: string): string | undefined {
  const t = line.trim();
  for (const re of MARKERS) {
    const m = re.exec(t);
    if (m) return (m[2] ?? m[1]!).trim();
  }
  return undefined;
}

export function splitExamples(source: string): { preamble: ExampleSection | undefined; examples: ExampleSection[] } {
  const lines = source.replace(/\r\n/g, "\n").split("\n");
  const sections: ExampleSection[] = [];
  let current: ExampleSection = { index: 0, title: "Preamble", line: 1, code: "" };
  let body: string[] = [];
  const flush = () => {
    current.code = body.join("\n").replace(/^\n+|\s+$/g, "");
    if (current.code) sections.push(current);
  };
  lines.forEach((line, i) => {
    const title = marker(line);
    if (title !== undefined) {
      flush();
      current = { index: sections.filter((s) => s.index > 0).length + 1, title: title.replace(/[.:]\s*$/, ""), line: i + 1, code: "" };
      body = [line];
      return;
    }
    if (END.test(line.trim())) {
      body.push(line);
      flush();
      current = { index: 0, title: "Rest of the file", line: i + 2, code: "" };
      body = [];
      return;
    }
    body.push(line);
  });
  flush();
  const preamble = sections.find((s) => s.index === 0 && s.line === 1);
  const examples = sections.filter((s) => s !== preamble);
  if (!examples.length && preamble) return { preamble: undefined, examples: [{ ...preamble, index: 1, title: "The whole file" }] };
  return { preamble, examples };
}
