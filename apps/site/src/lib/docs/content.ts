import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve, sep } from "node:path";

/** One markdown file of docs/, addressed on the Site as /docs/<slug>. */
export interface DocPage {
  /** "configuration" or "guides/first-client". */
  slug: string;
  /** Absolute path of the markdown file. */
  file: string;
  title: string;
}

export interface NavSection {
  title: string;
  pages: { slug: string; title: string }[];
}

const SEGMENT = /^[a-z0-9][a-z0-9._-]*$/i;

/**
 * Where the markdown lives: OLYMPUS_DOCS_DIR, else the repository's docs/ seen from the Site's folder
 * (apps/site in development and builds; the standalone output keeps the same layout, see next.config.ts),
 * else ./docs.
 */
export function docsDir(env: Record<string, string | undefined> = process.env, cwd = process.cwd()): string {
  const configured = env.OLYMPUS_DOCS_DIR?.trim();
  if (configured) return resolve(cwd, configured);
  for (const candidate of [resolve(cwd, "../../docs"), resolve(cwd, "docs")]) {
    if (existsSync(join(candidate, "_nav.json"))) return candidate;
  }
  return resolve(cwd, "../../docs");
}

/** The first `# ` heading of a markdown text, else the fallback. */
export function titleOf(markdown: string, fallback: string): string {
  const m = /^#\s+(.+?)\s*#*\s*$/m.exec(markdown);
  return m ? m[1]!.replace(/[`*_]/g, "") : fallback;
}

/** Every markdown page under `dir`, skipping files and folders whose names start with `_` or `.`. */
export function listPages(dir: string): DocPage[] {
  const out: DocPage[] = [];
  const walk = (folder: string) => {
    if (!existsSync(folder)) return;
    for (const name of readdirSync(folder).sort()) {
      if (name.startsWith("_") || name.startsWith(".")) continue;
      const full = join(folder, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (name.endsWith(".md")) {
        const slug = relative(dir, full).slice(0, -3).split(sep).join("/");
        if (!slug.split("/").every((s) => SEGMENT.test(s))) continue;
        out.push({ slug, file: full, title: titleOf(readFileSync(full, "utf8"), slug) });
      }
    }
  };
  walk(dir);
  return out;
}

interface NavFile {
  sections: { title: string; pages: string[] }[];
}

/**
 * The sidebar: sections and their order from docs/_nav.json; pages that exist but are not listed there
 * are appended under "More" so nothing written is unreachable, and listed pages that do not exist are
 * left out (the docs test reports both).
 */
export function loadNav(dir: string, pages: DocPage[] = listPages(dir)): NavSection[] {
  const bySlug = new Map(pages.map((p) => [p.slug, p]));
  let nav: NavFile = { sections: [] };
  const file = join(dir, "_nav.json");
  if (existsSync(file)) nav = JSON.parse(readFileSync(file, "utf8")) as NavFile;
  const listed = new Set<string>();
  const sections: NavSection[] = nav.sections.map((s) => ({
    title: s.title,
    pages: s.pages.flatMap((slug) => {
      const p = bySlug.get(slug);
      if (!p) return [];
      listed.add(slug);
      return [{ slug, title: p.title }];
    }),
  }));
  const rest = pages.filter((p) => !listed.has(p.slug));
  if (rest.length)
    sections.push({ title: "More", pages: rest.map((p) => ({ slug: p.slug, title: p.title })) });
  return sections.filter((s) => s.pages.length > 0);
}

/** The nav file's raw entries, for the docs test. */
export function navEntries(dir: string): string[] {
  const file = join(dir, "_nav.json");
  if (!existsSync(file)) return [];
  return (JSON.parse(readFileSync(file, "utf8")) as NavFile).sections.flatMap((s) => s.pages);
}

/** Maps a URL's catch-all segments to a page; anything not a known page (including `..`) is undefined. */
export function resolveSlug(segments: readonly string[] | undefined, pages: DocPage[]): DocPage | undefined {
  if (!segments?.length) return undefined;
  const decoded = segments.map((s) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return "";
    }
  });
  if (!decoded.every((s) => SEGMENT.test(s) && s !== "." && s !== "..")) return undefined;
  let slug = decoded.join("/");
  if (slug.endsWith(".md")) slug = slug.slice(0, -3);
  return pages.find((p) => p.slug === slug);
}

/** The Site URL of a page. */
export function pageHref(slug: string): string {
  return `/docs/${slug}`;
}

/** Previous and next pages in sidebar order. */
export function neighbours(nav: NavSection[], slug: string) {
  const flat = nav.flatMap((s) => s.pages);
  const i = flat.findIndex((p) => p.slug === slug);
  return {
    prev: i > 0 ? flat[i - 1] : undefined,
    next: i >= 0 && i < flat.length - 1 ? flat[i + 1] : undefined,
  };
}
