/**
 * One source file's flag facts for `npm run check`, from oxc's parser (rolldown/utils): the modules it imports
 * and every `feature("NAME")` call with a literal name, at the name's line and column. Loading the TypeScript
 * compiler costs about half a second, more than the rest of a cold check; oxc loads and parses the whole app
 * in a small fraction of that. verify keeps its deeper analysis on TypeScript (src/verify/flag-sites.ts,
 * source-graph.ts), and src/verify/flag-calls.ts derives these same facts from it: a test holds the two
 * equal on every source file of the repository and on the tricky cases, so check and verify agree on what
 * a flag test and an import are.
 *
 * A file oxc reports a syntax error in goes to the TypeScript version: the two parsers recover from errors
 * differently, and TypeScript's recovery is what check has always reported against. So does a file that
 * may nest deeper than oxc's parser can go without crashing the process (mayNestTooDeep).
 */
import { createRequire } from "node:module";

export interface FlagCall {
  flag: string;
  line: number;
  col: number;
}

export interface FileFlagCalls {
  /** Import specifiers (static, re-export, import(), require), in source order, without duplicates. */
  imports: string[];
  calls: FlagCall[];
}

const BUN_BUNDLE = "bun:bundle";

/** An oxc ESTree node, read loosely: the walk is generic and each rule checks the fields it reads. */
interface Node {
  type: string;
  start: number;
  end: number;
  [field: string]: unknown;
}

const isNode = (v: unknown): v is Node => typeof v === "object" && v !== null && typeof (v as Node).type === "string";

type Parse = (
  filename: string,
  text: string,
  options: { lang: "ts" | "tsx" | "jsx"; sourceType: "module"; preserveParens: true },
) => { program: Node; errors: unknown[]; comments: { start: number; end: number }[] };

/** Loaded on first use: a check whose facts are all remembered parses nothing. */
let oxc: Parse | undefined;
let typescript: typeof import("../../verify/flag-calls.ts") | undefined;

function parser(): Parse {
  // Through createRequire, not a bare require: Astro's dev server runs this module where there is none.
  oxc ??= (createRequire(import.meta.url)("rolldown/utils") as { parseSync: Parse }).parseSync;
  return oxc;
}

/** Kept as a path, not an import: the TypeScript parser loads only for a file oxc cannot parse. */
const TYPESCRIPT_VERSION = decodeURIComponent(new URL("../../verify/flag-calls.ts", import.meta.url).pathname);

/** The TypeScript version of these facts, for a file oxc reports a syntax error in. */
function typescriptFlagCalls(path: string, text: string): FileFlagCalls {
  typescript ??= createRequire(import.meta.url)(TYPESCRIPT_VERSION) as typeof import("../../verify/flag-calls.ts");
  return typescript.flagCallsOf(path, text);
}

/** The language TypeScript parses the file as (flag-sites.ts parseSource): a .js file may hold JSX, a .jsx file is read as TS. */
function langOf(path: string): "ts" | "tsx" | "jsx" {
  if (path.endsWith(".tsx")) return "tsx";
  return path.endsWith(".js") || path.endsWith(".mjs") ? "jsx" : "ts";
}

/**
 * oxc's parser recurses on the native stack with no depth limit (oxc-project/oxc#24375): a file nesting some
 * thousands of levels deep kills the process with SIGSEGV, which no try/catch sees. Each level of nesting
 * takes at least one token, and each level of the kinds that overflow first (brackets, template and JSX
 * nesting, type arguments, ternaries, arrows, assignments, labels, prefix keywords such as `keyof` or `new`,
 * statements nested without braces) one of NESTING's characters or PREFIX_WORDS. Both are counted wherever
 * they stand, strings and comments too, so the counts can only overestimate. A file past either limit (many
 * times what any source here holds, a small fraction of what overflows) is left to TypeScript, whose
 * overflow is a RangeError.
 */
const MAX_NESTING = 2500;
const MAX_TOKENS = 20_000;

/** ( [ { < ? = : and the backtick, by char code. */
const NESTING = new Set([..."([{<?=:`"].map((c) => c.charCodeAt(0)));
const PREFIX_WORDS = new Set(
  "as asserts await case delete do else extends for if in infer is keyof new readonly return satisfies throw typeof unique void while with yield".split(
    " ",
  ),
);

