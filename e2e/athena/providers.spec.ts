// Athena's "Sign-in providers" page: the domain's social sign-in providers as the core's admin API
// lists them (GET /admin/olympus/oidc/providers). CIAM has seeds/ciam/identity.yml's "Olympus
// Workforce" provider (with a client secret the stack sets, which must never reach the page); IAM has none.
import { expect, test } from "@playwright/test";
import { athenaUrl, signIn, stack } from "./support.ts";

test("Athena CIAM lists the Olympus Workforce provider: issuer, scopes, client id, and never its secret", async ({
  page,
}) => {
  await signIn(page, "ciam", "viewer");
  await page.getByRole("link", { name: "Sign-in providers" }).click();
  await expect(page).toHaveURL(`${athenaUrl("ciam")}/providers`);
  await expect(page.getByRole("heading", { name: "Sign-in providers" })).toBeVisible();
  const row = page.getByTestId("provider-workforce");
  const cells = row.getByRole("cell");
  await expect(cells).toHaveText([
    "workforce",
    "Olympus Workforce",
    "generic",
    "http://localhost:4102/",
    "openid email profile",
    "ciam-workforce",
    "set",
    "http://localhost:3000/.ory/self-service/methods/oidc/callback/workforce",
  ]);
  expect(await page.content()).not.toContain(stack().workforceSecret);
});

test("Athena IAM says social sign-in is off there", async ({ page }) => {
  await signIn(page, "iam", "viewer");
  await page.goto(`${athenaUrl("iam")}/providers`);
  await expect(page.getByText("Social sign-in is off")).toBeVisible();
  await expect(page.getByRole("table")).toHaveCount(0);
});
