import { type BrowserContext, expect, type Page, test } from "@playwright/test";
import { IDENTITY_ADMIN_URL } from "./stack.ts";
import {
  codeFromMail,
  codeFromSms,
  consoleErrors,
  expectSignedInAs,
  mailIds,
  smsIds,
  uniqueEmail,
} from "./support.ts";

/*
 * The `code` method in Hera against the real core (CIAM seed: `passwordless_enabled`): a newcomer
 * signs up and in with nothing but a code from the mail catcher; a customer with a phone number
 * (the e2e schema `phone`) signs in with a code from the SMS sink. A code of another flow, a code
 * used already and a wrong code get the core's message on the page and sign nobody in.
 */

const CODE_FIELD = 'input[name="code"]';

/** Starts a sign-in flow and asks for a code for `identifier`; the page then shows the code field. */
async function requestLoginCode(page: Page, identifier: string): Promise<void> {
  await page.goto("/login");
  await expect(page).toHaveURL(/\/login\?flow=/);
  await page.getByLabel(/email/i).first().fill(identifier);
  await page.getByRole("button", { name: "Email or text me a code" }).click();
  await expect(page.locator(CODE_FIELD)).toBeVisible();
  await expect(page.getByText(/a code was sent/i)).toBeVisible();
}

/** Types a code into the flow's code field and continues. */
async function submitCode(page: Page, code: string): Promise<void> {
  await page.locator(CODE_FIELD).fill(code);
  await page.getByRole("button", { name: "Continue" }).click();
}

/** The signed-in identity as the core reports it through Hera's /.ory proxy (status 401 without one). */
async function whoami(page: Page): Promise<{ status: number; methods: string[]; email?: string }> {
  const res = await page.request.get("/.ory/sessions/whoami", { headers: { accept: "application/json" } });
  const body = (await res.json().catch(() => ({}))) as {
    authentication_methods?: { method?: string }[];
    identity?: { traits?: { email?: string } };
  };
  return {
    status: res.status(),
    methods: (body.authentication_methods ?? []).map((m) => m.method ?? ""),
    email: body.identity?.traits?.email,
  };
}

/** A customer who signed up with a code and is signed out again. */
async function signUpWithCode(context: BrowserContext, email: string): Promise<void> {
  const page = await context.newPage();
  await page.goto("/registration");
  await expect(page).toHaveURL(/\/registration\?flow=/);
  await page.getByLabel("Email", { exact: true }).fill(email);
  await page.getByRole("button", { name: "Email me a code instead" }).click();
  await expect(page.locator(CODE_FIELD)).toBeVisible();
  await submitCode(page, await codeFromMail(email, "sign-up code"));
  await expect(page.getByTestId("identity-email")).toHaveText(email);
  await page.close();
  await context.clearCookies();
}

test("a newcomer signs up with an emailed code, no password, and signs in with one", async ({
  page,
  context,
}) => {
  const errors = consoleErrors(page);
  const email = uniqueEmail("code");

  await page.goto("/registration");
  await expect(page).toHaveURL(/\/registration\?flow=/);
  await page.getByLabel("Email", { exact: true }).fill(email);
  await page.getByRole("button", { name: "Email me a code instead" }).click();
  await expect(page.locator(CODE_FIELD)).toBeVisible();
  // The address was taken from the first step: it is kept, not asked again.
  await submitCode(page, await codeFromMail(email, "sign-up code"));
  await expect(page.getByTestId("identity-email")).toHaveText(email);
  const signedUp = await whoami(page);
  expect(signedUp).toMatchObject({ status: 200, methods: ["code"], email });

  // The code proved the address: it is verified, and the identity has no password.
  const listed = (await (
    await fetch(`${IDENTITY_ADMIN_URL}/admin/identities?credentials_identifier=${encodeURIComponent(email)}`)
  ).json()) as { id: string }[];
  expect(listed).toHaveLength(1);
  const identity = (await (
    await fetch(`${IDENTITY_ADMIN_URL}/admin/identities/${listed[0]!.id}?include_credential=code`)
  ).json()) as {
    verifiable_addresses: { value: string; verified: boolean }[];
    credentials: Record<string, { identifiers?: string[] }>;
  };
  expect(identity.verifiable_addresses).toMatchObject([{ value: email, verified: true }]);
  expect(Object.keys(identity.credentials)).toEqual(["code"]);
  expect(identity.credentials.code?.identifiers).toEqual([email]);

  await context.clearCookies();
  expect((await whoami(page)).status).toBe(401);

  const before = await mailIds(email);
  await requestLoginCode(page, email);
  await submitCode(page, await codeFromMail(email, "sign-in code", before));
  await expect(page.getByTestId("identity-email")).toHaveText(email);
  expect(await whoami(page)).toMatchObject({ status: 200, methods: ["code"] });
  // "Code sent" is a 400 with the flow (Kratos' wire shape), which Chromium logs as a failed load;
  // nothing else may show up.
  const codeSent =
    /status of 400 \(Bad Request\) @ http:\/\/localhost:3000\/\.ory\/self-service\/(login|registration)\?flow=/;
  expect(errors.filter((e) => !codeSent.test(e))).toEqual([]);
});

