import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/*
 * The guides in docs/guides quote the example files of this package: a fenced block opened with
 * "```ts file=packages/guides/examples/…" holds that file's text. `pnpm --filter @olympus/guides sync`
 * rewrites the blocks from the files; the test (sync.test.ts) fails when a block and its file differ,
 * so what a reader copies is what the tests run.
 */

export const repoRoot = resolve(fileURLToPath(new URL("../../..", import.meta.url)));
export const guidesDir = join(repoRoot, "docs/guides");

const OPEN = /^```([\w-]+) file=(\S+)\s*$/;

export interface Quote {
  guide: string;
  file: string;
  /** The text between the fences as written in the guide. */
  quoted: string;
}

export function guideFiles(): string[] {
  return readdirSync(guidesDir)
    .filter((n) => n.endsWith(".md"))
    .sort()
    .map((n) => join(guidesDir, n));
}

/** Every quoted block of a guide; with `rewrite`, the guide's text with each block replaced. */
export function quotes(guide: string, text: string, rewrite?: (file: string) => string) {
  const lines = text.split("\n");
  const out: string[] = [];
  const found: Quote[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = OPEN.exec(lines[i]!);
    out.push(lines[i]!);
    if (!open) continue;
    const file = open[2]!;
    const end = lines.findIndex((l, j) => j > i && l === "```");
    if (end < 0) throw new Error(`${guide}: the block quoting ${file} is not closed`);
    found.push({ guide, file, quoted: lines.slice(i + 1, end).join("\n") });
    if (rewrite) out.push(...rewrite(file).replace(/\n$/, "").split("\n"));
    else out.push(...lines.slice(i + 1, end));
    out.push("```");
    i = end;
  }
  return { quotes: found, text: out.join("\n") };
}

/** A quoted file's text, read from the repository (only files under packages/guides/examples). */
export function exampleText(file: string): string {
  const full = resolve(repoRoot, file);
  if (!full.startsWith(join(repoRoot, "packages/guides/examples/")))
    throw new Error(`${file}: guides quote only packages/guides/examples`);
  return readFileSync(full, "utf8").replace(/\n$/, "");
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  let changed = 0;
  for (const path of guideFiles()) {
    const before = readFileSync(path, "utf8");
    const { text } = quotes(path, before, exampleText);
    if (text !== before) {
      changed++;
      if (process.argv.includes("--write")) writeFileSync(path, text);
      console.log(
        process.argv.includes("--write")
          ? `updated: ${path}`
          : `differs: ${path} (run \`pnpm --filter @olympus/guides sync\` and commit it)`,
      );
    }
  }
  if (changed && !process.argv.includes("--write")) process.exit(1);
}
