import { type Browser, expect, type Page, test } from "@playwright/test";
import { api, athenaUrl, signIn, uniqueEmail } from "./support.ts";
import { kratosAdminUrl } from "./stack.ts";

/*
 * Brute-force protection end to end: wrong passwords in Hera IAM lock the identifier (the core's
 * message 4000100 with the time left shows in the form, and even the right password is refused);
 * the administrator sees the lock on Athena's Security page and lifts it; the audit log names the
 * administrator; the user signs in. Viewers see the same page without Unlock.
 */

const HERA_IAM = "http://localhost:4000";
const PASSWORD = "Right-password-2026!";
const LOCKED = /Too many failed sign-in attempts\. Try again in \d+ minutes?\./;

/** An IAM identity with a password (the `admin` schema, role viewer), created through the admin API. */
async function createIamUser(email: string): Promise<string> {
  const res = await fetch(`${kratosAdminUrl("iam")}/admin/identities`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-olympus-actor": "e2e-setup" },
    body: JSON.stringify({
      schema_id: "admin",
      traits: { email, name: { first: "Lou", last: "Locked" } },
      metadata_admin: { role: "viewer" },
      verifiable_addresses: [{ value: email, via: "email", verified: true, status: "completed" }],
      credentials: { password: { config: { password: PASSWORD } } },
    }),
  });
  expect(res.status, await res.clone().text()).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

/** One password attempt in Hera IAM's sign-in form. */
async function tryPassword(page: Page, email: string, password: string): Promise<void> {
  await page.goto(`${HERA_IAM}/login`);
  await expect(page).toHaveURL(/\/login\?flow=/);
  await page.getByLabel(/email/i).first().fill(email);
  await page.locator('input[name="password"]').fill(password);
  await page.getByRole("button", { name: /^sign in( with password)?$/i }).click();
}

async function userPage(browser: Browser): Promise<Page> {
  return (await browser.newContext()).newPage();
}

