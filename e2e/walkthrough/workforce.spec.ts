// "Sign in with Olympus Workforce" on the platform `octl deploy` brought up: CIAM's social sign-in with
// the IAM domain as its OpenID provider (seeds/ciam/identity.yml, the `ciam-workforce` client of
// seeds/iam/clients.json). Each test makes its own IAM employee through IAM's admin API, so the run
// does not depend on what other tests or earlier runs left behind.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, type Page, test } from "@playwright/test";
import { localCoreUrls } from "@olympus/platform";

const CIAM = "http://localhost:3000";
const IAM_HERA = "http://localhost:4000";
const ciamAdmin = localCoreUrls("ciam").kratosAdmin;
const iamAdmin = localCoreUrls("iam").kratosAdmin;
const PASSWORD = "Workforce-Test-729!";
const tag = () => `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;

interface Identity {
  id: string;
  traits: { email: string; first_name?: string; last_name?: string };
  credentials?: Record<
    string,
    { identifiers?: string[]; config?: { providers?: { provider: string; subject: string }[] } }
  >;
}

async function adminJson<T>(url: string, init: RequestInit = {}): Promise<T> {
  const res = await fetch(url, {
    ...init,
    headers: { accept: "application/json", "content-type": "application/json", ...init.headers },
  });
  if (!res.ok) throw new Error(`${init.method ?? "GET"} ${url}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** An IAM employee (verified address, password), as an IAM admin would create one. */
async function employee(first: string): Promise<{ id: string; email: string }> {
  const email = `${first.toLowerCase()}-${tag()}@workforce.demo.user`;
  const created = await adminJson<{ id: string }>(`${iamAdmin}/admin/identities`, {
    method: "POST",
    body: JSON.stringify({
      schema_id: "admin",
      traits: { email, name: { first, last: "Employee" } },
      verifiable_addresses: [{ value: email, via: "email", verified: true, status: "completed" }],
      metadata_admin: { role: "viewer" },
      credentials: { password: { config: { password: PASSWORD } } },
    }),
  });
  return { id: created.id, email };
}

/** CIAM identities whose oidc credential names the IAM subject. */
async function ciamBySubject(subject: string): Promise<Identity[]> {
  return adminJson<Identity[]>(
    `${ciamAdmin}/admin/identities?credentials_identifier=${encodeURIComponent(`workforce:${subject}`)}`,
  );
}

async function ciamIdentity(id: string): Promise<Identity> {
  return adminJson<Identity>(`${ciamAdmin}/admin/identities/${id}`);
}

/**
 * From the press of the workforce button to the way back to CIAM: IAM's Hera asks for the employee's
 * password (unless IAM already has a session) and for consent (the client is not first-party), then
 * the browser returns to CIAM. Each step waits for the page it expects, never for a time.
 */
async function throughIam(page: Page, email: string): Promise<void> {
  // The press submits CIAM's flow; the core answers with the way to IAM.
  await page.waitForURL((u) => u.origin !== CIAM);
  const iamLogin = (u: URL) => u.origin === IAM_HERA && u.pathname === "/login";
  const iamConsent = (u: URL) => u.origin === IAM_HERA && u.pathname === "/consent";
  for (let step = 0; step < 3; step++) {
    // Hera IAM's login form once it has its flow; its consent screen; or back at CIAM.
    await page.waitForURL(
      (u) => u.origin === CIAM || (iamLogin(u) && u.searchParams.has("flow")) || iamConsent(u),
    );
    const url = new URL(page.url());
    if (url.origin === CIAM) return;
    if (iamLogin(url)) {
      await page.locator('input[name="identifier"]').fill(email);
      await page.locator('input[name="password"]').fill(PASSWORD);
      await page.getByRole("button", { name: /^sign in( with password)?$/i }).click();
      await page.waitForURL((u) => !iamLogin(u));
    } else {
      // IAM's consent screen names CIAM's client.
      await expect(page.getByText(/Olympus CIAM/).first()).toBeVisible();
      await page.getByRole("button", { name: "Allow" }).click();
      await page.waitForURL((u) => !iamConsent(u));
    }
  }
  await page.waitForURL((u) => u.origin === CIAM);
}

async function signOutOfCiam(page: Page): Promise<void> {
  await page.goto(`${CIAM}/`);
  await page.getByRole("link", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/localhost:3000\/login\?flow=/);
}

test.describe.configure({ mode: "serial" });

