import { expect, type Page, test } from "@playwright/test";
import { consoleErrors, createVerifiedUser, signIn, verifyWithCode } from "./support.ts";
import { addVirtualAuthenticator } from "./webauthn.ts";

/*
 * Passkeys in Hera against the real core (CIAM seed: `passkey.enabled`), with Chromium's virtual
 * platform authenticator standing in for a phone or laptop: real credentials and signatures, no
 * prompt. The virtual authenticator also answers the sign-in page's autofill request (conditional
 * mediation) at once, as a user picking the passkey from the identifier field's suggestions would: the
 * page signs in as soon as it loads. A customer adds a passkey in settings and signs in with nothing
 * but it; a passkey removed in settings no longer signs anybody in, though the authenticator offers it.
 */

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

/** Adds a passkey on the settings page and waits until the page lists it. */
async function addPasskey(page: Page): Promise<void> {
  await page.goto("/settings");
  await expect(page).toHaveURL(/\/settings\?flow=/);
  await expect(page.locator('button[name="passkey_remove"]')).toHaveCount(0);
  await page.locator('button[name="passkey_register_trigger"]').click();
  await expect(page.locator('button[name="passkey_remove"]')).toHaveCount(1);
}

test("the sign-in page offers what CIAM enables: passkey (button and autofill) and a code, no security key", async ({
  page,
}) => {
  const errors = consoleErrors(page);
  await page.goto("/login");
  await expect(page).toHaveURL(/\/login\?flow=/);
  await expect(page.locator('button[name="passkey_login_trigger"]')).toBeVisible();
  await expect(page.getByRole("button", { name: "Email or text me a code" })).toBeVisible();
  await expect(page.locator('input[name="password"]')).toBeVisible();
  // Browser autofill offers passkeys in the identifier field.
  await expect(page.locator('input[name="identifier"]')).toHaveAttribute("autocomplete", /\bwebauthn\b/);
  // The card's summary names the methods offered, and no security key (a second factor CIAM lacks).
  const summary = page.getByText(/^Sign in with your /);
  await expect(summary).toContainText(/passkey/i);
  await expect(summary).toContainText(/one-time code/i);
  await expect(summary).not.toContainText(/security key/i);
  expect(errors).toEqual([]);
});

test("a customer adds a passkey in settings, then signs in with it alone (no identifier, no password)", async ({
  page,
  context,
}) => {
  const email = await createVerifiedUser(context, "passkey");
  const authenticator = await addVirtualAuthenticator(page, "platform");
  const errors = consoleErrors(page);
  await signIn(page, email);
  await addPasskey(page);
  const [credential] = await authenticator.credentials();
  expect(credential).toMatchObject({ isResidentCredential: true });

  await context.clearCookies();
  expect((await whoami(page)).status).toBe(401);
  // The sign-in page's autofill request is answered with the passkey: signed in, nothing typed.
  await page.goto("/login");
  await expect(page.getByTestId("identity-email")).toHaveText(email);
  expect(await whoami(page)).toMatchObject({ status: 200, aal: "aal1", methods: ["passkey"] });
  // The settings page, still open when the cookies went, may ask for its sign-out link once more and
  // get the 401 a signed-out browser gets; nothing else may show up.
  const signedOut =
    /status of 401 \(Unauthorized\) @ http:\/\/localhost:3000\/\.ory\/self-service\/logout\/browser/;
  expect(errors.filter((e) => !signedOut.test(e))).toEqual([]);
});

test("a passkey removed in settings signs nobody in, though the authenticator still holds it", async ({
  page,
  context,
}) => {
  const email = await createVerifiedUser(context, "passkey-removed");
  const authenticator = await addVirtualAuthenticator(page, "platform");
  await signIn(page, email);
  await addPasskey(page);
  await page.locator('button[name="passkey_remove"]').click();
  await expect(page.locator('button[name="passkey_remove"]')).toHaveCount(0);
  expect(await authenticator.credentials()).toHaveLength(1);

  await context.clearCookies();
  await page.goto("/login");
  // The core refuses the key it no longer knows and says so on the page; nobody is signed in.
  await expect(page.getByText("This account does not exist or has no security key set up.")).toBeVisible();
  expect((await whoami(page)).status).toBe(401);
  // Without the authenticator (nothing answers the autofill any more) the password still works. The
  // page is left first: its aborted autofill request would otherwise navigate under the next goto.
  await authenticator.remove();
  await page.goto("about:blank");
  await signIn(page, email);
});

test("a newcomer signs up with nothing but a passkey, verifies the address, and signs in with the passkey", async ({
  page,
  context,
}) => {
  const email = `passkey-signup-${Date.now()}@example.com`;
  const authenticator = await addVirtualAuthenticator(page, "platform");
  const errors = consoleErrors(page);
  await page.goto("/registration");
  await expect(page).toHaveURL(/\/registration\?flow=/);
  await page.getByLabel("Email").fill(email);
  await page.getByRole("button", { name: "Sign up with passkey" }).click();
  // The second step is the ceremony (the address kept, hidden); the authenticator answers the trigger.
  await page.locator('button[name="passkey_register_trigger"]').click();
  // Signed in at once (session hook), then asked to verify the address, as a password sign-up is.
  await expect(page).toHaveURL(/\/verification\?flow=/);
  expect(await whoami(page)).toMatchObject({ status: 200, aal: "aal1", methods: ["passkey"] });
  const [credential] = await authenticator.credentials();
  expect(credential).toMatchObject({ isResidentCredential: true });
  await verifyWithCode(page, email);

  // No password was ever set: the passkey alone signs in again (autofill answers on the sign-in page).
  await context.clearCookies();
  await page.goto("/login");
  await expect(page.getByTestId("identity-email")).toHaveText(email);
  expect(await whoami(page)).toMatchObject({ status: 200, aal: "aal1", methods: ["passkey"] });
  // The only console errors are the 400s of the form's next step (a fetch answered with the flow).
  const nextStep =
    /status of 400 \(Bad Request\) @ http:\/\/localhost:3000\/\.ory\/self-service\/registration\?flow=/;
  expect(errors.filter((e) => !nextStep.test(e))).toEqual([]);
});
