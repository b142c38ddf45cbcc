import { expect, test } from "@playwright/test";
import { codeFromMail, mailIds, PASSWORD, signUp, uniqueEmail } from "./support.ts";

/**
 * Former dead ends: each situation offers its way out. ("After recovery" is in recovery.spec.ts, "after a
 * password change" in password-signout.spec.ts.)
 */
test("'Account not active yet' at sign-in offers a verification code, and verifying ends with a way on", async ({
  page,
  context,
}) => {
  const email = uniqueEmail("unverified");
  await signUp(page, email);
  // Leave without verifying, then come back to sign in.
  await context.clearCookies();
  await page.goto("/login");
  await expect(page).toHaveURL(/\/login\?flow=/);
  await page.getByLabel(/email/i).first().fill(email);
  await page.locator('input[name="password"]').fill(PASSWORD);
  await page.getByRole("button", { name: /^sign in( with password)?$/i }).click();

  await expect(page.getByText(/account not active yet/i)).toBeVisible();
  const before = await mailIds(email);
  await page.getByRole("button", { name: "Send me a verification code" }).click();

  // The verification form, with the address already filled in.
  await expect(page).toHaveURL(/\/verification\?flow=/);
  await expect(page.getByLabel("Email")).toHaveValue(email);
  await page
    .getByRole("button", { name: /continue|submit|send/i })
    .first()
    .click();
  const code = await codeFromMail(email, "verify", before);
  await page.getByLabel(/verification code/i).fill(code);
  await page
    .getByRole("button", { name: /continue|submit|verify/i })
    .first()
    .click();

  // Done, said so, and a way on — not the request form again.
  await expect(page.getByText(/successfully verified/i)).toBeVisible();
  await expect(page.getByLabel("Email")).toHaveCount(0);
  await page.getByRole("link", { name: /continue/i }).click();
  await expect(page).toHaveURL(/\/login/);
});

test("the resend handler refuses a cross-site post and sets no address it cannot read as one", async ({
  page,
}) => {
  await page.goto("/login");
  const crossSite = await page.request.post("/verification/resend", {
    headers: { origin: "http://evil.example" },
    form: { email: "victim@example.com" },
    maxRedirects: 0,
  });
  expect(crossSite.status()).toBe(400);
  const junk = await page.request.post("/verification/resend", {
    headers: { origin: "http://localhost:3000" },
    form: { email: "<script>alert(1)</script>" },
    maxRedirects: 0,
  });
  expect(junk.status()).toBe(303);
  expect(junk.headers()["set-cookie"] ?? "").not.toContain("hera_verify_hint");
});