// A failed sign-in shows the user a generic message; why the core refused is in its log (the
// global setup's OLYMPUS_HOME): the refusals go with the failure report.
// biome-ignore lint/correctness/noEmptyPattern: Playwright reads the fixtures a hook uses from this pattern.
test.afterEach(async ({}, testInfo) => {
  const home = process.env.OLYMPUS_HOME;
  if (testInfo.status === testInfo.expectedStatus || !home) return;
  for (const domain of ["ciam", "iam"]) {
    const log = join(home, "logs", `identity-${domain}.log`);
    if (!existsSync(log)) continue;
    const lines = readFileSync(log, "utf8")
      .split("\n")
      .filter((l) => /callback refused|"level":"(warn|error)"|"status":(4|5)\d\d/.test(l));
    await testInfo.attach(`identity-${domain} refusals`, {
      body: lines.slice(-40).join("\n"),
      contentType: "text/plain",
    });
    console.error(`identity-${domain}:\n${lines.slice(-10).join("\n")}`);
  }
});

/** The customer the first test registered through IAM (the tests run in order, in one worker). */
let firstCustomer: { id: string; subject: string; email: string } | undefined;

test("first sign-in with Olympus Workforce registers a CIAM customer; the second signs in to it", async ({
  page,
}) => {
  const ada = await employee("Grace");
  await page.goto(`${CIAM}/login`);
  await expect(page).toHaveURL(/\/login\?flow=/);
  await page.getByRole("button", { name: "Sign in with Olympus Workforce" }).click();
  await throughIam(page, ada.email);
  // Registered and signed in: the landing page shows the address IAM vouched for.
  await expect(page.getByTestId("identity-email")).toHaveText(ada.email);
  const [registered, ...others] = await ciamBySubject(ada.id);
  expect(others).toEqual([]);
  expect(registered?.traits).toMatchObject({ email: ada.email, first_name: "Grace", last_name: "Employee" });
  const full = await ciamIdentity(registered!.id);
  // Signed up through IAM: no password here (the schema's emailed-code identifier comes with the address).
  expect(Object.keys(full.credentials ?? {})).toContain("oidc");
  expect(Object.keys(full.credentials ?? {})).not.toContain("password");
  expect(JSON.stringify(full)).not.toMatch(/id_token|access_token|refresh_token/);

  // IAM vouched for the address, so CIAM needs no second check of it.
  const addresses = (full as unknown as { verifiable_addresses: { value: string; verified: boolean }[] })
    .verifiable_addresses;
  expect(addresses).toEqual([expect.objectContaining({ value: ada.email, verified: true })]);

  await signOutOfCiam(page);
  await page.getByRole("button", { name: "Sign in with Olympus Workforce" }).click();
  await throughIam(page, ada.email);
  await expect(page.getByTestId("identity-email")).toHaveText(ada.email);
  // The same customer, not a second one.
  expect((await ciamBySubject(ada.id)).map((i) => i.id)).toEqual([registered!.id]);
  firstCustomer = { id: registered!.id, subject: ada.id, email: ada.email };
});

/** A CIAM customer with a password and a verified address, as a CIAM admin would create one. */
async function customer(first: string): Promise<{ id: string; email: string }> {
  const email = `${first.toLowerCase()}-${tag()}@customer.demo.user`;
  const created = await adminJson<{ id: string }>(`${ciamAdmin}/admin/identities`, {
    method: "POST",
    body: JSON.stringify({
      schema_id: "customer",
      traits: {
        email,
        customer_id: `CUST-${Date.now()}${Math.floor(Math.random() * 1000)}`,
        first_name: first,
        last_name: "Customer",
      },
      verifiable_addresses: [{ value: email, via: "email", verified: true, status: "completed" }],
      credentials: { password: { config: { password: PASSWORD } } },
    }),
  });
  return { id: created.id, email };
}

async function signInToCiam(page: Page, email: string): Promise<void> {
  await page.goto(`${CIAM}/login`);
  await page.locator('input[name="identifier"]').fill(email);
  await page.locator('input[name="password"]').fill(PASSWORD);
  await page.getByRole("button", { name: /^sign in( with password)?$/i }).click();
  await expect(page.getByTestId("identity-email")).toHaveText(email);
}

/** The customer's social sign-in identifiers (`provider:subject`), as the admin API lists them. */
const workforceLinks = async (id: string) => (await ciamIdentity(id)).credentials?.oidc?.identifiers ?? [];

