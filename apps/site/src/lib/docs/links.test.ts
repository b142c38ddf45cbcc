import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { docsDir, listPages } from "./content";
import { renderPage } from "./render";

// The link checker: renders every docs page exactly as the Site does and checks that each internal link
// resolves — to a page (and its anchor), a Site route, or a file in the repository.
const dir = docsDir({}, join(__dirname, "../../.."));
const repoRoot = resolve(dir, "..");
const pages = listPages(dir);
const rendered = new Map(pages.map((p) => [p.slug, renderPage(p, dir, pages)]));

describe("docs link checker", () => {
  it("found the docs", () => {
    expect(pages.length).toBeGreaterThan(5);
  });

  for (const page of pages) {
    it(`every link in ${page.slug}.md resolves`, () => {
      const doc = rendered.get(page.slug)!;
      const problems: string[] = [];
      for (const link of doc.links) {
        switch (link.kind) {
          case "broken":
            problems.push(`${link.href}: ${link.reason}`);
            break;
          case "page": {
            const target = rendered.get(link.slug);
            if (!target) problems.push(`${link.href}: no page ${link.slug}`);
            else if (link.fragment && !target.ids.includes(link.fragment))
              problems.push(
                `${link.href}: ${link.slug} has no anchor #${link.fragment} (has ${target.ids.join(", ")})`,
              );
            break;
          }
          case "repo":
            if (!existsSync(join(repoRoot, link.path)))
              problems.push(`${link.href}: no file ${link.path} in the repository`);
            break;
          case "site":
          case "external":
            break;
        }
      }
      expect(problems).toEqual([]);
    });
  }

  it("rewrites links between pages to Site URLs and keeps anchors", () => {
    const html = rendered.get("getting-started")!.html;
    expect(html).toContain('href="/docs/architecture"');
    expect(html).toContain('href="/docs/deploying#postgresql"');
    expect(html).not.toMatch(/href="[^"]*\.md/);
  });

  it("gives every heading an id", () => {
    for (const [slug, doc] of rendered) {
      for (const h of doc.headings) expect(h.id, `${slug}: ${h.text}`).toMatch(/^[a-z0-9-_]+$/);
    }
  });
});
