/**
 * No code from the tree runs in our tools. A Bun macro (`import { x } from "./m.ts" with { type: "macro" }`,
 * the older `assert { type: "macro" }`) runs while Bun bundles the file that imports it: inside verify (the
 * variant builds, the size helper) and inside `npm run diff` measuring a base. So before any build starts,
 * every script file of the repository (outside node_modules, where Bun refuses macros itself, .git and the
 * output and cache folders) is searched for one, and a tree that has one is refused (`macro-import`, at the
 * "macro" text) and never built. The whole repository, not only what the entries import: tsconfig paths and
 * package imports lead the bundler to files a scan of relative imports would not see. Dynamic imports with
 * `{ with: { type: "macro" } }` are refused too (Bun 1.4 does not run them, a later one might).
 *
 * Found with the TypeScript parser, never with Bun's: `Bun.Transpiler#scan` and `transformSync` run macros
 * while they parse. A file is parsed only when its text, with every escape decoded, contains "macro" (an
 * attribute must spell the word, escapes allowed), so the parser loads only for the few files that mention
 * the word; their verdict is kept in the store by content, so a warm run parses nothing.
 */
import { closeSync, constants, fstatSync, lstatSync, openSync, readFileSync, realpathSync } from "node:fs";
import { join } from "node:path";
import type ts from "typescript";
import { hashContent, isRecord, openStore } from "../core/cache/store.ts";
import { isInside, readInside } from "../core/fs/safe-fs.ts";
import { walkTree } from "../core/fs/walk-tree.ts";
import { diagnostic, type Diagnostic } from "../core/report/diagnostics.ts";

/** Files a bundler may read as code. */
const SCRIPT = /\.(?:[cm]?[jt]sx?)$/;
/** Folders never searched: packages (Bun refuses macros there), git's own, and what builds and caches write. */
const SKIPPED = new Set(["node_modules", ".git", ".cache", "dist", ".astro"]);
/** A script file larger than this is not searched but refused: no one writes code that large by hand. */
const MAX_SCRIPT_BYTES = 8 * 1024 * 1024;

export interface MacroScan {
  diagnostics: Diagnostic[];
  /** Texts of the files with findings, for code frames. */
  texts: Map<string, string>;
  /** Script files searched, and how many were parsed (not settled by the word test or the cache). */
  files: number;
  parsed: number;
}

/**
 * Every script file below `root`, repository-relative, sorted, and the links that lead out of the repository
 * (to a script file or a folder: the bundler would read what they point at, which is not searched). Links that
 * stay inside are not followed: what they point at is searched in its own place.
 */
export function scriptFiles(root: string): string[] & { outside?: string[]; linked?: Set<string> } {
  const out: string[] & { outside?: string[]; linked?: Set<string> } = [];
  const linked = new Set<string>();
  const outside: string[] = [];
  let realRoot: string;
  try {
    realRoot = realpathSync(root);
  } catch {
    realRoot = root;
  }
  for (const { rel: child, name, stat: st } of walkTree(root, (name) => SKIPPED.has(name))) {
    if (st.isFile() && SCRIPT.test(name)) out.push(child);
    else if (st.isSymbolicLink()) {
      let target: string | undefined;
      try {
        target = realpathSync(join(root, child));
      } catch {
        target = undefined; // dangling: nothing to read
      }
      if (target === undefined) continue;
      if (!isInside(realRoot, target)) {
        if (SCRIPT.test(name) || lstatSync(target).isDirectory()) outside.push(child);
      } else if (SCRIPT.test(name)) {
        out.push(child);
        linked.add(child);
      }
    }
  }
  out.outside = outside;
  out.linked = linked;
  return out;
}

const SINGLE: Record<string, string> = { b: "\b", f: "\f", n: "\n", r: "\r", t: "\t", v: "\v" };

