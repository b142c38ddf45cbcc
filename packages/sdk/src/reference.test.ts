import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import * as sdk from "./index.ts";
import { generate, pagePath } from "./reference.ts";

describe("the SDK reference page (docs/reference/sdk.md)", () => {
  const page = generate();

  it("is what the sources say (run `pnpm --filter @olympus/sdk reference` after changing the SDK)", () => {
    expect(readFileSync(pagePath, "utf8")).toBe(page);
  });

  it("documents every function and class the package itself exports, with its doc comment", () => {
    const own = [
      "createDomainClients",
      "endpointsFromEnv",
      "importIdentities",
      "exportIdentities",
      "OlympusAdminApi",
    ];
    for (const name of own) {
      expect(Object.keys(sdk)).toContain(name);
      expect(page).toContain(`### \`${name}\``);
    }
    expect(page).toContain("Configures the Ory SDK for one domain's identity core.");
    expect(page).toContain("#### `OlympusAdminApi.searchIdentities`");
    // Private helpers stay out; @ory/client-fetch's classes are referred to, not repeated.
    expect(page).not.toContain("getPage");
    expect(page).not.toContain("### `FrontendApi`");
  });
});
