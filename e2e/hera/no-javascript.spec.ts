import { expect, test } from "@playwright/test";
import { createVerifiedUser, PASSWORD } from "./support.ts";

test.use({ javaScriptEnabled: false });

test("with JavaScript disabled, a plain form post still completes sign-in", async ({ page, context }) => {
  // The account is created with scripts on (the helper uses a page of the same context, so toggle via a new context).
  const email = await (async () => {
    const browser = context.browser()!;
    const withJs = await browser.newContext({ javaScriptEnabled: true });
    try {
      return await createVerifiedUser(withJs, "nojs");
    } finally {
      await withJs.close();
    }
  })();

  await page.goto("/login");
  await expect(page).toHaveURL(/\/login\?flow=/);
  // The server-rendered form posts straight to the core through Hera's proxy.
  // (elements' own card is hidden without scripts; the <noscript> form is what the user sees)
  const form = page.locator("main form").filter({ visible: true });
  await expect(form).toHaveCount(1);
  await expect(form).toHaveAttribute("action", /\/\.ory\/self-service\/login\?flow=/);
  await expect(form).toHaveAttribute("method", /post/i);

  // A wrong password comes back as the same page with the error, rendered by the server.
  await form.getByLabel("Email or username").fill(email);
  await form.getByLabel("Password").fill("wrong-password-123");
  await form.getByRole("button", { name: /^sign in( with password)?$/i }).click();
  await expect(page).toHaveURL(/\/login\?flow=/);
  await expect(
    page.getByRole("alert").filter({ hasText: /email address or password is incorrect/i }),
  ).toBeVisible();

  await form.getByLabel("Email or username").fill(email);
  await form.getByLabel("Password").fill(PASSWORD);
  const [response] = await Promise.all([
    page.waitForResponse(
      (r) => r.url().includes("/.ory/self-service/login?flow=") && r.request().method() === "POST",
    ),
    form.getByRole("button", { name: /^sign in( with password)?$/i }).click(),
  ]);
  expect(response.status()).toBe(303);
  await expect(page.getByTestId("identity-email")).toHaveText(email);
});
