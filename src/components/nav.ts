/**
 * The prose pages (content/*.mdx) and the sidebar built from them. Pages are imported directly with
 * import.meta.glob, so Vite watches and hot-reloads them in `npm run dev`.
 */
import type { MarkdownHeading } from "astro";
import { z } from "zod";
import { KINDS, type Kind } from "../core/schema/kinds.ts";
import { getSite, KIND_PATH, KIND_TITLE } from "../core/site/data.ts";

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

const modules = import.meta.glob<MdxModule>("/content/*.mdx");
const frontmatters = import.meta.glob<unknown>("/content/*.mdx", { eager: true, import: "frontmatter" });

export interface ContentPage {
  /** Site path: "/" for content/index.mdx, "/name/" otherwise. */
  href: string;
  /** Repository-relative source, e.g. content/flag-guide.mdx. */
  file: string;
  slug: string | undefined;
  data: Frontmatter;
  load: () => Promise<MdxModule>;
}

export function contentPages(): ContentPage[] {
  return Object.entries(frontmatters)
    .map(([path, fm]) => {
      const name = path.replace(/^.*\/([^/]+)\.mdx$/, "$1");
      const parsed = Frontmatter.safeParse(fm);
      if (!parsed.success) {
        throw new Error(`${path.slice(1)}: invalid frontmatter: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
      }
      return {
        href: name === "index" ? "/" : `/${name}/`,
        file: path.slice(1),
        slug: name === "index" ? undefined : name,
        data: parsed.data,
        load: modules[path]!,
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
    records: KINDS.map((k: Kind) => ({ href: `/${KIND_PATH[k]}/`, label: KIND_TITLE[k], count: site.entries(k).length })),
  };
}
