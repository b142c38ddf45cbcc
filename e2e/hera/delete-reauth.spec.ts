import { expect, test } from "@playwright/test";
import { createVerifiedUser, PASSWORD, signIn } from "./support.ts";

/*
 * Deleting an account after the privileged window has passed: the core asks the person to sign in
 * again, and afterwards they are back on the confirmation page (return_to), not on settings.
 */
test("re-authenticating to delete returns to the delete page, and then the deletion goes through", async ({
  page,
  context,
}) => {
  const email = await createVerifiedUser(context, "delete-reauth");
  await signIn(page, email);
  await page.goto("/settings");
  await page.getByRole("link", { name: "Delete my account…" }).click();
  await expect(page).toHaveURL(/\/settings\/delete\?flow=/);
  const deletePage = page.url();
  const button = page.getByRole("button", { name: "Delete my account" });
  await expect(button).toHaveAttribute("data-ready", "true");

  // The sign-in is older than the window now.
  await page.waitForTimeout(9_000);
  await page.getByLabel("I understand that my account will be deleted and cannot be restored").check();
  await button.click();
  await expect(page).toHaveURL(/\/login\?flow=/);
  await page.locator('input[name="password"]').fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in with password" }).click();

  // Back where the person was: the same confirmation page, for the same settings flow.
  await expect(page).toHaveURL(deletePage);
  await expect(page.getByRole("heading", { name: "Delete your account?" })).toBeVisible();
  await expect(button).toHaveAttribute("data-ready", "true");
  await page.getByLabel("I understand that my account will be deleted and cannot be restored").check();
  await button.click();
  await expect(page).toHaveURL(/\/account-deleted$/);
});
