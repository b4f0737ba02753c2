/**
 * The only ways record text may reach a page as HTML. Everything else goes through Astro's `{expr}`,
 * which escapes. Markdown in record fields is inline only, raw HTML off, images off, and links limited to
 * http(s), mailto and relative URLs.
 */
import { realpathSync } from "node:fs";
import { join, relative, resolve, sep } from "node:path";
import MarkdownIt from "markdown-it";
import { diagnostic, fileStart, type Diagnostic } from "../core/report/diagnostics.ts";
import { walkInside } from "../core/fs/safe-fs.ts";

const SCHEME = /^([a-z][a-z0-9+.-]*):/i;

/** True for http(s):, mailto: and relative URLs; false for javascript:, data:, vbscript:, protocol-relative //x, etc. */
export function isSafeUrl(raw: string): boolean {
  // Browsers drop ASCII tab/newline and leading/trailing C0 controls and spaces before parsing a URL.
  const url = raw.replace(/[\t\n\r]/g, "").replace(/^[\u0000-\u0020]+|[\u0000-\u0020]+$/g, "");
  if (url.startsWith("//") || url.startsWith("\\")) return false;
  const scheme = SCHEME.exec(url);
  if (scheme) return ["http", "https", "mailto"].includes(scheme[1]!.toLowerCase());
  // No scheme: relative. A colon before the first / ? # would make it look like one to some parsers.
  const head = url.split(/[/?#]/, 1)[0] ?? "";
  return !head.includes(":");
}

const md = new MarkdownIt({ html: false, linkify: false, typographer: false, breaks: false });
md.disable(["image", "html_inline", "html_block"]);
md.validateLink = (url: string) => isSafeUrl(url);
// Record text names identifiers (__proto__, snake_case_name, FLAG_NAME): a run of underscores is always
// literal text, never emphasis, so only asterisks make **strong** and *em*. Runs before the emphasis rule;
// code spans, links and escapes are parsed by their own rules first.
md.inline.ruler.before("emphasis", "literal_underscores", (state, silent) => {
  if (state.src.charCodeAt(state.pos) !== 0x5f /* _ */) return false;
  let end = state.pos;
  while (end < state.posMax && state.src.charCodeAt(end) === 0x5f) end++;
  if (!silent) state.pending += state.src.slice(state.pos, end);
  state.pos = end;
  return true;
});
md.renderer.rules.link_open = (tokens, idx, options, _env, self) => {
  const token = tokens[idx]!;
  const href = String(token.attrGet("href") ?? "");
  if (SCHEME.test(href)) token.attrSet("rel", "nofollow noopener noreferrer");
  return self.renderToken(tokens, idx, options);
};

/** Inline Markdown (code spans, emphasis, safe links) of one record field, as escaped HTML. */
export function inlineMarkdown(text: string): string {
  return md.renderInline(text);
}

/** JSON for a `<script type="application/json">` or inline script: `<`, U+2028 and U+2029 escaped. */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, "\\u003c")
    .replace(/>/g, "\\u003e")
    .replace(/&/g, "\\u0026")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

const ENTITIES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** Escapes text for HTML content or a quoted attribute. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

/** Reverses the escapes Astro and escapeHtml produce, for re-using text taken from rendered HTML. */
export function unescapeHtml(html: string): string {
  return html.replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos|#39);/gi, (_, e: string) => {
    const lower = e.toLowerCase();
    if (lower === "amp") return "&";
    if (lower === "lt") return "<";
    if (lower === "gt") return ">";
    if (lower === "quot") return '"';
    if (lower === "apos") return "'";
    const code = lower.startsWith("#x") ? parseInt(lower.slice(2), 16) : parseInt(lower.slice(1), 10);
    return Number.isFinite(code) ? String.fromCodePoint(code) : "";
  });
}

/**
 * The static folder (public/) is copied into the site byte for byte and served, so every entry must be a
 * regular file or folder whose real path stays inside the repository: a link to /etc/passwd would publish
 * it, a FIFO would hang the copy. One diagnostic per refused entry (`public/leak.txt:1:1: error
 * outside-repository: …`); empty when all is well or the folder does not exist.
 */
export function checkPublicFiles(root: string, rel = "public"): Diagnostic[] {
  const out: Diagnostic[] = [];
  let realRoot: string;
  let realPublic: string;
  try {
    realRoot = realpathSync(root);
    realPublic = realpathSync(resolve(root, rel));
  } catch {
    realRoot = resolve(root);
    realPublic = resolve(root, rel);
  }
  const lexical = (p: string) => join(realRoot, relative(resolve(root), p));
  const hidden = (real: string) =>
    relative(realRoot, real)
      .split(sep)
      .some((seg) => seg.startsWith("."));
  const intoHidden = (file: string, real: string): Diagnostic =>
    diagnostic(
      "outside-repository",
      fileStart(file),
      `${file} is a link to ${relative(realRoot, real).split(sep).join("/")}, a hidden path of the repository that is never published`,
      "commit the file itself instead of a symbolic link to it",
    );
  // public/ itself a link to .git/ (say) would make everything below look like plain files.
  if (realPublic !== lexical(resolve(root, rel)) && hidden(realPublic)) return [intoHidden(rel, realPublic)];
  for (const e of walkInside(root, rel)) {
    if (e.kind === "refused") {
      out.push(diagnostic(e.refusal.rule, fileStart(e.rel), e.refusal.message, e.refusal.hint));
      continue;
    }
    // A link may stay inside the repository and still reach what was never committed: .git/config holds CI's
    // checkout token, .env files hold secrets. A file reached through a link into a hidden path is refused.
    const full = resolve(root, e.rel);
    let real: string;
    try {
      real = realpathSync(full);
    } catch {
      continue;
    }
    if (real === lexical(full) || real.startsWith(realPublic + sep)) continue;
    if (hidden(real)) out.push(intoHidden(e.rel, real));
  }
  return out;
}
