import { expect, test } from "@playwright/test";
import { athenaUrl, signInThroughIam } from "./support.ts";

/**
 * The first-login walkthrough: Athena → IAM /oauth2/auth (PKCE) → Hera IAM → consent skipped →
 * Athena's callback. The stack does not start, naming the reason, when the IAM core does not serve
 * the OAuth2 provider (there is nothing to stand in for it without faking the provider).
 */
test.describe("sign-in through Olympus IAM", () => {
  test("admin@demo.user signs in to Athena IAM and lands on the dashboard", async ({ page, context }) => {
    await page.goto(`${athenaUrl("iam")}/`);
    await expect(page).toHaveURL(/\/signin/);
    await page.getByRole("link", { name: "Sign in with Olympus IAM" }).click();
    await expect(page).toHaveURL(/localhost:4000\/login/);
    // The flow cookie: short-lived, HttpOnly, Lax, sent only to /api/auth.
    const flow = (await context.cookies(`${athenaUrl("iam")}/api/auth/callback`)).find(
      (c) => c.name === "athena-auth-iam",
    );
    expect(flow).toMatchObject({ httpOnly: true, sameSite: "Lax", path: "/api/auth" });
    expect(flow!.expires - Date.now() / 1000).toBeLessThanOrEqual(600);
    await page.getByLabel(/email/i).first().fill("admin@demo.user");
    await page.locator('input[name="password"]').fill("admin123!");
    await page.getByRole("button", { name: /^sign in( with password)?$/i }).click();
    await expect(page).toHaveURL(`${athenaUrl("iam")}/`);
    await expect(page.getByRole("heading", { name: "Dashboard" })).toBeVisible();
    await expect(page.getByTestId("role-badge")).toHaveText("admin");
    const session = (await context.cookies(athenaUrl("iam"))).find((c) => c.name === "athena-session");
    expect(session).toMatchObject({ httpOnly: true, sameSite: "Lax" });
  });

  test("viewer@demo.user signs in as a viewer", async ({ page }) => {
    await signInThroughIam(page, "iam", "viewer");
    await expect(page.getByText("You are signed in as a viewer")).toBeVisible();
  });

  test("the admin of both domains signs in to Athena CIAM through IAM", async ({ page }) => {
    await signInThroughIam(page, "ciam", "admin");
    await expect(page.getByText("What is happening in the CIAM domain.")).toBeVisible();
  });

  test("signing out ends the Athena session and the IAM session", async ({ page }) => {
    await signInThroughIam(page, "iam", "admin");
    await page.getByRole("button", { name: "Sign out" }).click();
    // Hera may ask to confirm the RP-initiated logout.
    const confirm = page.getByRole("button", { name: /^(yes|sign out|log out|confirm)/i });
    await Promise.race([
      page.waitForURL(new RegExp(`^${athenaUrl("iam")}/`), { timeout: 15_000 }),
      confirm
        .first()
        .waitFor({ timeout: 15_000 })
        .then(() => confirm.first().click()),
    ]).catch(() => {});
    await expect(page).toHaveURL(new RegExp(`^${athenaUrl("iam")}/signin`));
    // The IAM session is gone too: signing in again asks for credentials.
    await page.getByRole("link", { name: "Sign in with Olympus IAM" }).click();
    await expect(page).toHaveURL(/localhost:4000\/login/);
    await expect(page.locator('input[name="password"]')).toBeVisible();
  });
});
