// "Sign in with Olympus Workforce" is in seeds/ciam/identity.yml, but this stack runs no IAM core: the
// button is offered and, pressed, says on the same page that the provider cannot be reached — the
// page keeps working and nothing is created. (e2e/walkthrough/workforce.spec.ts signs in through IAM.)
import { expect, test } from "@playwright/test";
import { consoleErrors, PASSWORD, signIn, signUp, uniqueEmail, verifyWithCode } from "./support.ts";

test("the workforce provider is offered, and with IAM down it fails on the page, which still signs in", async ({
  page,
}) => {
  const errors = consoleErrors(page);
  const email = uniqueEmail("oidcdown");
  await signUp(page, email);
  await verifyWithCode(page, email);
  await page.context().clearCookies();

  await page.goto("/login");
  await expect(page).toHaveURL(/\/login\?flow=/);
  const flow = new URL(page.url()).searchParams.get("flow");
  await page.getByRole("button", { name: "Sign in with Olympus Workforce" }).click();
  await expect(
    page.getByText(/Sign-in with Olympus Workforce failed: The provider could not be reached/),
  ).toBeVisible();
  // Still the same flow on our own page, never an error page or the provider's.
  await expect(page).toHaveURL(new RegExp(`/login\\?flow=${flow}`));

  // The password form on that page still works.
  await signIn(page, email, PASSWORD);
  await expect(page.getByTestId("identity-email")).toHaveText(email);
  // A failed request (the 400 with the flow) is the only console noise allowed.
  expect(errors.filter((e) => !/status of 400/.test(e))).toEqual([]);
});

test("the registration page offers the workforce provider beside the password form", async ({ page }) => {
  await page.goto("/registration");
  await expect(page).toHaveURL(/\/registration\?flow=/);
  await expect(page.getByRole("button", { name: "Sign up with Olympus Workforce" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Sign up", exact: true })).toBeVisible();
});
