/** Step 4 of the site build: the Pagefind search index of the staged site, written into its pagefind/ folder. */
import { join } from "node:path";

/** Indexes every page under `dir`; returns how many were indexed, or why indexing failed. */
export async function indexSite(dir: string): Promise<{ pages: number } | { error: string }> {
  const pagefind = await import("pagefind");
  try {
    const { index, errors } = await pagefind.createIndex({});
    if (!index) return { error: `pagefind: ${errors.join("; ")}` };
    const added = await index.addDirectory({ path: dir });
    if (added.errors.length) return { error: `pagefind: ${added.errors.join("; ")}` };
    const written = await index.writeFiles({ outputPath: join(dir, "pagefind") });
    if (written.errors.length) return { error: `pagefind: ${written.errors.join("; ")}` };
    return { pages: added.page_count };
  } finally {
    await pagefind.close();
  }
}
