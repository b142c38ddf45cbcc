import { readFileSync, writeFileSync } from "node:fs";

/**
 * The command line of a generated reference page (the SDK's and octl's `reference` scripts): writes
 * the page when it changed, or with `--check` (what the Site's docs test runs when landing) fails,
 * naming the command that regenerates it. Not part of the built package.
 */
export function writeOrCheckPage(pagePath: string, page: string, pkg: string, argv = process.argv): void {
  let current = "";
  try {
    current = readFileSync(pagePath, "utf8");
  } catch {}
  if (argv.includes("--check")) {
    if (current !== page) {
      console.error(
        `${pagePath} differs from the sources: run \`pnpm --filter ${pkg} reference\` and commit it`,
      );
      process.exit(1);
    }
    return;
  }
  if (current !== page) writeFileSync(pagePath, page);
  console.log(current === page ? `${pagePath} is up to date` : `wrote ${pagePath}`);
}