/** The text with every string escape decoded as a JavaScript string literal would decode it (applied everywhere: an over-approximation). */
export function decodeEscapes(text: string): string {
  return text.replace(
    /\\(?:u\{([0-9a-fA-F]+)\}|u([0-9a-fA-F]{4})|x([0-9a-fA-F]{2})|([0-7]{1,3})|(\r\n|[\n\r\u2028\u2029])|([\s\S]))/g,
    (_m, cp, u4, x2, oct, _nl, other) => {
      const code = cp ?? u4 ?? x2;
      if (code !== undefined) {
        const n = parseInt(code, 16);
        return n <= 0x10ffff ? String.fromCodePoint(n) : "";
      }
      if (oct !== undefined) return String.fromCharCode(parseInt(oct, 8));
      return other === undefined ? "" : (SINGLE[other] ?? other);
    },
  );
}

/**
 * Whether a file may hold a macro import: "macro" in it once escapes are decoded. Bun matches the attribute
 * exactly, so only escapes that can yield one of its letters need decoding: \u, \x, octal, a line continuation,
 * or \m \a \c \o written for the letter itself (\r is a carriage return).
 */
export const mentionsMacro = (text: string) =>
  text.includes("macro") || (/\\[uxmaco0-7\n\r\u2028\u2029]/.test(text) && decodeEscapes(text).includes("macro"));

