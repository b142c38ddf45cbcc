import { readFileSync } from "node:fs";
import { expect, test } from "@playwright/test";
import { signIn, uniqueEmail } from "./support.ts";
import { kratosAdminUrl } from "./stack.ts";

/** Import and Export on Athena IAM's identities page, in a real browser against the real IAM core. */
test.describe("identity import and export in Athena IAM", () => {
  test("imports a CSV with a good and a bad row, shows the report, and exports what is there", async ({
    page,
  }, info) => {
    await signIn(page, "iam", "admin", info);
    const good = uniqueEmail("imported");
    await page.getByRole("navigation", { name: "Athena" }).getByRole("link", { name: "Identities" }).click();
    await page.getByRole("link", { name: "Import", exact: true }).click();
    await expect(page.getByLabel(/^Schema for CSV rows/)).toHaveValue("admin");
    await page.getByLabel(/^File/).setInputFiles({
      name: "staff.csv",
      mimeType: "text/csv",
      buffer: Buffer.from(`email,name.first,email_verified\n${good},Imogen,true\nnot-an-email,Nobody,\n`),
    });
    await page.getByRole("button", { name: "Import", exact: true }).click();
    await expect(page.getByTestId("import-summary")).toHaveText("1 imported, 1 refused");
    const report = page.getByRole("region", { name: "Import report" });
    await expect(report.locator('tr[data-status="created"]')).toContainText(good);
    await expect(report.locator('tr[data-status="failed"]')).toContainText(
      'traits.email: "not-an-email" is not valid "email"',
    );

    // The created row links to the identity, which the core has with its verified address.
    await report.getByRole("link", { name: "created", exact: true }).click();
    await expect(page.getByTestId("traits")).toContainText(good);
    const id = page.url().match(/identities\/([0-9a-f-]{36})/)![1]!;
    const stored = (await (await fetch(`${kratosAdminUrl("iam")}/admin/identities/${id}`)).json()) as {
      verifiable_addresses: { value: string; verified: boolean }[];
    };
    expect(stored.verifiable_addresses).toEqual([expect.objectContaining({ value: good, verified: true })]);

    // Export CSV: a download with the imported identity in it, and no password hashes.
    await page.getByRole("navigation", { name: "Athena" }).getByRole("link", { name: "Identities" }).click();
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("link", { name: "Export CSV" }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^identities-\d{4}-\d{2}-\d{2}\.csv$/);
    const csv = readFileSync((await download.path())!, "utf8");
    expect(csv.split("\n")[0]).toMatch(/^id,schema_id,state,/);
    expect(csv).toContain(`${id},admin,active`);
    expect(csv).toContain(good);
    expect(csv).not.toMatch(/argon2|hashed_password/);
  });
});
