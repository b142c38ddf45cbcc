import AxeBuilder from "@axe-core/playwright";
import { expect, type Page, test } from "@playwright/test";
import { createVerifiedUser, PASSWORD, signIn, submitLogin } from "./support.ts";

/*
 * A customer deletes their account from settings: a page says what goes and asks to confirm; the core
 * erases the account and ends its sessions everywhere; the browser lands on a page saying so, and the
 * account can no longer sign in.
 */

/** axe's WCAG 2.x A/AA rules find nothing on the page as it is now. */
async function expectAccessible(page: Page, what: string): Promise<void> {
  const result = await new AxeBuilder({ page })
    .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"])
    .analyze();
  expect(
    result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`),
    `axe on ${what}`,
  ).toEqual([]);
}

/** Holds the next request matching `url` until `release` is called (to see a form while it is busy). */
async function holdRequest(page: Page, url: RegExp): Promise<() => void> {
  let release = () => {};
  const released = new Promise<void>((r) => {
    release = r;
  });
  await page.route(url, async (route) => {
    await released;
    await route.continue();
  });
  return release;
}

test("a customer deletes their account, is told so, and can no longer sign in", async ({
  page,
  context,
  browser,
}) => {
  const email = await createVerifiedUser(context, "delete");
  // Another device signed in to the same account.
  const other = await browser.newContext();
  const otherPage = await other.newPage();
  await signIn(otherPage, email);

  await signIn(page, email);
  await page.goto("/settings");
  await expect(page).toHaveURL(/\/settings\?flow=/);
  await page.getByRole("link", { name: "Delete my account…" }).click();
  await expect(page).toHaveURL(/\/settings\/delete\?flow=/);
  await expect(page.getByRole("heading", { name: "Delete your account?" })).toBeVisible();
  await expect(page.getByText(`This deletes the account ${email} for good`)).toBeVisible();
  await expectAccessible(page, "the delete page");

  // Not confirmed: the browser does not send the form.
  const button = page.getByRole("button", { name: "Delete my account" });
  // Hydrated (before that the button is a plain one and shows no progress).
  await expect(button).toHaveAttribute("data-ready", "true");
  await button.click();
  await expect(page).toHaveURL(/\/settings\/delete\?flow=/);

  const confirm = page.getByLabel("I understand that my account will be deleted and cannot be restored");
  await confirm.check();
  // Once pressed, the form is busy and the button says so (and takes no second press). A listener
  // after Hera's keeps this first post from leaving, to look at the page as it is while the core works.
  await page.evaluate(() => {
    document.querySelector("form.hera-card-form")?.addEventListener("submit", (e) => e.preventDefault());
  });
  await button.click();
  const pending = page.getByRole("button", { name: "Deleting…" });
  await expect(pending).toBeDisabled();
  await expect(pending).toHaveAttribute("aria-busy", "true");
  await expect(page.locator("form.hera-card-form")).toHaveAttribute("aria-busy", "true");

  await page.reload();
  await expect(button).toHaveAttribute("data-ready", "true");
  await confirm.check();
  await button.click();
  await expect(page).toHaveURL(/\/account-deleted$/);
  await expect(page.getByRole("heading", { name: "Your account has been deleted" })).toBeVisible();
  await expectAccessible(page, "the account-deleted page");

  // Signed out here and on the other device.
  await page.goto("/");
  await expect(page).toHaveURL(/\/login/);
  await otherPage.goto("/");
  await expect(otherPage).toHaveURL(/\/login/);
  await other.close();

  // The password no longer signs in.
  await submitLogin(page, email, PASSWORD);
  await expect(page.getByText(/email address or password is incorrect/i).first()).toBeVisible();
  await expect(page).toHaveURL(/\/login\?flow=/);
});

test("without JavaScript, deleting the account is a plain form post", async ({ browser, context, page }) => {
  const email = await createVerifiedUser(context, "delete-nojs");
  await signIn(page, email);
  const noJs = await browser.newContext({
    javaScriptEnabled: false,
    storageState: await context.storageState(),
  });
  const p = await noJs.newPage();
  await p.goto("/settings");
  await p.getByRole("link", { name: "Delete my account…" }).click();
  await expect(p).toHaveURL(/\/settings\/delete\?flow=/);
  await p.getByLabel("I understand that my account will be deleted and cannot be restored").check();
  await p.getByRole("button", { name: "Delete my account" }).click();
  await expect(p).toHaveURL(/\/account-deleted$/);
  await expect(p.getByRole("heading", { name: "Your account has been deleted" })).toBeVisible();
  await noJs.close();

  await page.goto("/");
  await expect(page).toHaveURL(/\/login/);
});

test("the sign-in button is busy while the core checks the password", async ({ page, context }) => {
  const email = await createVerifiedUser(context, "busy");
  await page.goto("/login");
  await expect(page).toHaveURL(/\/login\?flow=/);
  await page.getByLabel(/email/i).first().fill(email);
  await page.locator('input[name="password"]').fill(PASSWORD);
  const release = await holdRequest(page, /\/self-service\/login\?flow=/);
  const button = page.getByRole("button", { name: /^sign in( with password)?$/i });
  await button.click();
  await expect(button).toHaveAttribute("aria-busy", "true");
  await expect(button).toBeDisabled();
  release();
  await expect(page.getByTestId("identity-email")).toHaveText(email);
});
