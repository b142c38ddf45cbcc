import { docsDir, type DocPage, listPages, loadNav, type NavSection, resolveSlug } from "./content";
import { type RenderedDoc, renderPage } from "./render";
import { indexEntry, type SearchEntry } from "./search";

export interface DocsSite {
  dir: string;
  pages: DocPage[];
  nav: NavSection[];
}

/** The docs as they are on disk now (a handful of files: listing them per request costs little). */
export function docsSite(): DocsSite {
  const dir = docsDir();
  const pages = listPages(dir);
  return { dir, pages, nav: loadNav(dir, pages) };
}

const sourceUrl = () => process.env.OLYMPUS_SOURCE_URL?.trim() || undefined;

export function findPage(site: DocsSite, segments: string[] | undefined): DocPage | undefined {
  return resolveSlug(segments, site.pages);
}

export function render(site: DocsSite, page: DocPage): RenderedDoc {
  return renderPage(page, site.dir, site.pages, sourceUrl());
}

/** The search index: title, h2/h3 headings and plain text of every page. */
export function buildSearchIndex(site: DocsSite = docsSite()): SearchEntry[] {
  return site.pages.map((p) => {
    const doc = render(site, p);
    return indexEntry(
      p.slug,
      doc.title,
      doc.headings.filter((h) => h.depth === 2 || h.depth === 3).map(({ id, text }) => ({ id, text })),
      doc.text,
    );
  });
}
