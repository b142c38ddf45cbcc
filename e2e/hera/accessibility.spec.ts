import { expect, type Page, test } from "@playwright/test";
import { consoleErrors, createVerifiedUser, PASSWORD } from "./support.ts";

/** Presses Tab until `target` has focus (at most `max` times); fails otherwise. */
async function tabTo(page: Page, target: ReturnType<Page["locator"]>, max = 8): Promise<void> {
  for (let i = 0; i < max; i++) {
    if (await target.evaluate((el) => el === document.activeElement)) return;
    await page.keyboard.press("Tab");
  }
  await expect(target).toBeFocused();
}

test("a customer signs in with the keyboard alone, with focus visible throughout", async ({
  page,
  context,
}) => {
  const email = await createVerifiedUser(context, "keyboard");
  const errors = consoleErrors(page);
  await page.goto("/login");
  await expect(page).toHaveURL(/\/login\?flow=/);

  const identifier = page.getByLabel(/email/i).first();
  await tabTo(page, identifier);
  await page.keyboard.type(email);
  const password = page.locator('input[name="password"]');
  await tabTo(page, password);
  // Focus is visible: an outline or a ring (box-shadow) is drawn on the focused field.
  const style = await password.evaluate((el) => {
    const s = getComputedStyle(el);
    return { outline: s.outlineStyle, ring: s.boxShadow };
  });
  expect(style.outline !== "none" || style.ring !== "none").toBe(true);
  await page.keyboard.type(PASSWORD);
  await page.keyboard.press("Enter");

  await expect(page.getByTestId("identity-email")).toHaveText(email);
  expect(errors).toEqual([]);
});

test("every input on the sign-in and sign-up pages has a label", async ({ page }) => {
  for (const path of ["/login", "/registration", "/recovery"]) {
    await page.goto(path);
    await expect(page).toHaveURL(/\?flow=/);
    const unlabelled = await page
      .locator("input:not([type=hidden]):not([type=submit])")
      .evaluateAll((inputs) =>
        inputs
          .filter((i) => !(i as HTMLInputElement).labels?.length && !i.getAttribute("aria-label"))
          .map((i) => (i as HTMLInputElement).name),
      );
    expect(unlabelled, `${path} has inputs without labels`).toEqual([]);
  }
});