test("a customer links Olympus Workforce in settings, signs in with it, and unlinks it", async ({ page }) => {
  const shopper = await customer("Linus");
  // The employee's address is not the customer's: linking is what ties them, not a matching address.
  const staff = await employee("Linus");
  await signInToCiam(page, shopper.email);

  await page.goto(`${CIAM}/settings`);
  await expect(page).toHaveURL(/\/settings\?flow=/);
  await page.getByRole("button", { name: "Link Olympus Workforce" }).click();
  await throughIam(page, staff.email);
  await expect(page).toHaveURL(/\/settings\?flow=/);
  await expect(page.getByRole("button", { name: "Unlink Olympus Workforce" })).toBeVisible();
  expect(await workforceLinks(shopper.id)).toEqual([`workforce:${staff.id}`]);
  // The link did not change the customer's address to the employee's.
  expect((await ciamIdentity(shopper.id)).traits.email).toBe(shopper.email);

  // Signed out, the button signs in to the same customer (IAM remembers the employee: no password asked).
  await signOutOfCiam(page);
  await page.getByRole("button", { name: "Sign in with Olympus Workforce" }).click();
  await throughIam(page, staff.email);
  await expect(page.getByTestId("identity-email")).toHaveText(shopper.email);

  // Unlinked, the provider is gone from the account; the password still signs in.
  await page.goto(`${CIAM}/settings`);
  await expect(page).toHaveURL(/\/settings\?flow=/);
  await page.getByRole("button", { name: "Unlink Olympus Workforce" }).click();
  await expect(page.getByRole("button", { name: "Link Olympus Workforce" })).toBeVisible();
  expect(await workforceLinks(shopper.id)).toEqual([]);
  await signOutOfCiam(page);
  await signInToCiam(page, shopper.email);
});

test("an employee whose address is a customer's does not take the customer's account over", async ({
  page,
}) => {
  // A customer holds the address; an IAM employee with the same address signs in with Workforce.
  const shopper = await customer("Tess");
  const created = await adminJson<{ id: string }>(`${iamAdmin}/admin/identities`, {
    method: "POST",
    body: JSON.stringify({
      schema_id: "admin",
      traits: { email: shopper.email, name: { first: "Tess", last: "Employee" } },
      verifiable_addresses: [{ value: shopper.email, via: "email", verified: true, status: "completed" }],
      metadata_admin: { role: "viewer" },
      credentials: { password: { config: { password: PASSWORD } } },
    }),
  });
  await page.goto(`${CIAM}/login`);
  await page.getByRole("button", { name: "Sign in with Olympus Workforce" }).click();
  await throughIam(page, shopper.email);
  // Back at CIAM's sign-in, asked to prove the account first (Kratos 1010016), not signed in.
  await expect(page).toHaveURL(/\/login\?flow=/);
  await expect(page.getByText(/already used by another account/)).toBeVisible();
  expect(await workforceLinks(shopper.id)).toEqual([]);
  expect(await ciamBySubject(created.id)).toEqual([]);
  // Proving it with the password links the provider to that account.
  // Elements offers the account's methods first (the address is filled in): the password.
  await page.getByRole("button", { name: /^Password/ }).click();
  await page.locator('input[name="password"]').fill(PASSWORD);
  await page.getByRole("button", { name: /^sign in( with password)?$/i }).click();
  await expect(page.getByTestId("identity-email")).toHaveText(shopper.email);
  expect(await workforceLinks(shopper.id)).toEqual([`workforce:${created.id}`]);
});

test("Athena CIAM shows the customer's linked provider and lists the configured providers", async ({
  page,
  context,
}) => {
  expect(firstCustomer, "the first test registered a customer").toBeDefined();
  await context.clearCookies();
  await page.goto("http://localhost:3001/");
  await page.getByRole("link", { name: "Sign in with Olympus IAM" }).click();
  await page.waitForURL((u) => u.origin === IAM_HERA && u.pathname.startsWith("/login"));
  await page.locator('input[name="identifier"]').fill("admin@demo.user");
  await page.locator('input[name="password"]').fill("admin123!");
  await page.getByRole("button", { name: /^sign in( with password)?$/i }).click();
  await page.waitForURL((u) => u.origin === "http://localhost:3001");
  await expect(page.getByRole("heading", { name: "Dashboard" })).toBeVisible();

  await page.goto(`http://localhost:3001/identities/${firstCustomer!.id}`);
  const linked = page.getByTestId("linked-providers");
  await expect(linked.getByRole("row").nth(1).getByRole("cell")).toHaveText([
    "Olympus Workforce",
    "workforce",
    firstCustomer!.subject,
    // An admin may unlink it (behind a confirmation naming the customer).
    /^Unlink Olympus Workforce/,
  ]);
  expect(await page.content()).not.toMatch(/id_token|access_token|refresh_token/);

  await page.getByRole("link", { name: "Sign-in providers" }).click();
  // octl gave the CIAM core the deployment's secret: set, and not shown.
  await expect(page.getByTestId("provider-workforce").getByRole("cell")).toHaveText([
    "workforce",
    "Olympus Workforce",
    "generic",
    "http://localhost:4102/",
    "openid email profile",
    "ciam-workforce",
    "set",
    "http://localhost:3000/.ory/self-service/methods/oidc/callback/workforce",
  ]);
});
