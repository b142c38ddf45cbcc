import { expect, type Page, test } from "@playwright/test";
import { addVirtualAuthenticator } from "../hera/webauthn.ts";
import { kratosAdminUrl } from "./stack.ts";
import { uniqueEmail } from "./support.ts";

/*
 * An IAM administrator adds a security key in Hera IAM's settings (the IAM seed offers `webauthn` as
 * a second factor) and from then on signs in with the password and the key: the sign-in asks for the
 * key, Chromium's virtual USB authenticator answers, and the session is aal2. A fresh identity, so
 * the seeded administrators the other specs sign in as keep their password-only sign-in.
 */

const HERA_IAM = "http://localhost:4000";
const PASSWORD = "Correct-Horse-Battery-9";

async function createIamAdmin(email: string): Promise<void> {
  const res = await fetch(`${kratosAdminUrl("iam")}/admin/identities`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-olympus-actor": "e2e-setup" },
    body: JSON.stringify({
      schema_id: "admin",
      traits: { email, name: { first: "Kim", last: "Key" } },
      metadata_admin: { role: "admin" },
      verifiable_addresses: [{ value: email, via: "email", verified: true, status: "completed" }],
      credentials: { password: { config: { password: PASSWORD } } },
    }),
  });
  expect(res.status, await res.clone().text()).toBe(201);
}

async function passwordStep(page: Page, email: string): Promise<void> {
  await page.goto(`${HERA_IAM}/login`);
  await expect(page).toHaveURL(/\/login\?flow=/);
  await page.getByLabel(/email/i).first().fill(email);
  await page.locator('input[name="password"]').fill(PASSWORD);
  await page.getByRole("button", { name: /^sign in( with password)?$/i }).click();
}

async function whoami(page: Page): Promise<{ status: number; aal?: string; methods: string[] }> {
  const res = await page.request.get(`${HERA_IAM}/.ory/sessions/whoami`, {
    headers: { accept: "application/json" },
  });
  const body = (await res.json().catch(() => ({}))) as {
    authenticator_assurance_level?: string;
    authentication_methods?: { method?: string }[];
  };
  return {
    status: res.status(),
    aal: body.authenticator_assurance_level,
    methods: (body.authentication_methods ?? []).map((m) => m.method ?? ""),
  };
}

test("an IAM admin adds a security key in settings and signs in with it as the second factor", async ({
  page,
  context,
}) => {
  const email = uniqueEmail("key");
  await createIamAdmin(email);
  const key = await addVirtualAuthenticator(page, "securityKey");

  await passwordStep(page, email);
  await expect(page.getByTestId("identity-email")).toHaveText(email);
  await page.goto(`${HERA_IAM}/settings`);
  await expect(page).toHaveURL(/\/settings\?flow=/);
  await page.locator('input[name="webauthn_register_displayname"]').fill("Desk key");
  await page.locator('button[name="webauthn_register_trigger"]').click();
  // The key is listed (by name) with a way to remove it, and the authenticator holds its credential.
  await expect(page.locator('button[name="webauthn_remove"]')).toHaveCount(1);
  await expect(page.getByText("Desk key").first()).toBeVisible();
  expect(await key.credentials()).toHaveLength(1);

  // Backup codes as well: the second step must offer both.
  await page.goto(`${HERA_IAM}/settings`);
  await page
    .getByTestId("ory/screen/settings/group/lookup_secret")
    .getByRole("button", { name: "Enable" })
    .click();
  await expect(
    page.getByTestId("ory/screen/settings/group/recovery_code/codes").locator("p").first(),
  ).toBeVisible();
  await page.locator('button[name="lookup_secret_confirm"]').click();
  await expect(page.getByText(/changes have been saved/i).first()).toBeVisible();

  await context.clearCookies();
  expect((await whoami(page)).status).toBe(401);

  // The password alone is not enough now: the second step offers every enrolled factor.
  await passwordStep(page, email);
  await expect(page.getByTestId("ory/form/auth-picker/webauthn")).toBeVisible();
  await expect(page.getByTestId("ory/form/auth-picker/lookup_secret")).toBeVisible();
  expect((await whoami(page)).status).toBe(403);
  await page.getByTestId("ory/form/auth-picker/webauthn").click();
  await page.locator('button[name="webauthn_login_trigger"]').click();
  await expect(page.getByTestId("identity-email")).toHaveText(email);
  expect(await whoami(page)).toMatchObject({ status: 200, aal: "aal2", methods: ["password", "webauthn"] });
  await key.remove();
});
