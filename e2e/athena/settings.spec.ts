import { expect, test } from "@playwright/test";
import { api, athenaUrl, nativeLogin, signIn, uniqueEmail } from "./support.ts";
import { kratosAdminUrl } from "./stack.ts";

/*
 * The run-time settings as a typed form: an administrator lowers CIAM's lockout threshold in Athena
 * (a value out of range is refused with the core's reason first), the core locks after that many
 * failed sign-ins at once, the change is audited with the administrator, and "Reset to default" gives
 * the configuration file's value back. A viewer sees the same settings read-only and is refused writes.
 */

const KEY = "security.brute_force.max_attempts";
const PASSWORD = "Right-password-2026!";

async function createCustomer(email: string): Promise<void> {
  const res = await fetch(`${kratosAdminUrl("ciam")}/admin/identities`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-olympus-actor": "e2e-setup" },
    body: JSON.stringify({
      schema_id: "default",
      traits: { email },
      credentials: { password: { config: { password: PASSWORD } } },
    }),
  });
  expect(res.status, await res.clone().text()).toBe(201);
}

test.describe("run-time settings", () => {
  test.afterAll(async () => {
    // Whatever happened, CIAM goes back to its configuration file's threshold.
    await fetch(`${kratosAdminUrl("ciam")}/admin/olympus/settings/${KEY}`, { method: "DELETE" });
  });

  test("typed form: a bad value is refused, a good one takes effect at once, audited, then reset", async ({
    page,
    browser,
  }, info) => {
    await signIn(page, "ciam", "admin", info);
    await page.goto(`${athenaUrl("ciam")}/settings`);
    await expect(page.getByRole("heading", { name: "Run-time settings" })).toBeVisible();
    const form = page.locator(`form[data-key="${KEY}"]`);
    await expect(form).toContainText("integer, 1–1000");
    await expect(form.getByTestId("runtime-default")).toHaveText("5");

    // Out of range: the core's reason, nothing stored.
    await form.getByLabel(KEY).fill("0");
    await form.getByRole("button", { name: "Save" }).click();
    await expect(form.getByRole("alert")).toContainText(`${KEY} must be an integer from 1 to 1000`);
    const before = (await (
      await fetch(`${kratosAdminUrl("ciam")}/admin/olympus/runtime-settings`)
    ).json()) as {
      key: string;
      value: unknown;
      overridden: boolean;
    }[];
    expect(before.find((s) => s.key === KEY)).toMatchObject({ value: 5, overridden: false });

    await form.getByLabel(KEY).fill("2");
    await form.getByRole("button", { name: "Save" }).click();
    await expect(page.locator(`form[data-key="${KEY}"]`).getByTestId("runtime-value")).toHaveText("2");
    await expect(page.locator(`form[data-key="${KEY}"]`)).toContainText("set at run time");

    // The core locks after two failures now, without a restart: even the right password is refused.
    const email = uniqueEmail("threshold");
    await createCustomer(email);
    expect((await nativeLogin("ciam", email, "Wrong-password-1!")).ok).toBe(false);
    expect((await nativeLogin("ciam", email, "Wrong-password-2!")).ok).toBe(false);
    const locked = await nativeLogin("ciam", email, PASSWORD);
    expect(locked.ok).toBe(false);
    expect(locked.status).toBe(400);

    // Audited with the administrator.
    await page.goto(`${athenaUrl("ciam")}/security?event=admin.settings.update&target=${KEY}`);
    await expect(page.getByTestId("audit-row").first().getByRole("cell").nth(2)).toHaveText(
      /admin@demo\.user/,
    );

    // A viewer reads the same values, cannot change them, and the API refuses them.
    const viewer = await (await browser.newContext()).newPage();
    await signIn(viewer, "ciam", "viewer", info);
    await viewer.goto(`${athenaUrl("ciam")}/settings`);
    const seen = viewer.locator(`form[data-key="${KEY}"]`);
    await expect(seen.getByTestId("runtime-value")).toHaveText("2");
    await expect(seen.getByLabel(KEY)).toBeDisabled();
    await expect(viewer.getByRole("button", { name: "Save" })).toHaveCount(0);
    await expect(viewer.getByRole("button", { name: "Reset to default" })).toHaveCount(0);
    expect((await api(viewer, "ciam", "PUT", `/api/settings/runtime/${KEY}`, { value: 1000 })).status()).toBe(
      403,
    );
    expect((await api(viewer, "ciam", "DELETE", `/api/settings/runtime/${KEY}`)).status()).toBe(403);
    await viewer.context().close();

    // Reset: the configuration file's value again.
    await page.goto(`${athenaUrl("ciam")}/settings`);
    await page.locator(`form[data-key="${KEY}"]`).getByRole("button", { name: "Reset to default" }).click();
    await expect(page.locator(`form[data-key="${KEY}"]`).getByTestId("runtime-value")).toHaveText("5");
    await expect(page.locator(`form[data-key="${KEY}"]`)).toContainText("file");
  });
});
