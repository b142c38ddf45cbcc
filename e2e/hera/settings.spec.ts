import { expect, test } from "@playwright/test";
import { consoleErrors, createVerifiedUser, signIn } from "./support.ts";

test("a signed-in customer changes their profile in settings", async ({ page, context }) => {
  const email = await createVerifiedUser(context, "settings");
  await signIn(page, email);
  const errors = consoleErrors(page);

  await page.getByRole("link", { name: "Account settings" }).click();
  await expect(page).toHaveURL(/\/settings\?flow=/);
  await page.getByLabel("First name").fill("Ariadne");
  await page.getByLabel("Last name").fill("Minos");
  await page.getByRole("button", { name: "Save" }).first().click();
  await expect(page.getByText(/changes have been saved/i).first()).toBeVisible();

  await page.goto("/");
  await expect(page.getByRole("heading", { name: "Hello, Ariadne Minos" })).toBeVisible();

  // The active-sessions card lists this device.
  await page.goto("/settings");
  await expect(page.getByRole("heading", { name: "Active sessions" })).toBeVisible();
  await expect(page.getByText("This device")).toBeVisible();
  expect(errors).toEqual([]);
});

test("a customer signs out their other sessions from settings", async ({ page, context, browser }) => {
  const email = await createVerifiedUser(context, "sessions");
  // A second device.
  const other = await browser.newContext();
  const otherPage = await other.newPage();
  await signIn(otherPage, email);

  await signIn(page, email);
  await page.goto("/settings");
  // The sign-up session and the second device.
  const rows = page.getByTestId("other-session");
  await expect(rows).toHaveCount(2);
  await rows
    .first()
    .getByRole("button", { name: /sign out/i })
    .click();
  await expect(page).toHaveURL(/\/settings\?flow=/);
  await expect(rows).toHaveCount(1);
  await page.getByRole("button", { name: "Sign out of all other sessions" }).click();
  await expect(page).toHaveURL(/\/settings\?flow=/);
  await expect(rows).toHaveCount(0);
  await expect(page.getByText("No other active sessions.")).toBeVisible();

  // The other device is signed out.
  await otherPage.goto("/");
  await expect(otherPage).toHaveURL(/\/login/);
  await other.close();
});
