// seeds/first-login-walkthrough, step by step, on the platform `octl deploy` brought up.
import { expect, type Page, test } from "@playwright/test";
import { codeIn, linkIn, mailFromEnv, waitForMail } from "../support/mail.ts";

const mail = mailFromEnv();
const customer = `customer1+${Date.now().toString(36)}@demo.user`;
const customerPassword = "CustomerTest123!";
const newPassword = "CustomerTest456!";

async function signInAtHera(page: Page, origin: string, email: string, password: string) {
  await page.waitForURL((u) => u.origin === origin && u.pathname.startsWith("/login"));
  await page.locator('input[name="identifier"]').fill(email);
  await page.locator('input[name="password"]').fill(password);
  await page.getByRole("button", { name: /^sign in( with password)?$/i }).click();
}

async function signInToAthena(page: Page, athena: string) {
  await page.goto(athena);
  await page.getByRole("link", { name: "Sign in with Olympus IAM" }).click();
  await signInAtHera(page, "http://localhost:4000", "admin@demo.user", "admin123!");
  // Consent is auto-granted for Athena (a first-party client): straight back to the dashboard.
  await page.waitForURL((u) => u.origin === athena);
  await expect(page.getByRole("heading", { name: "Dashboard" })).toBeVisible();
}

test.describe.configure({ mode: "serial" });

test("1. the seeded admin signs in to Athena IAM through Hera IAM and sees the seeded admin", async ({
  page,
  context,
}) => {
  await signInToAthena(page, "http://localhost:4001");
  const cookies = await context.cookies("http://localhost:4001");
  const session = cookies.find((c) => c.name === "athena-session");
  expect(session?.httpOnly).toBe(true);
  await page.getByRole("link", { name: "Identities", exact: true }).click();
  await expect(page.getByRole("link", { name: "admin@demo.user" })).toBeVisible();
});

test("2. a customer signs up at Hera CIAM, verifies with the emailed link, and shows up in Athena CIAM", async ({
  page,
}) => {
  await page.goto("http://localhost:3000/registration");
  await expect(page).toHaveURL(/\/registration\?flow=/);
  await page.getByLabel("Email").fill(customer);
  await page.locator('input[name="password"]').fill(customerPassword);
  await page.getByRole("button", { name: "Sign up", exact: true }).click();
  await expect(page).toHaveURL(/\/verification\?flow=/);
  const verification = await waitForMail(mail, customer, { match: (m) => /verify/i.test(m.subject) });
  // The mail carries the code (entered in the form: e2e/hera covers that) and a link that submits
  // it, through Hera's /.ory pass-through: "click the verification link".
  const link = linkIn(verification, "verification");
  expect(link).toContain(`code=${codeIn(verification)}`);
  expect(new URL(link).origin + new URL(link).pathname).toBe(
    "http://localhost:3000/.ory/self-service/verification",
  );
  await page.goto(link);
  await expect(page).toHaveURL(/\/verification\?flow=/);
  await expect(page.getByText(/successfully verified/i)).toBeVisible();
  await page.getByRole("link", { name: /continue/i }).click();
  await expect(page.getByTestId("identity-email")).toHaveText(customer);

  await signInToAthena(page, "http://localhost:3001");
  await page.getByRole("link", { name: "Identities", exact: true }).click();
  await page.getByRole("searchbox", { name: "Search" }).fill(customer);
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page.getByRole("link", { name: customer })).toBeVisible();
});

test("3. forgot password: a link by email, a new password, and signing in with it", async ({ page }) => {
  await page.goto("http://localhost:3000/login");
  await page.getByRole("link", { name: "Forgot password?" }).click();
  await expect(page).toHaveURL(/\/recovery\?flow=/);
  const before = new Set((await mail.list()).map((m) => m.id));
  await page.getByLabel(/email/i).first().fill(customer);
  await page
    .getByRole("button", { name: /continue|submit|send/i })
    .first()
    .click();
  const recovery = await waitForMail(mail, customer, {
    match: (m) => /recover/i.test(m.subject),
    after: before,
  });
  // "Click the recovery link": it submits the mailed code and lands on settings, signed in.
  const link = linkIn(recovery, "recovery");
  expect(link).toContain(`code=${codeIn(recovery)}`);
  await page.goto(link);
  await expect(page).toHaveURL(/\/settings\?flow=/);
  await page.locator('input[name="password"]').fill(newPassword);
  await page.locator('button[name="method"][value="password"]').click();
  await expect(page.getByText(/saved/i).first()).toBeVisible();

  await page.context().clearCookies();
  await page.goto("http://localhost:3000/login");
  await signInAtHera(page, "http://localhost:3000", customer, newPassword);
  await page.waitForURL((u) => u.origin === "http://localhost:3000" && u.pathname === "/");
  await expect(page.getByTestId("identity-email")).toHaveText(customer);
});

test("4. the Site playground runs Authorization Code + PKCE and shows the verified ID token", async ({
  page,
}) => {
  await page.goto("http://localhost:2000/playground");
  await page.click("#prepare-ciam");
  await expect(page.locator("[data-prepared=ciam]")).toBeVisible();
  await page.click("#continue-ciam");
  await signInAtHera(page, "http://localhost:3000", customer, newPassword);
  await page.waitForURL((u) => u.origin === "http://localhost:3000" && u.pathname.startsWith("/consent"));
  await page.locator('button[name="action"][value="accept"]').click();
  await page.waitForURL(/localhost:2000\/playground\/callback\/ciam\?/);
  const exchange = page.locator("[data-step=authorization_code]");
  for (const check of ["signature", "iss", "aud", "exp", "nonce"]) {
    await expect(exchange.locator(`[data-check=${check}]`)).toHaveAttribute("data-ok", "true");
  }
});