/** Could `text` nest deeper than oxc's parser goes without overflowing? */
export function mayNestTooDeep(text: string): boolean {
  let nesting = 0;
  let tokens = 0;
  let wordStart = -1;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 32;
    // Letters, digits, _ and $ and anything past ASCII but white space make words; any other character but
    // ASCII white space is a token (so U+00A0 between two words parts them, as it does for the parser).
    const word =
      (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 36 || (c > 127 && !/\s/.test(text[i]!));
    if (word) {
      if (wordStart < 0) {
        wordStart = i;
        tokens++;
      }
      continue;
    }
    if (wordStart >= 0 && i - wordStart <= 10 && PREFIX_WORDS.has(text.slice(wordStart, i))) nesting++;
    wordStart = -1;
    if (c !== 32 && c !== 9 && c !== 10 && c !== 13) {
      tokens++;
      if (NESTING.has(c)) nesting++;
    }
    if (nesting > MAX_NESTING || tokens > MAX_TOKENS) return true;
  }
  return false;
}

/**
 * `path`'s flag facts from oxc, or undefined when oxc reports a syntax error. Only for text that passed
 * mayNestTooDeep: deeper text can crash the process.
 */
export function oxcFlagCalls(path: string, text: string): FileFlagCalls | undefined {
  const { program, errors, comments } = parser()(path, text, { lang: langOf(path), sourceType: "module", preserveParens: true });
  if (errors.length) return undefined;
  const bindings = featureBindings(program);
  const imports: { at: number; specifier: string }[] = [];
  const calls: { at: number; flag: string }[] = [];
  // A stack, not recursion: a long chain such as a!!!…! nests as deep as it is long.
  const stack: Node[] = [program];
  for (let node = stack.pop(); node; node = stack.pop()) {
    const specifier = importOf(node, text, comments);
    if (specifier !== undefined) imports.push({ at: node.start, specifier });
    const flag = flagCallOf(node, bindings, text);
    if (flag) calls.push(flag);
    for (const key in node) {
      const value = node[key];
      if (Array.isArray(value)) {
        for (const v of value) if (isNode(v)) stack.push(v);
      } else if (isNode(value)) stack.push(value);
    }
  }
  // Source order, as TypeScript's walk visits it; a node comes off the stack before the nodes inside it, and the sort is stable.
  imports.sort((a, b) => a.at - b.at);
  calls.sort((a, b) => a.at - b.at);
  const lines = lineStarts(text);
  return {
    imports: [...new Set(imports.map((i) => i.specifier))],
    calls: calls.map((c) => ({ flag: c.flag, ...positionOf(lines, c.at) })),
  };
}

/** `path`'s flag facts: from oxc, or from TypeScript when the file may nest too deeply for oxc or oxc cannot parse it. */
export function scanFlagCalls(path: string, text: string): FileFlagCalls {
  return (mayNestTooDeep(text) ? undefined : oxcFlagCalls(path, text)) ?? typescriptFlagCalls(path, text);
}

interface Bindings {
  /** Local names of `feature` imported from bun:bundle, or from another module (a wrapper: still a flag test). */
  calls: Set<string>;
  /** Namespace or default imports of bun:bundle: `ns.feature(...)`. */
  namespaces: Set<string>;
}

/** The names that call `feature`, from the module's top-level value imports (flag-sites.ts featureBindings). */
function featureBindings(program: Node): Bindings {
  const b: Bindings = { calls: new Set(), namespaces: new Set() };
  for (const s of program.body as Node[]) {
    if (s.type !== "ImportDeclaration" || s.importKind === "type") continue;
    const bunBundle = stringValue(s.source as Node) === BUN_BUNDLE;
    for (const spec of s.specifiers as Node[]) {
      const local = (spec.local as Node).name as string;
      if (spec.type === "ImportSpecifier") {
        if (spec.importKind !== "type" && nameOf(spec.imported as Node) === "feature") b.calls.add(local);
      } else if (bunBundle) {
        b.namespaces.add(local);
      }
    }
  }
  return b;
}

/** An imported name: an identifier, or a string (`import { "feature" as f }`). */
const nameOf = (n: Node): string | undefined => (n.type === "Identifier" ? (n.name as string) : stringValue(n));

