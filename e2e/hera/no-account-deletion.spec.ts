import { expect, test } from "@playwright/test";
import { createVerifiedUser, signIn } from "./support.ts";

/*
 * Where the core does not let people delete their own accounts (the workforce domain: the company
 * owns an employee's account), Hera offers no way to: settings has no delete section or link, and the
 * confirmation page sends the browser back to settings.
 */
test("settings offers no account deletion when the core has it off", async ({ page, context }) => {
  const email = await createVerifiedUser(context, "nodelete");
  await signIn(page, email);
  await page.goto("/settings");
  await expect(page).toHaveURL(/\/settings\?flow=/);
  // The rest of settings is there (the sessions section renders beside where deletion would be).
  await expect(page.getByRole("heading", { name: "Connected apps" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Delete my account…" })).toHaveCount(0);
  await expect(page.getByRole("heading", { name: "Delete account" })).toHaveCount(0);
  await expect(page.getByRole("link", { name: "Delete account" })).toHaveCount(0);

  const flow = new URL(page.url()).searchParams.get("flow")!;
  await page.goto(`/settings/delete?flow=${flow}`);
  await expect(page).toHaveURL(new RegExp(`/settings\\?flow=${flow}$`));
  await expect(page.getByRole("heading", { name: "Delete your account?" })).toHaveCount(0);
});
