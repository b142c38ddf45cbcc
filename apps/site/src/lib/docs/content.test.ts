import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { docsDir, listPages, loadNav, navEntries, neighbours, resolveSlug, titleOf } from "./content";

function fixture() {
  const dir = mkdtempSync(join(tmpdir(), "olympus-docs-"));
  writeFileSync(join(dir, "intro.md"), "# Introduction\n\nHello.\n");
  writeFileSync(join(dir, "config.md"), "Some text first\n\n# Config `keys`\n");
  writeFileSync(join(dir, "orphan.md"), "# Not in the nav\n");
  writeFileSync(join(dir, "_draft.md"), "# Draft\n");
  mkdirSync(join(dir, "guides"));
  writeFileSync(join(dir, "guides", "first-client.md"), "# Your first client\n");
  writeFileSync(
    join(dir, "_nav.json"),
    JSON.stringify({
      sections: [
        { title: "Start", pages: ["intro", "guides/first-client"] },
        { title: "Reference", pages: ["config", "missing"] },
      ],
    }),
  );
  return dir;
}

describe("docs content", () => {
  it("lists markdown pages with their titles, skipping _files", () => {
    const pages = listPages(fixture());
    expect(pages.map((p) => [p.slug, p.title])).toEqual([
      ["config", "Config keys"],
      ["guides/first-client", "Your first client"],
      ["intro", "Introduction"],
      ["orphan", "Not in the nav"],
    ]);
  });

  it("builds the sidebar from _nav.json, drops missing entries and appends unlisted pages", () => {
    const nav = loadNav(fixture());
    expect(nav).toEqual([
      {
        title: "Start",
        pages: [
          { slug: "intro", title: "Introduction" },
          { slug: "guides/first-client", title: "Your first client" },
        ],
      },
      { title: "Reference", pages: [{ slug: "config", title: "Config keys" }] },
      { title: "More", pages: [{ slug: "orphan", title: "Not in the nav" }] },
    ]);
  });

  it("resolves URL segments to pages, and nothing else", () => {
    const pages = listPages(fixture());
    expect(resolveSlug(["intro"], pages)?.slug).toBe("intro");
    expect(resolveSlug(["guides", "first-client"], pages)?.slug).toBe("guides/first-client");
    expect(resolveSlug(["intro.md"], pages)?.slug).toBe("intro");
    expect(resolveSlug(["..", "etc", "passwd"], pages)).toBeUndefined();
    expect(resolveSlug(["%2e%2e", "intro"], pages)).toBeUndefined();
    expect(resolveSlug(["_draft"], pages)).toBeUndefined();
    expect(resolveSlug(["nope"], pages)).toBeUndefined();
    expect(resolveSlug([], pages)).toBeUndefined();
    expect(resolveSlug(["%E0%A4%A"], pages)).toBeUndefined();
  });

  it("gives previous and next pages in sidebar order", () => {
    const nav = loadNav(fixture());
    expect(neighbours(nav, "guides/first-client")).toEqual({
      prev: { slug: "intro", title: "Introduction" },
      next: { slug: "config", title: "Config keys" },
    });
    expect(neighbours(nav, "intro").prev).toBeUndefined();
  });

  it("finds docs from OLYMPUS_DOCS_DIR, else the repository's docs/ from apps/site", () => {
    expect(docsDir({ OLYMPUS_DOCS_DIR: "/srv/docs" }, "/x")).toBe("/srv/docs");
    const repo = mkdtempSync(join(tmpdir(), "olympus-repo-"));
    mkdirSync(join(repo, "docs"));
    writeFileSync(join(repo, "docs", "_nav.json"), "{}");
    mkdirSync(join(repo, "apps", "site"), { recursive: true });
    expect(docsDir({}, join(repo, "apps", "site"))).toBe(join(repo, "docs"));
    expect(docsDir({}, repo)).toBe(join(repo, "docs"));
  });

  it("takes the first level-one heading as the title", () => {
    expect(titleOf("intro\n# Hello *world*\n## Sub", "x")).toBe("Hello world");
    expect(titleOf("no heading", "fallback")).toBe("fallback");
  });
});

describe("the repository's docs", () => {
  const dir = docsDir({}, join(__dirname, "../../.."));
  const pages = listPages(dir);

  it("has the pages the Site links to", () => {
    const slugs = pages.map((p) => p.slug);
    for (const s of [
      "getting-started",
      "architecture",
      "configuration",
      "ory-compatibility",
      "deploying",
      "security",
      "performance",
      "playground",
    ]) {
      expect(slugs).toContain(s);
    }
  });

  it("lists every page in _nav.json, and nothing that does not exist", () => {
    const entries = navEntries(dir);
    expect(new Set(entries)).toEqual(new Set(pages.map((p) => p.slug)));
    expect(entries.length).toBe(new Set(entries).size);
  });
});
