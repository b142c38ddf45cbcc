import { expect, test } from "@playwright/test";
import { createVerifiedUser, expectSignedInAs, signIn } from "./support.ts";

/*
 * After a password change Hera offers "sign out everywhere else" (the core's message 1050100 and
 * DELETE /sessions): a customer who suspects someone else knows the old password ends every other
 * session in one click, and stays signed in here.
 */

test("after a password change a customer signs out everywhere else", async ({ page, context, browser }) => {
  const email = await createVerifiedUser(context, "pwsignout");
  // Somebody else's device, signed in with the old password.
  const other = await browser.newContext();
  const otherPage = await other.newPage();
  await signIn(otherPage, email);

  await signIn(page, email);
  await page.goto("/settings");
  // No offer before anything changed.
  await expect(page.getByRole("button", { name: "Sign out everywhere else" })).toHaveCount(0);

  await page.locator('input[name="password"]').fill("Quartz-Lantern-Orbit-7731");
  await page.locator('button[name="method"][value="password"]').click();
  await expect(page.getByText(/changes have been saved/i).first()).toBeVisible();
  const offer = page.getByRole("status").filter({ hasText: "Your password was changed" });
  await expect(offer).toBeVisible();
  // The other device is still signed in until the customer decides.
  await expectSignedInAs(otherPage, email);

  await offer.getByRole("button", { name: "Sign out everywhere else" }).click();
  await expect(page).toHaveURL(/\/settings\?flow=/);
  await expect(page.getByText("No other active sessions.")).toBeVisible();
  await expect(page.getByRole("button", { name: "Sign out everywhere else" })).toHaveCount(0);

  await otherPage.goto("/");
  await expect(otherPage).toHaveURL(/\/login/);
  await other.close();
  // This device stays signed in.
  await expectSignedInAs(page, email);
});
