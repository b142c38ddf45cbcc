import { expect, type Page, test } from "@playwright/test";
import { Secret, TOTP } from "otpauth";
import { createVerifiedUser, PASSWORD, signIn, submitLogin } from "./support.ts";

/*
 * Second factors in Hera against the real core: a customer links an authenticator app (TOTP) in
 * settings and then needs a code after the password; recovery codes (lookup secrets) are shown once,
 * confirmed, and one of them signs the customer in as the second factor, once.
 */

const STEP_MS = 30_000;

/** The TOTP of the secret Hera shows while enrolling (the core's defaults: SHA-1, 6 digits, 30 s). */
async function enrolledTotp(page: Page): Promise<TOTP> {
  const secret = await page.getByTestId("ory/form/node/input/totp_secret_key").inputValue();
  expect(secret).toMatch(/^[A-Z2-7]{16,}$/);
  return new TOTP({ secret: Secret.fromBase32(secret), algorithm: "SHA1", digits: 6, period: 30 });
}

/** A code of a later time step than `usedAt` (the core refuses a step that was used already). */
async function freshCode(totp: TOTP, usedAt: number): Promise<string> {
  const usedStep = Math.floor(usedAt / STEP_MS);
  const wait = (usedStep + 1) * STEP_MS - Date.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait + 200));
  return totp.generate();
}

/** The session as the core's whoami reports it, read through Hera's /.ory proxy with the page's cookies. */
async function whoami(page: Page): Promise<{ status: number; aal?: string; methods: string[] }> {
  const res = await page.request.get("/.ory/sessions/whoami", { headers: { accept: "application/json" } });
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

async function signOut(page: Page): Promise<void> {
  await page.goto("/");
  await page.getByRole("link", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login/);
  expect((await whoami(page)).status).toBe(401);
}

test("TOTP: enrol in settings, then sign in with password and a code (aal2)", async ({ page, context }) => {
  const email = await createVerifiedUser(context, "totp");
  await signIn(page, email);
  await page.goto("/settings");
  const totpForm = page.getByTestId("ory/screen/settings/group/totp");
  await expect(totpForm.locator("img#totp_qr")).toBeVisible();
  const totp = await enrolledTotp(page);

  // A wrong code does not link the app.
  await totpForm.getByTestId("ory/form/node/input/totp_code").fill("000000");
  await totpForm.getByRole("button", { name: "Save" }).click();
  await expect(page.getByText(/invalid/i).first()).toBeVisible();

  const linkedAt = Date.now();
  await page.getByTestId("ory/form/node/input/totp_code").fill(totp.generate());
  await page.getByTestId("ory/screen/settings/group/totp").getByRole("button", { name: "Save" }).click();
  await expect(page.getByText(/changes have been saved/i).first()).toBeVisible();
  await expect(page.locator('button[name="totp_unlink"]')).toBeVisible();

  await signOut(page);

  // The password alone is not enough: the core asks for the second factor.
  await submitLogin(page, email, PASSWORD);
  await expect(page).toHaveURL(/\/login\?.*aal=aal2|\/login\?flow=/);
  const code = page.getByTestId("ory/form/node/input/totp_code");
  await expect(code).toBeVisible();
  const half = await whoami(page);
  expect(half.status).toBe(403);

  // A wrong code is refused; a fresh right one upgrades the session.
  await code.fill("123456");
  await page
    .getByRole("button", { name: /continue|verify|sign in/i })
    .first()
    .click();
  await expect(page.getByText(/invalid/i).first()).toBeVisible();
  await page.getByTestId("ory/form/node/input/totp_code").fill(await freshCode(totp, linkedAt));
  await page
    .getByRole("button", { name: /continue|verify|sign in/i })
    .first()
    .click();
  await expect(page.getByTestId("identity-email")).toHaveText(email);
  const full = await whoami(page);
  expect(full.status).toBe(200);
  expect(full.aal).toBe("aal2");
  expect(full.methods).toEqual(expect.arrayContaining(["password", "totp"]));
});

test("recovery codes: generate and confirm in settings, then sign in with one code, once", async ({
  page,
  context,
}) => {
  const email = await createVerifiedUser(context, "lookup");
  await signIn(page, email);
  await page.goto("/settings");
  const form = page.getByTestId("ory/screen/settings/group/lookup_secret");
  await form.getByRole("button", { name: "Enable" }).click();
  const codes = page.getByTestId("ory/screen/settings/group/recovery_code/codes").locator("p");
  await expect(codes.first()).toBeVisible();
  const list = (await codes.allTextContents()).map((c) => c.trim());
  expect(list.length).toBeGreaterThanOrEqual(10);
  await page.locator('button[name="lookup_secret_confirm"]').click();
  await expect(page.getByText(/changes have been saved/i).first()).toBeVisible();

  await signOut(page);
  await submitLogin(page, email, PASSWORD);
  const input = page.locator('input[name="lookup_secret"]');
  await expect(input).toBeVisible();
  expect((await whoami(page)).status).toBe(403);
  await input.fill(list[0]!);
  await page
    .getByRole("button", { name: /continue|verify|sign in/i })
    .first()
    .click();
  await expect(page.getByTestId("identity-email")).toHaveText(email);
  const s = await whoami(page);
  expect(s.aal).toBe("aal2");
  expect(s.methods).toContain("lookup_secret");

  // The same code does not work twice.
  await signOut(page);
  await submitLogin(page, email, PASSWORD);
  await page.locator('input[name="lookup_secret"]').fill(list[0]!);
  await page
    .getByRole("button", { name: /continue|verify|sign in/i })
    .first()
    .click();
  await expect(page.getByText(/invalid|already been used|used/i).first()).toBeVisible();
  expect((await whoami(page)).status).toBe(403);
  // Another one does.
  await page.locator('input[name="lookup_secret"]').fill(list[1]!);
  await page
    .getByRole("button", { name: /continue|verify|sign in/i })
    .first()
    .click();
  await expect(page.getByTestId("identity-email")).toHaveText(email);
});
