/**
 * The only ways record text may reach a page as HTML. Everything else goes through Astro's `{expr}`,
 * which escapes. Markdown in record fields is inline only, raw HTML off, images off, and links limited to
 * http(s), mailto and relative URLs.
 */
import MarkdownIt from "markdown-it";

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
