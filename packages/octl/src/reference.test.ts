import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { generate, pagePath } from "./reference.ts";

describe("the octl reference page (docs/reference/octl.md)", () => {
  const page = generate();

  it("is what the command definitions say (run `pnpm --filter @olympus/octl reference` after changing them)", () => {
    expect(readFileSync(pagePath, "utf8")).toBe(page);
  });

  it("lists every command with its options, and not the internal ones", () => {
    for (const heading of [
      "## `octl deploy`",
      "### `octl identities import`",
      "### `octl clients create`",
      "## `octl reset`",
    ])
      expect(page).toContain(heading);
    expect(page).toContain("| `--token-endpoint-auth-method <method>` |");
    expect(page).toContain('| `-n, --lines <count>` | how many lines to print first (default: "100") |');
    expect(page).not.toContain("supervise");
    expect(page).not.toContain("`-h, --help`");
  });
});