/** A string literal's or substitution-free template's value; undefined for anything else. */
function stringValue(n: Node | null | undefined): string | undefined {
  if (!n) return undefined;
  if (n.type === "Literal") return typeof n.value === "string" ? n.value : undefined;
  if (n.type === "TemplateLiteral" && (n.expressions as Node[]).length === 0) {
    const cooked = ((n.quasis as Node[])[0]!.value as { cooked: string | null }).cooked;
    return cooked ?? undefined;
  }
  return undefined;
}

function unparenthesized(n: Node): Node {
  while (n.type === "ParenthesizedExpression") n = n.expression as Node;
  return n;
}

/** A plain literal the bundler and a reader agree on: "A", 'A', `A`, parenthesised, optionally `as const` (flag-sites.ts literalFlagName). */
function literalFlagName(arg: Node, text: string): string | undefined {
  let e = unparenthesized(arg);
  if (e.type === "TSAsExpression") {
    const type = e.typeAnnotation as Node;
    const name = type.type === "TSTypeReference" ? (type.typeName as Node) : undefined;
    if (name && text.slice(name.start, name.end) === "const") e = e.expression as Node;
  }
  return stringValue(e);
}

/** A call of `feature` with one literal name: the name and where its argument starts (flag-sites.ts flagTestOf). */
function flagCallOf(node: Node, b: Bindings, text: string): { at: number; flag: string } | undefined {
  if (node.type !== "CallExpression") return undefined;
  const args = node.arguments as Node[];
  if (args.length !== 1) return undefined;
  const callee = unparenthesized(node.callee as Node);
  const calls =
    callee.type === "Identifier"
      ? b.calls.has(callee.name as string)
      : callee.type === "MemberExpression" &&
        !callee.computed &&
        (callee.property as Node).type === "Identifier" &&
        (callee.property as Node).name === "feature" &&
        (callee.object as Node).type === "Identifier" &&
        b.namespaces.has((callee.object as Node).name as string);
  if (!calls) return undefined;
  const flag = literalFlagName(args[0]!, text);
  return flag === undefined ? undefined : { at: args[0]!.start, flag };
}

/**
 * The specifier a node imports (source-graph.ts importsOf): a static import that binds a value or is bare,
 * an `export … from` that is not type-only, `import("x")`, `require("x")`; undefined for anything else.
 */
function importOf(node: Node, text: string, comments: { start: number; end: number }[]): string | undefined {
  switch (node.type) {
    case "ImportDeclaration": {
      if (node.importKind === "type") return undefined;
      const specifiers = node.specifiers as Node[];
      // An import of only types is erased: it pulls nothing into the bundle.
      const binds = specifiers.some((s) => s.type !== "ImportSpecifier" || s.importKind !== "type");
      if (binds || (specifiers.length === 0 && isBare(node, text, comments))) return stringValue(node.source as Node);
      return undefined;
    }
    case "ExportNamedDeclaration":
    case "ExportAllDeclaration":
      return node.source && node.exportKind !== "type" ? stringValue(node.source as Node) : undefined;
    case "ImportExpression":
      return stringValue(node.source as Node);
    case "CallExpression": {
      const callee = node.callee as Node;
      const args = node.arguments as Node[];
      return callee.type === "Identifier" && callee.name === "require" && args.length >= 1 ? stringValue(args[0]) : undefined;
    }
    default:
      return undefined;
  }
}

/**
 * `import "x"` (no clause: a side effect the bundle keeps) rather than `import {} from "x"` (binds nothing:
 * erased). oxc gives both an empty specifier list, so look at what stands between `import` and the
 * specifier once comments are blanked out.
 */
function isBare(node: Node, text: string, comments: { start: number; end: number }[]): boolean {
  const from = node.start + "import".length;
  const to = (node.source as Node).start;
  let between = "";
  let at = from;
  for (const c of comments) {
    if (c.end <= from || c.start >= to) continue;
    between += text.slice(at, c.start);
    at = c.end;
  }
  between += text.slice(at, to);
  return between.trim() === "";
}

/** Offsets where each line starts, with TypeScript's line breaks: \n, \r\n, \r, U+2028, U+2029. */
function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 13 && text.charCodeAt(i + 1) === 10) i++;
    if (c === 10 || c === 13 || c === 0x2028 || c === 0x2029) starts.push(i + 1);
  }
  return starts;
}

/** 1-based line and column of a UTF-16 offset (oxc's offsets, like TypeScript's, count UTF-16 code units). */
function positionOf(starts: number[], at: number): { line: number; col: number } {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= at) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo + 1, col: at - starts[lo]! + 1 };
}
