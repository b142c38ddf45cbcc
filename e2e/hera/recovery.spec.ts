import { expect, test } from "@playwright/test";
import { codeFromMail, createVerifiedUser, expectSignedInAs, mailIds, signIn } from "./support.ts";

test("a customer recovers the account with an emailed code, sets a new password and signs in with it", async ({
  page,
  context,
}) => {
  const email = await createVerifiedUser(context, "recovery");
  const newPassword = "Brand-New-Secret-42";
  const before = await mailIds(email);

  await page.goto("/login");
  await page.getByRole("link", { name: "Forgot password?" }).click();
  await expect(page).toHaveURL(/\/recovery\?flow=/);
  await page.getByLabel("Email").fill(email);
  await page
    .getByRole("button", { name: /continue|submit|send/i })
    .first()
    .click();

  const code = await codeFromMail(email, "recover", before);
  await page.getByLabel(/recovery code/i).fill(code);
  await page
    .getByRole("button", { name: /continue|submit/i })
    .first()
    .click();

  // A recovered session lands on settings to choose a new password.
  await expect(page).toHaveURL(/\/settings\?flow=/);
  // Not a dead end: a banner says what to do now.
  await expect(page.getByRole("heading", { name: "Set a new password now" })).toBeVisible();
  await page.locator('input[name="password"]').fill(newPassword);
  // Settings has several sections (profile, password, second factors): save the password one.
  await page.locator('button[name="method"][value="password"]').click();
  await expect(page.getByText(/changes have been saved/i).first()).toBeVisible();

  await context.clearCookies();
  await signIn(page, email, newPassword);
  await expectSignedInAs(page, email);
});