/** A regular file the walk found (no link on its way): opened without following a link or blocking, size-checked on the open file. */
function readWalked(root: string, file: string): string | null | undefined {
  let fd: number;
  try {
    fd = openSync(join(root, file), constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch {
    return undefined;
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) return undefined;
    return st.size <= MAX_SCRIPT_BYTES ? readFileSync(fd, "utf8") : null;
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/** A link to a script file inside the repository, read through safe-fs (its real path confined to the root). */
function readLinked(root: string, file: string): string | null | undefined {
  const read = readInside(root, file, MAX_SCRIPT_BYTES);
  if ("refusal" in read) return read.refusal.rule === "file-too-large" ? null : undefined;
  return read.bytes.toString("utf8");
}

const stringValue = (tsm: typeof ts, e: ts.Expression | undefined): string | undefined =>
  e && (tsm.isStringLiteral(e) || tsm.isNoSubstitutionTemplateLiteral(e)) ? e.text : undefined;
const nameText = (tsm: typeof ts, n: ts.Node): string | undefined => (tsm.isIdentifier(n) || tsm.isStringLiteral(n) ? n.text : undefined);

/** Every macro import in one parsed file: the node to point at and what to say. */
export function macroImportsIn(tsm: typeof ts, sf: ts.SourceFile): { node: ts.Node; message: string }[] {
  const out: { node: ts.Node; message: string }[] = [];
  const visit = (node: ts.Node): void => {
    if ((tsm.isImportDeclaration(node) || tsm.isExportDeclaration(node)) && node.attributes) {
      const keyword = node.attributes.token === tsm.SyntaxKind.AssertKeyword ? "assert" : "with";
      for (const a of node.attributes.elements) {
        if (nameText(tsm, a.name) === "type" && stringValue(tsm, a.value) === "macro") {
          const spec = node.moduleSpecifier && tsm.isStringLiteral(node.moduleSpecifier) ? node.moduleSpecifier.text : "?";
          const what = tsm.isImportDeclaration(node) ? "import" : "re-export";
          out.push({
            node: a.value,
            message: `${what} of "${spec}" ${keyword} { type: "macro" }: Bun would run its code while bundling, inside our tools`,
          });
        }
      }
    } else if (tsm.isCallExpression(node) && node.expression.kind === tsm.SyntaxKind.ImportKeyword && node.arguments.length >= 2) {
      const options = node.arguments[1]!;
      if (tsm.isObjectLiteralExpression(options)) {
        for (const p of options.properties) {
          const key = p.name ? nameText(tsm, p.name) : undefined;
          if ((key !== "with" && key !== "assert") || !tsm.isPropertyAssignment(p) || !tsm.isObjectLiteralExpression(p.initializer))
            continue;
          for (const q of p.initializer.properties) {
            if (!q.name || nameText(tsm, q.name) !== "type") continue;
            const value = tsm.isPropertyAssignment(q) ? q.initializer : undefined;
            const literal = stringValue(tsm, value);
            // A computed type could be "macro" at bundle time: only a plain other literal is let through.
            if (literal === "macro" || (literal === undefined && value !== undefined)) {
              const spec = stringValue(tsm, node.arguments[0]) ?? "…";
              const type = literal === undefined ? "a computed type" : 'type: "macro"';
              out.push({
                node: value ?? q,
                message: `dynamic import of "${spec}" ${key} ${type}: a macro import, which Bun may run while bundling, inside our tools`,
              });
            }
          }
        }
      }
    }
    tsm.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

interface Finding {
  file: string;
  line: number;
  col: number;
  message: string;
}
const isFinding = (v: unknown): v is Finding =>
  isRecord(v) && typeof v.file === "string" && typeof v.line === "number" && typeof v.col === "number" && typeof v.message === "string";
const validate = (v: unknown): Finding[] | undefined => (Array.isArray(v) && v.every(isFinding) ? v : undefined);

const HINT = "import the module normally and call it at run time, or compute the value with npm run generate";

/**
 * Searches the repository at `root` for macro imports; `useCache` keeps the verdict on the files that mention
 * the word (by their paths and contents) in the store (src/core/cache/store.ts).
 */
export async function findMacroImports(root: string, options: { cache?: boolean } = {}): Promise<MacroScan> {
  const texts = new Map<string, string>();
  const candidates: { file: string; text: string }[] = [];
  const diagnostics: Diagnostic[] = [];
  const files = scriptFiles(root);
  for (const link of files.outside ?? []) {
    diagnostics.push(
      diagnostic(
        "macro-import",
        { file: link, line: 1, col: 1 },
        `${link} is a link leading outside the repository: a build could read code there that was never searched for macro imports, so nothing is built`,
        "commit the file itself instead of a link to it",
      ),
    );
  }
  for (const file of files) {
    const text = files.linked?.has(file) ? readLinked(root, file) : readWalked(root, file);
    if (text === undefined) continue; // gone, or not a regular file any more: the bundler's own error
    if (text === null) {
      diagnostics.push(
        diagnostic(
          "macro-import",
          { file, line: 1, col: 1 },
          `${file} is over ${MAX_SCRIPT_BYTES / 1024 / 1024} MiB: it was not searched for macro imports, so nothing is built`,
          "keep generated or vendored bundles out of the repository's sources",
        ),
      );
      continue;
    }
    if (mentionsMacro(text)) candidates.push({ file, text });
  }
  if (!candidates.length) return { diagnostics, texts, files: files.length, parsed: 0 };
  const store = options.cache === false ? undefined : openStore(root);
  const key = store?.key(...candidates.flatMap((c) => [c.file, hashContent(c.text)]));
  let findings = store && key ? store.get("macro-imports", key, validate) : undefined;
  let parsed = 0;
  if (!findings) {
    const tsm = (await import("typescript")).default;
    findings = [];
    for (const c of candidates) {
      parsed++;
      const kind = /\.[cm]?tsx$|\.jsx$/.test(c.file)
        ? tsm.ScriptKind.TSX
        : /\.[cm]?ts$/.test(c.file)
          ? tsm.ScriptKind.TS
          : tsm.ScriptKind.JS;
      const sf = tsm.createSourceFile(c.file, c.text, tsm.ScriptTarget.Latest, true, kind);
      for (const f of macroImportsIn(tsm, sf)) {
        const p = sf.getLineAndCharacterOfPosition(f.node.getStart(sf));
        findings.push({ file: c.file, line: p.line + 1, col: p.character + 1, message: f.message });
      }
    }
    if (store && key) store.set("macro-imports", key, findings);
  }
  for (const f of findings) {
    diagnostics.push(
      diagnostic(
        "macro-import",
        { file: f.file, line: f.line, col: f.col },
        `${f.message}; nothing is built from a tree with a macro import`,
        HINT,
      ),
    );
    texts.set(f.file, candidates.find((c) => c.file === f.file)?.text ?? "");
  }
  return { diagnostics, texts, files: files.length, parsed };
}
