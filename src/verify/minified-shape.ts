/**
 * A minified bundle with its local names blanked out: two bundles with the same shape are the same code,
 * differing only in the names the minifier chose. The minifier assigns short names by how often symbols are
 * used across the whole program, so an edit anywhere (a new flag's string in a branch another variant drops)
 * can swap `H` and `V` in a variant whose code did not change: same length, other bytes, and gzip and brotli
 * sizes a few bytes off. `npm run diff` uses the shape to say "identifiers renamed" instead of a size change.
 *
 * A small scanner, not a parser: string, template and regular expression literals and comments are kept
 * verbatim (a changed message is a change); identifiers are blanked unless they follow a `.` or precede a
 * `:` (property names and object keys, which the minifier never renames) or are keywords. When in doubt it keeps text, so a real change
 * is never mistaken for a rename; at worst a rename counts as a change.
 */

const KEYWORDS = new Set(
  (
    "break case catch class const continue debugger default delete do else export extends false finally for function if import in " +
    "instanceof let new null of return static super switch this throw true try typeof var void while with yield async await get set undefined NaN Infinity"
  ).split(" "),
);

/** After one of these (or at the start), a `/` begins a regular expression, not a division. */
const REGEX_AFTER = new Set(["", "(", ",", "=", ":", "[", "!", "&", "|", "?", "{", "}", ";", "+", "-", "*", "%", "<", ">", "~", "^"]);
const REGEX_AFTER_WORDS = new Set([
  "return",
  "typeof",
  "case",
  "do",
  "else",
  "in",
  "of",
  "new",
  "delete",
  "void",
  "throw",
  "yield",
  "await",
]);

const isIdStart = (c: string) => /[A-Za-z_$]/.test(c);
const isIdPart = (c: string) => /[\w$]/.test(c);

export function minifiedShape(code: string): string {
  const out: string[] = [];
  let i = 0;
  const n = code.length;
  let prev = ""; // the last significant character or word, for telling a regex from a division
  /** Brace depth per open template `${`: when it returns to 0, the template text resumes. */
  const templates: number[] = [];
  if (code.startsWith("#!")) {
    const end = code.indexOf("\n");
    i = end < 0 ? n : end;
    out.push(code.slice(0, i));
  }
  const templateText = (): void => {
    // From just after a ` or a closing } of ${…}: copy until the closing ` or the next ${.
    const start = i;
    while (i < n) {
      if (code[i] === "\\") i += 2;
      else if (code[i] === "`") {
        i++;
        out.push(code.slice(start, i));
        prev = "`";
        return;
      } else if (code[i] === "$" && code[i + 1] === "{") {
        i += 2;
        out.push(code.slice(start, i));
        templates.push(0);
        prev = "{";
        return;
      } else i++;
    }
    out.push(code.slice(start));
  };
  while (i < n) {
    const c = code[i]!;
    if (c === '"' || c === "'") {
      let j = i + 1;
      while (j < n && code[j] !== c && code[j] !== "\n") j += code[j] === "\\" ? 2 : 1;
      out.push(code.slice(i, j + 1));
      i = j + 1;
      prev = c;
    } else if (c === "`") {
      out.push("`");
      i++;
      templateText();
    } else if (c === "/" && code[i + 1] === "/") {
      const end = code.indexOf("\n", i);
      out.push(code.slice(i, end < 0 ? n : end));
      i = end < 0 ? n : end;
    } else if (c === "/" && code[i + 1] === "*") {
      const end = code.indexOf("*/", i + 2);
      out.push(code.slice(i, end < 0 ? n : end + 2));
      i = end < 0 ? n : end + 2;
    } else if (c === "/" && (REGEX_AFTER.has(prev) || REGEX_AFTER_WORDS.has(prev))) {
      let j = i + 1;
      let inClass = false;
      while (j < n && code[j] !== "\n") {
        if (code[j] === "\\") j++;
        else if (code[j] === "[") inClass = true;
        else if (code[j] === "]") inClass = false;
        else if (code[j] === "/" && !inClass) break;
        j++;
      }
      j++;
      while (j < n && isIdPart(code[j]!)) j++;
      out.push(code.slice(i, j));
      i = j;
      prev = "/regex";
    } else if (isIdStart(c)) {
      let j = i + 1;
      while (j < n && isIdPart(code[j]!)) j++;
      const word = code.slice(i, j);
      // `a.b` and `a?.b` name a property; `...b` spreads a local.
      const member = code[i - 1] === "." && code[i - 2] !== ".";
      // Kept verbatim: keywords, property names after a dot, and a name before ":" (an object key, which is data;
      // also a label or a ternary's middle, kept to stay on the safe side).
      out.push(KEYWORDS.has(word) || member || code[j] === ":" ? word : "\u0001");
      i = j;
      prev = word;
    } else if (/[0-9]/.test(c)) {
      let j = i + 1;
      while (j < n && /[\w.]/.test(code[j]!)) j++;
      out.push(code.slice(i, j));
      i = j;
      prev = "0";
    } else {
      if (templates.length && c === "{") templates[templates.length - 1]!++;
      if (templates.length && c === "}") {
        if (templates[templates.length - 1] === 0) {
          templates.pop();
          out.push("}");
          i++;
          templateText();
          continue;
        }
        templates[templates.length - 1]!--;
      }
      out.push(c);
      i++;
      if (!/\s/.test(c)) prev = c;
    }
  }
  return out.join("");
}

/** sha256 of the shapes of a build's code outputs (source maps excluded), each with its path. */
export function outputsShape(outputs: { path: string; bytes: Uint8Array; kind: string }[]): string {
  const code = outputs.filter((o) => o.kind !== "sourcemap").sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const hash = new Bun.CryptoHasher("sha256");
  for (const o of code)
    hash
      .update(`${o.path}\0`)
      .update(minifiedShape(new TextDecoder().decode(o.bytes)))
      .update("\0");
  return hash.digest("hex");
}