test.describe("sign-in locks and the audit log", () => {
  test("locked out in Hera → seen and unlocked in Athena → audited with the admin → signs in", async ({
    page,
    browser,
  }, info) => {
    const email = uniqueEmail("locked");
    const id = await createIamUser(email);

    // Five wrong passwords (the IAM default) lock the identifier.
    const user = await userPage(browser);
    for (let i = 0; i < 5; i++) {
      await tryPassword(user, email, `Wrong-password-${i}!`);
      await expect(user.getByText(/password is incorrect|Too many failed/i)).toBeVisible();
    }
    // Now even the right password is refused, with the core's lock message and the time left.
    await tryPassword(user, email, PASSWORD);
    await expect(user.getByText(LOCKED)).toBeVisible();
    await expect(user).toHaveURL(/\/login\?flow=/);
    // The message Hera shows is the core's 4000100, carried in the flow.
    const flowId = new URL(user.url()).searchParams.get("flow")!;
    const flow = await user.request.get(`${HERA_IAM}/.ory/self-service/login/flows?id=${flowId}`);
    const messages = ((await flow.json()) as { ui: { messages?: { id: number; text: string }[] } }).ui
      .messages;
    expect(messages?.find((m) => m.id === 4000100)?.text).toMatch(LOCKED);

    // A viewer sees the lock but cannot lift it.
    const viewer = await userPage(browser);
    await signIn(viewer, "iam", "viewer", info);
    await viewer.getByRole("navigation", { name: "Athena" }).getByRole("link", { name: "Security" }).click();
    await expect(viewer).toHaveURL(`${athenaUrl("iam")}/security`);
    const viewerRow = viewer.getByTestId("lock-row").filter({ hasText: email });
    await expect(viewerRow).toBeVisible();
    await expect(viewer.getByRole("button", { name: "Unlock" })).toHaveCount(0);
    expect(
      (await api(viewer, "iam", "DELETE", `/api/security/lockouts/${encodeURIComponent(email)}`)).status(),
    ).toBe(403);

    // The administrator finds the lock on the Security page and lifts it.
    await signIn(page, "iam", "admin", info);
    await page.getByRole("navigation", { name: "Athena" }).getByRole("link", { name: "Security" }).click();
    const row = page.getByTestId("lock-row").filter({ hasText: email });
    await expect(row).toBeVisible();
    await expect(row).toContainText("identifier");
    await expect(row).toContainText(/min left/);
    await expect(row.getByRole("cell").nth(2)).toHaveText(/^[5-9]$/);
    await row.getByRole("button", { name: "Unlock" }).click();
    await expect(page.getByRole("dialog")).toContainText(`Unlock ${email}?`);
    await page.getByRole("dialog").getByRole("button", { name: "Unlock" }).click();
    await expect(page.getByTestId("lock-row").filter({ hasText: email })).toHaveCount(0);

    // The audit log records the unlock with the administrator as actor.
    await page.getByLabel("Event").fill("lockout.removed");
    await page.getByLabel("Identity (target)").fill(id);
    await page.getByRole("button", { name: "Filter" }).click();
    await expect(page).toHaveURL(/event=lockout.removed/);
    const audit = page.getByTestId("audit-row");
    await expect(audit).toHaveCount(1);
    await expect(audit).toContainText("lockout.removed");
    await expect(audit.getByRole("cell").nth(2)).toHaveText(/admin\s+admin@demo\.user/);
    // …and the lock itself, by the same identity's failures.
    await page.getByLabel("Event").fill("lockout.created");
    await page.getByRole("button", { name: "Filter" }).click();
    await expect(page.getByTestId("audit-row")).toHaveCount(1);

    // The user signs in with the right password.
    await tryPassword(user, email, PASSWORD);
    await expect(user).toHaveURL(`${HERA_IAM}/`);
    await expect(user.getByTestId("identity-email")).toHaveText(email);
    await user.context().close();
    await viewer.context().close();
  });

  test("the audit log filters by event prefix, actor and target, and pages", async ({ page }, info) => {
    await signIn(page, "iam", "admin", info);
    // Every sign-in through IAM (Athena's too) is a login.succeeded: a prefix filter keeps only those.
    await page.goto(`${athenaUrl("iam")}/security?event=login.*`);
    const rows = page.getByTestId("audit-row");
    await expect(rows.first()).toBeVisible();
    const events = await rows.locator("td:nth-child(2)").allTextContents();
    expect(events.length).toBeGreaterThan(0);
    for (const text of events) expect(text).toMatch(/^login\./);
    await page.getByLabel("Actor").fill("anonymous");
    await page.getByLabel("Event").fill("admin.*");
    await page.getByRole("button", { name: "Filter" }).click();
    await expect(page.getByText("Nothing matches these filters.")).toBeVisible();

    // Pages of 50: 51 changes of one vault key, made through the core's admin API, fill a page and one more.
    const key = `e2e.pages-${Date.now().toString(36)}`;
    for (let i = 0; i < 51; i++) {
      const res = await fetch(`${kratosAdminUrl("iam")}/admin/olympus/settings/${key}`, {
        method: "PUT",
        headers: { "content-type": "application/json", "x-olympus-actor": "pager@demo.user" },
        body: JSON.stringify({ value: i }),
      });
      expect(res.status).toBe(200);
    }
    await page.goto(`${athenaUrl("iam")}/security?event=admin.settings.update&target=${key}`);
    await expect(rows).toHaveCount(50);
    await expect(rows.first()).toContainText("pager@demo.user");
    await page.getByRole("link", { name: "Older events →" }).click();
    await expect(page).toHaveURL(/page_token=/);
    await expect(rows).toHaveCount(1);
    await expect(page.getByRole("link", { name: "Older events →" })).toHaveCount(0);
    await page.getByRole("link", { name: "First page" }).click();
    await expect(rows).toHaveCount(50);
    // Athena's API pages the same way.
    const first = await api(
      page,
      "iam",
      "GET",
      `/api/security/audit?event=admin.settings.update&target=${key}`,
    );
    const body = (await first.json()) as { rows: { id: string }[]; nextToken?: string };
    expect(body.rows).toHaveLength(50);
    const second = await api(
      page,
      "iam",
      "GET",
      `/api/security/audit?event=admin.settings.update&target=${key}&page_token=${body.nextToken}`,
    );
    const rest = (await second.json()) as { rows: { id: string }[]; nextToken?: string };
    expect(rest.rows).toHaveLength(1);
    expect(rest.nextToken).toBeUndefined();
    expect(body.rows.map((r) => r.id)).not.toContain(rest.rows[0]!.id);
  });

  test("the settings vault: admins set a secret and see it masked; viewers read only", async ({
    page,
    browser,
  }, info) => {
    const key = `e2e.vault-${Date.now().toString(36)}`;
    const secret = `s3cret-${Math.random().toString(36).slice(2)}`;
    await signIn(page, "iam", "admin", info);
    await page.getByRole("navigation", { name: "Athena" }).getByRole("link", { name: "Settings" }).click();
    await expect(page.getByRole("heading", { name: "Settings vault" })).toBeVisible();
    await page.getByLabel("Key", { exact: true }).fill(key);
    await page.locator("#vault-secret").check();
    await page.getByLabel("Value", { exact: true }).fill(secret);
    await page.getByRole("form", { name: "Set a value" }).getByRole("button", { name: "Save" }).click();
    await expect(page.getByRole("status")).toHaveText(`Saved ${key}.`);
    const row = page.getByTestId("vault-row").filter({ hasText: key });
    await expect(row).toContainText("********");
    await expect(row).toContainText("secret");
    await expect(page.getByText(secret)).toHaveCount(0);
    // Athena's API never hands the value out either.
    const listed = await api(page, "iam", "GET", "/api/settings/vault");
    expect(await listed.text()).not.toContain(secret);

    // The change is audited with the administrator.
    await page.goto(
      `${athenaUrl("iam")}/security?event=admin.settings.update&target=${encodeURIComponent(key)}`,
    );
    await expect(page.getByTestId("audit-row").getByRole("cell").nth(2)).toHaveText(/admin@demo\.user/);

    const viewer = await userPage(browser);
    await signIn(viewer, "iam", "viewer", info);
    await viewer.goto(`${athenaUrl("iam")}/settings`);
    await expect(viewer.getByTestId("vault-row").filter({ hasText: key })).toContainText("********");
    await expect(viewer.getByRole("button", { name: "Save" })).toHaveCount(0);
    await expect(viewer.getByText("Viewers can read the vault")).toBeVisible();
    expect((await api(viewer, "iam", "PUT", "/api/settings/vault", { key, value: "changed" })).status()).toBe(
      403,
    );
    await viewer.context().close();
  });
});