test("a customer with a phone number signs in with a code from the SMS sink", async ({ page }) => {
  const email = uniqueEmail("sms");
  // Six to nine random digits after a fixed prefix: a number nobody else in the run has.
  const phone = `+4915${String(Date.now()).slice(-6)}${Math.floor(Math.random() * 1000)}`;
  const created = await fetch(`${IDENTITY_ADMIN_URL}/admin/identities`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ schema_id: "phone", traits: { email, phone } }),
  });
  expect(created.status).toBe(201);

  const before = await smsIds(phone);
  await requestLoginCode(page, phone);
  // Nothing went by email: the number takes codes by SMS.
  expect(await mailIds(email)).toEqual(new Set());
  await submitCode(page, await codeFromSms(phone, before));
  await expect(page.getByTestId("identity-email")).toHaveText(email);
  expect(await whoami(page)).toMatchObject({ status: 200, methods: ["code"], email });
});

test("a code of another flow, a used code and a wrong code are refused and sign nobody in", async ({
  page,
  context,
  browser,
}) => {
  const email = uniqueEmail("code-bad");
  await signUpWithCode(context, email);

  // Flow A in one browser, flow B in another, each with its own code.
  let seen = await mailIds(email);
  await requestLoginCode(page, email);
  const codeA = await codeFromMail(email, "sign-in code", seen);
  seen = await mailIds(email);
  const other = await browser.newContext();
  const pageB = await other.newPage();
  await requestLoginCode(pageB, email);
  const codeB = await codeFromMail(email, "sign-in code", seen);
  expect(codeB).not.toBe(codeA);

  // A's code on B: refused, B still waits for its own code, nobody is signed in.
  await submitCode(pageB, codeA);
  await expect(
    pageB.getByText("The login code is invalid or has already been used. Please try again."),
  ).toBeVisible();
  await expect(pageB.locator(CODE_FIELD)).toBeVisible();
  expect((await whoami(pageB)).status).toBe(401);

  // A wrong code: the same message.
  await submitCode(pageB, codeB === "000000" ? "111111" : "000000");
  await expect(
    pageB.getByText("The login code is invalid or has already been used. Please try again."),
  ).toBeVisible();
  expect((await whoami(pageB)).status).toBe(401);

  // B's own code still works after the refusals.
  await submitCode(pageB, codeB);
  await expect(pageB.getByTestId("identity-email")).toHaveText(email);

  // B's code, used now, does not work on a new flow.
  seen = await mailIds(email);
  await context.clearCookies();
  await requestLoginCode(page, email);
  await codeFromMail(email, "sign-in code", seen);
  await submitCode(page, codeB);
  await expect(
    page.getByText("The login code is invalid or has already been used. Please try again."),
  ).toBeVisible();
  expect((await whoami(page)).status).toBe(401);
  await expectSignedInAs(pageB, email);
  await other.close();
});
