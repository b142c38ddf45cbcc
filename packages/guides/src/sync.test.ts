import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { exampleText, guideFiles, guidesDir, quotes, repoRoot } from "./sync";

const all = guideFiles().flatMap((path) => quotes(path, readFileSync(path, "utf8")).quotes);

function exampleSources(dir = join(repoRoot, "packages/guides/examples")): string[] {
  return readdirSync(dir).flatMap((n) => {
    const full = join(dir, n);
    if (statSync(full).isDirectory()) return exampleSources(full);
    return /\.test\.tsx?$/.test(n) ? [] : [relative(repoRoot, full)];
  });
}

describe("the guides quote the code the tests run", () => {
  it("found the guides and their quotes", () => {
    expect(guideFiles().length).toBeGreaterThanOrEqual(5);
    expect(all.length).toBeGreaterThanOrEqual(6);
  });

  for (const q of all) {
    it(`${relative(guidesDir, q.guide)} quotes ${q.file} as it is (pnpm --filter @olympus/guides sync)`, () => {
      expect(q.quoted).toBe(exampleText(q.file));
    });
  }

  it("every example file is quoted by a guide", () => {
    const quoted = new Set(all.map((q) => q.file));
    expect(exampleSources().filter((f) => !quoted.has(f))).toEqual([]);
  });

  it("every guide is in the docs navigation", () => {
    const nav = JSON.parse(readFileSync(join(repoRoot, "docs/_nav.json"), "utf8")) as {
      sections: { pages: string[] }[];
    };
    const listed = new Set(nav.sections.flatMap((s) => s.pages));
    for (const path of guideFiles())
      expect(listed, path).toContain(`guides/${relative(guidesDir, path).slice(0, -3)}`);
  });

  it("refuses to quote files outside the examples", () => {
    expect(() => exampleText("../etc/passwd")).toThrow(/only packages\/guides\/examples/);
    expect(() => exampleText("packages/guides/package.json")).toThrow(/only packages\/guides\/examples/);
  });
});
