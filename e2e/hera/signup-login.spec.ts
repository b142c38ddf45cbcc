import { expect, test } from "@playwright/test";
import {
  consoleErrors,
  expectSignedInAs,
  PASSWORD,
  signIn,
  signUp,
  submitLogin,
  uniqueEmail,
  verifyWithCode,
} from "./support.ts";

test("a customer signs up, verifies the emailed code, signs out and signs in again", async ({ page }) => {
  const errors = consoleErrors(page);
  const email = uniqueEmail("signup");

  await signUp(page, email);
  // The reminder after sign-up: the core's show_verification_ui hook sent us here with a code on its way.
  await expect(page.getByText(/check your inbox/i)).toBeVisible();
  await verifyWithCode(page, email);
  await expect(page.getByText(/check your inbox/i)).toBeHidden();
  await page.getByRole("link", { name: /continue/i }).click();
  await expect(page.getByTestId("identity-email")).toHaveText(email);
  await expect(page.getByText(/please verify your email/i)).toHaveCount(0);

  // Sign out from the landing page: the core's logout URL, through the proxy, back to sign-in.
  await page.getByRole("link", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login\?flow=/);
  await page.goto("/");
  await expect(page).toHaveURL(/\/login\?flow=/);

  await signIn(page, email, PASSWORD);
  await expectSignedInAs(page, email);
  expect(errors).toEqual([]);
});

test("a wrong password is refused with a clear message", async ({ page }) => {
  const email = uniqueEmail("wrongpw");
  await signUp(page, email);
  await verifyWithCode(page, email);
  await page.context().clearCookies();

  await submitLogin(page, email, "not-the-password-1");
  await expect(
    page.getByText("The email address or password is incorrect. Check them and try again."),
  ).toBeVisible();
  await expect(page).toHaveURL(/\/login\?flow=/);
  // Still signed out.
  await page.goto("/");
  await expect(page).toHaveURL(/\/login/);
});

test("the sign-in page links to sign-up and password recovery", async ({ page }) => {
  // Each page is used once elements has hydrated (its inputs are disabled until then): a link clicked
  // while the page is still being taken over by React could be lost under load.
  await page.goto("/login");
  await expect(page.locator('input[name="identifier"]')).toBeEnabled();
  await page.getByRole("link", { name: "Create an account" }).click();
  await expect(page).toHaveURL(/\/registration\?flow=/);
  await expect(page.getByLabel("Email")).toBeEnabled();
  await page.getByRole("link", { name: "Sign in", exact: true }).click();
  await expect(page).toHaveURL(/\/login\?flow=/);
  await expect(page.locator('input[name="identifier"]')).toBeEnabled();
  await page.getByRole("link", { name: "Forgot password?" }).click();
  await expect(page).toHaveURL(/\/recovery\?flow=/);
});
