import { readFileSync, statSync } from "node:fs";
import { dirname, relative, resolve, sep } from "node:path";
import type { Element, Root } from "hast";
import { toString as hastToString } from "hast-util-to-string";
import rehypeHighlight from "rehype-highlight";
import rehypeSanitize from "rehype-sanitize";
import rehypeSlug from "rehype-slug";
import rehypeStringify from "rehype-stringify";
import remarkGfm from "remark-gfm";
import remarkParse from "remark-parse";
import remarkRehype from "remark-rehype";
import { unified } from "unified";
import { visit } from "unist-util-visit";
import { type DocPage, pageHref, titleOf } from "./content";

/** Routes of the Site that docs may link to with an absolute path. */
export const SITE_ROUTES = ["/", "/docs", "/playground"];

/** Where a link in a docs page points, once resolved. */
export type DocLink =
  | { kind: "external"; href: string }
  | { kind: "page"; href: string; slug: string; fragment?: string }
  | { kind: "site"; href: string; path: string }
  | { kind: "repo"; href: string; path: string; fragment?: string }
  | { kind: "broken"; href: string; reason: string };

export interface Heading {
  depth: number;
  id: string;
  text: string;
}

export interface RenderedDoc {
  title: string;
  html: string;
  headings: Heading[];
  /** Every element id in the page (anchors a link may target). */
  ids: string[];
  links: DocLink[];
  /** The page as plain text, for the search index. */
  text: string;
}

export interface RenderContext {
  docsRoot: string;
  /** The repository root; links to files outside docs/ are checked against it. */
  repoRoot: string;
  /** The slug of the page being rendered. */
  slug: string;
  /** All pages, to resolve links to extensionless paths. */
  pages: DocPage[];
  /** A base URL for links to repository files (e.g. a code host's tree URL); without it they render as text. */
  sourceUrl?: string;
}

/** Resolves an href as written in docs/<slug>.md. */
export function classifyLink(href: string, ctx: RenderContext): DocLink {
  if (/^[a-z][a-z0-9+.-]*:/i.test(href) || href.startsWith("//")) return { kind: "external", href };
  const hash = href.indexOf("#");
  const path = hash >= 0 ? href.slice(0, hash) : href;
  const fragment = hash >= 0 ? decodeURIComponent(href.slice(hash + 1)) : undefined;
  const withFragment = <T extends object>(o: T) => (fragment ? { ...o, fragment } : o);
  if (path === "") return { kind: "page", href, slug: ctx.slug, ...withFragment({}) };
  if (path.startsWith("/docs/")) {
    const slug = path.slice("/docs/".length).replace(/\/$/, "").replace(/\.md$/, "");
    if (ctx.pages.some((p) => p.slug === slug)) return { kind: "page", href, slug, ...withFragment({}) };
    return { kind: "broken", href, reason: `no docs page ${slug}` };
  }
  if (path.startsWith("/")) {
    const clean = path.replace(/\/$/, "") || "/";
    if (SITE_ROUTES.includes(clean)) return { kind: "site", href, path: clean };
    return { kind: "broken", href, reason: `no Site route ${clean}` };
  }
  const from = dirname(resolve(ctx.docsRoot, `${ctx.slug}.md`));
  const target = resolve(from, decodeURIComponent(path));
  const inDocs = relative(ctx.docsRoot, target);
  if (!inDocs.startsWith("..") && !inDocs.startsWith(sep)) {
    const slug = inDocs.split(sep).join("/").replace(/\.md$/, "");
    if (ctx.pages.some((p) => p.slug === slug)) return { kind: "page", href, slug, ...withFragment({}) };
  }
  const inRepo = relative(ctx.repoRoot, target);
  if (inRepo.startsWith("..")) return { kind: "broken", href, reason: "points outside the repository" };
  return { kind: "repo", href, path: inRepo.split(sep).join("/") || ".", ...withFragment({}) };
}

function rewriteLinks(ctx: RenderContext, links: DocLink[]) {
  return (tree: Root) => {
    visit(tree, "element", (node: Element) => {
      if (node.tagName !== "a" || typeof node.properties.href !== "string") return;
      const link = classifyLink(node.properties.href, ctx);
      links.push(link);
      switch (link.kind) {
        case "external":
          if (/^https?:/i.test(link.href)) node.properties.rel = ["noopener", "noreferrer"];
          break;
        case "page":
          node.properties.href =
            link.slug === ctx.slug && link.fragment
              ? `#${link.fragment}`
              : `${pageHref(link.slug)}${link.fragment ? `#${link.fragment}` : ""}`;
          break;
        case "site":
          break;
        case "repo":
          if (ctx.sourceUrl) {
            node.properties.href = `${ctx.sourceUrl.replace(/\/$/, "")}/${link.path}${link.fragment ? `#${link.fragment}` : ""}`;
            node.properties.rel = ["noopener", "noreferrer"];
          } else {
            node.tagName = "span";
            node.properties = { className: ["repo-path"], title: `${link.path} in the Olympus repository` };
          }
          break;
        case "broken":
          node.tagName = "span";
          node.properties = { className: ["broken-link"], title: link.reason };
          break;
      }
    });
  };
}

function collect(headings: Heading[], ids: string[]) {
  return (tree: Root) => {
    visit(tree, "element", (node: Element) => {
      const id = node.properties.id;
      if (typeof id === "string") ids.push(id);
      const depth = /^h([1-6])$/.exec(node.tagName)?.[1];
      if (depth && typeof id === "string")
        headings.push({ depth: Number(depth), id, text: hastToString(node) });
    });
  };
}

/**
 * Markdown to safe HTML: GFM, sanitized with GitHub's schema (raw HTML in markdown is dropped), then
 * heading ids (github-slugger, as GitHub names anchors), link rewriting and code highlighting — all
 * after sanitizing, so only our own plugins add attributes.
 */
export function renderMarkdown(markdown: string, ctx: RenderContext): RenderedDoc {
  const headings: Heading[] = [];
  const ids: string[] = [];
  const links: DocLink[] = [];
  let text = "";
  const processor = unified()
    .use(remarkParse)
    .use(remarkGfm)
    .use(remarkRehype)
    .use(rehypeSanitize)
    .use(rehypeSlug)
    .use(() => rewriteLinks(ctx, links))
    .use(() => collect(headings, ids))
    .use(() => (tree: Root) => {
      text = hastToString(tree).replace(/\s+/g, " ").trim();
    })
    .use(rehypeHighlight, { detect: false })
    .use(rehypeStringify);
  const html = String(processor.processSync(markdown));
  return { title: titleOf(markdown, ctx.slug), html, headings, ids, links, text };
}

const cache = new Map<string, { mtimeMs: number; sourceUrl?: string; doc: RenderedDoc }>();

/** Renders a page from disk, cached until the file changes. */
export function renderPage(
  page: DocPage,
  docsRoot: string,
  pages: DocPage[],
  sourceUrl?: string,
): RenderedDoc {
  const { mtimeMs } = statSync(page.file);
  const hit = cache.get(page.file);
  if (hit && hit.mtimeMs === mtimeMs && hit.sourceUrl === sourceUrl) return hit.doc;
  const doc = renderMarkdown(readFileSync(page.file, "utf8"), {
    docsRoot,
    repoRoot: resolve(docsRoot, ".."),
    slug: page.slug,
    pages,
    ...(sourceUrl ? { sourceUrl } : {}),
  });
  cache.set(page.file, { mtimeMs, ...(sourceUrl ? { sourceUrl } : {}), doc });
  return doc;
}
