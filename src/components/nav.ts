/**
 * The prose pages (content/*.mdx) and the sidebar built from them. Pages are imported directly with
 * import.meta.glob, so Vite watches and hot-reloads them in `npm run dev`.
 */
import type { MarkdownHeading } from "astro";
import { z } from "zod";
import { KIND_INFO, KINDS, type Kind } from "../core/schema/kinds.ts";
import { getSite } from "../site/data.ts";

export const Frontmatter = z.strictObject({
  title: z.string().min(1),
  description: z.string().min(1),
  /** Position in the sidebar. */
  order: z.number(),
  /** Shorter sidebar label. */
  nav: z.string().optional(),
});
export type Frontmatter = z.infer<typeof Frontmatter>;

export interface MdxModule {
  default: (props: Record<string, unknown>) => unknown;
  frontmatter: unknown;
  getHeadings(): MarkdownHeading[];
}

/** "@content" is content/ (or SITE_CONTENT_DIR, used by the bench), aliased in astro.config.mjs. */
const modules = import.meta.glob<MdxModule>("@content/*.mdx", { eager: true });

export interface ContentPage {
  /** Site path: "/" for content/index.mdx, "/name/" otherwise. */
  href: string;
  /** Repository-relative source, e.g. content/flag-guide.mdx. */
  file: string;
  slug: string | undefined;
  data: Frontmatter;
  module: MdxModule;
}

export function contentPages(): ContentPage[] {
  return Object.entries(modules)
    .map(([path, module]) => {
      const name = path.replace(/^.*\/([^/]+)\.mdx$/, "$1");
      const file = `content/${name}.mdx`;
      const parsed = Frontmatter.safeParse(module.frontmatter);
      if (!parsed.success) {
        throw new Error(`${file}: invalid frontmatter: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
      }
      return {
        href: name === "index" ? "/" : `/${name}/`,
        file,
        slug: name === "index" ? undefined : name,
        data: parsed.data,
        module,
      };
    })
    .sort((a, b) => a.data.order - b.data.order);
}

export interface NavLink {
  href: string;
  label: string;
  count?: number;
}

export function sidebar(): { guides: NavLink[]; records: NavLink[] } {
  const site = getSite();
  return {
    guides: contentPages().map((p) => ({ href: p.href, label: p.data.nav ?? p.data.title })),
    records: KINDS.map((k: Kind) => ({ href: `/${KIND_INFO[k].path}/`, label: KIND_INFO[k].title, count: site.entries(k).length })),
  };
}

/** Previous and next pages of a sidebar page, in the sidebar's order (guides, then record kinds); none elsewhere. */
export function pagerFor(path: string): { prev?: NavLink; next?: NavLink } {
  const nav = sidebar();
  const order = [...nav.guides, ...nav.records].map(({ href, label }) => ({ href, label }));
  const i = order.findIndex((l) => l.href === path);
  if (i < 0) return {};
  return { ...(i > 0 ? { prev: order[i - 1] } : {}), ...(i < order.length - 1 ? { next: order[i + 1] } : {}) };
}
