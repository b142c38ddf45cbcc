import { readFileSync } from "node:fs";
import AxeBuilder from "@axe-core/playwright";
import { type Browser, expect, type Page, test } from "@playwright/test";
import { Secret, TOTP } from "otpauth";
import { addVirtualAuthenticator } from "../hera/webauthn.ts";
import { kratosAdminUrl, kratosPublicUrl } from "./stack.ts";
import { api, athenaUrl, signIn, stack, uniqueEmail } from "./support.ts";

/*
 * An administrator changes identities in Athena IAM, against the real IAM core, signed in through
 * IAM: edits traits (and sees the core's error on the field it names), changes the Athena role (kept
 * in admin metadata, which the user cannot write), reads both changes in the audit log by name with a
 * readable diff and exports it; removes the TOTP and the security key a user set up in Hera IAM, which
 * a viewer is refused. Both colour schemes pass axe.
 */

const HERA_IAM = "http://localhost:4000";
const USER_PASSWORD = "Correct-Horse-Battery-9";

async function createIamUser(email: string, first: string, last: string): Promise<string> {
  const res = await fetch(`${kratosAdminUrl("iam")}/admin/identities`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-olympus-actor": "e2e-setup" },
    body: JSON.stringify({
      schema_id: "admin",
      traits: { email, name: { first, last } },
      metadata_admin: { role: "viewer" },
      verifiable_addresses: [{ value: email, via: "email", verified: true, status: "completed" }],
      credentials: { password: { config: { password: USER_PASSWORD } } },
    }),
  });
  expect(res.status, await res.clone().text()).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

async function coreIdentity(id: string) {
  const res = await fetch(`${kratosAdminUrl("iam")}/admin/identities/${id}?include_credential=webauthn`);
  return (await res.json()) as {
    traits: Record<string, unknown>;
    metadata_admin?: Record<string, unknown>;
    credentials?: Record<string, { config?: { credentials?: { id: string }[] } }>;
  };
}

const FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0";

/** A password sign-in at the IAM core's public API from a client with this user agent. */
async function signInWithAgent(email: string, userAgent: string): Promise<void> {
  const flow = (await (
    await fetch(`${kratosPublicUrl("iam")}/self-service/login/api`, { headers: { "user-agent": userAgent } })
  ).json()) as { id: string };
  const res = await fetch(`${kratosPublicUrl("iam")}/self-service/login?flow=${flow.id}`, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json", "user-agent": userAgent },
    body: JSON.stringify({ method: "password", identifier: email, password: USER_PASSWORD }),
  });
  expect(res.status).toBe(200);
}

async function expectNoAxeViolations(page: Page, what: string): Promise<void> {
  const result = await new AxeBuilder({ page })
    .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"])
    .analyze();
  expect(
    result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`),
    `axe on ${what}`,
  ).toEqual([]);
}

test.describe("identity editing in Athena IAM", () => {
  test("edits traits, sees the core's field error, changes the role, and reads both in the audit log", async ({
    page,
  }, info) => {
    const email = uniqueEmail("edit");
    const id = await createIamUser(email, "Bea", "Editee");
    await signIn(page, "iam", "admin", info);

    // Found by a trait value, although the search also covers addresses.
    await page.goto(`${athenaUrl("iam")}/identities?q=Editee`);
    await expect(page.getByRole("link", { name: email })).toBeVisible();

    await page.goto(`${athenaUrl("iam")}/identities/${id}`);
    await page.locator("details#edit > summary").click();
    const form = page.getByRole("form", { name: "Edit identity" });
    await form.getByLabel(/^First name/).fill("Beatrice");
    await form.getByRole("button", { name: "Save changes" }).click();
    await expect(form.getByRole("status")).toHaveText("Changes saved.");
    await expect(page.getByTestId("traits")).toContainText("Beatrice");
    expect((await coreIdentity(id)).traits).toMatchObject({ name: { first: "Beatrice", last: "Editee" } });

    // A value the core's schema refuses (its pattern): the browser's own check is switched off, so the
    // core answers, and its message is shown on the field it names; nothing is written.
    await form.evaluate((f) => {
      (f as HTMLFormElement).noValidate = true;
    });
    const locale = form.getByLabel(/^Language/);
    await locale.fill("not a locale!");
    await form.getByRole("button", { name: "Save changes" }).click();
    await expect(locale).toHaveAttribute("aria-invalid", "true");
    const fieldError = page.locator('[id="edit-locale-error"]');
    await expect(fieldError).toBeVisible();
    await expect(fieldError).toContainText(/match|pattern/i);
    expect((await coreIdentity(id)).traits.locale).toBeUndefined();

    // The Athena role: admin metadata, changed with its own control and a confirmation.
    await page.reload();
    await page.locator("#athena-role").selectOption("admin");
    await page.getByRole("button", { name: "Change role" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Change role" }).click();
    await expect(page.getByTestId("athena-role")).toHaveText("admin");
    const after = await coreIdentity(id);
    expect(after.metadata_admin?.role).toBe("admin");
    expect(JSON.stringify(after.traits)).not.toContain('admin"');

    // The audit log names the administrator and the identity, and says what changed.
    await page.goto(`${athenaUrl("iam")}/security?target=${id}&event=identity.updated#audit-h`);
    // The role change is an identity.updated row too (metadata_admin.role), the newest.
    const edit = page.getByTestId("audit-row").filter({ hasText: "traits.name.first" });
    await expect(edit).toContainText("traits.name.first: Bea → Beatrice");
    await expect(edit).toContainText("admin@demo.user");
    await expect(edit).toContainText(`Beatrice Editee · ${email}`);
    await expect(page.getByText("unnamed")).toHaveCount(0);

    const today = new Date().toISOString().slice(0, 10);
    await page.goto(
      `${athenaUrl("iam")}/security?target=${id}&event=identity.role.changed&from=${today}&to=${today}#audit-h`,
    );
    const role = page.getByTestId("audit-row").filter({ hasText: "identity.role.changed" });
    await expect(role.first()).toContainText("Beatrice Editee");
    // A range that ends before today shows nothing.
    await page.goto(`${athenaUrl("iam")}/security?target=${id}&to=2001-01-01#audit-h`);
    await expect(page.getByText("No events")).toBeVisible();

    // Export of what the filters match, as a download.
    await page.goto(`${athenaUrl("iam")}/security?target=${id}#audit-h`);
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("link", { name: "Export CSV" }).click(),
    ]);
    const csv = readFileSync((await download.path())!, "utf8");
    expect(csv.split("\r\n")[0]).toMatch(/^created_at,event,actor,actor_name/);
    expect(csv).toContain(`identity.role.changed,admin,admin@demo.user,,${id},Beatrice Editee,${email},`);
    const json = await api(page, "iam", "GET", `/api/security/audit/export?format=json&target=${id}`);
    const rows = (await json.json()) as { event: string; target_name: string }[];
    expect(rows.some((r) => r.event === "identity.updated" && r.target_name === "Beatrice Editee")).toBe(
      true,
    );
  });
});

/** The user's own browser: signs in to Hera IAM, adds a security key and an authenticator app. */
async function enrolSecondFactors(browser: Browser, email: string) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const key = await addVirtualAuthenticator(page, "securityKey");
  await page.goto(`${HERA_IAM}/login`);
  await page.getByLabel(/email/i).first().fill(email);
  await page.locator('input[name="password"]').fill(USER_PASSWORD);
  await page.getByRole("button", { name: /^sign in( with password)?$/i }).click();
  await expect(page.getByTestId("identity-email")).toHaveText(email);

  await page.goto(`${HERA_IAM}/settings`);
  await page.locator('input[name="webauthn_register_displayname"]').fill("Desk key");
  await page.locator('button[name="webauthn_register_trigger"]').click();
  await expect(page.locator('button[name="webauthn_remove"]')).toHaveCount(1);

  await page.goto(`${HERA_IAM}/settings`);
  const secret = await page.getByTestId("ory/form/node/input/totp_secret_key").inputValue();
  const totp = new TOTP({ secret: Secret.fromBase32(secret), algorithm: "SHA1", digits: 6, period: 30 });
  await page.getByTestId("ory/form/node/input/totp_code").fill(totp.generate());
  await page.getByTestId("ory/screen/settings/group/totp").getByRole("button", { name: "Save" }).click();
  await expect(page.getByText(/changes have been saved/i).first()).toBeVisible();
  await key.remove();
  await context.close();
}

test.describe("credentials in Athena IAM", () => {
  test("an admin resets TOTP and removes a security key, audited; the viewer is refused both", async ({
    page,
    browser,
  }, info) => {
    const email = uniqueEmail("creds");
    const id = await createIamUser(email, "Cred", "Holder");
    await enrolSecondFactors(browser, email);
    const before = await coreIdentity(id);
    expect(Object.keys(before.credentials ?? {}).sort()).toEqual(["password", "totp", "webauthn"]);
    // Athena names a key by its id in hex (the core stores it base64), as the core's `identifier` takes it.
    const keyId = Buffer.from(before.credentials!.webauthn!.config!.credentials![0]!.id, "base64").toString(
      "hex",
    );

    // The viewer sees the credentials but no way to remove them, and the API refuses them.
    const viewerContext = await browser.newContext();
    const viewer = await viewerContext.newPage();
    await signIn(viewer, "iam", "viewer", info);
    await viewer.goto(`${athenaUrl("iam")}/identities/${id}`);
    await expect(viewer.getByText("Desk key", { exact: true })).toBeVisible();
    await expect(viewer.getByRole("button", { name: "Reset TOTP" })).toHaveCount(0);
    await expect(viewer.getByRole("button", { name: "Remove" })).toHaveCount(0);
    for (const path of [
      `/api/identities/${id}/credentials/totp`,
      `/api/identities/${id}/credentials/webauthn`,
    ]) {
      const res = await api(viewer, "iam", "DELETE", path);
      expect(res.status(), path).toBe(403);
    }
    await viewerContext.close();

    await signIn(page, "iam", "admin", info);
    await page.goto(`${athenaUrl("iam")}/identities/${id}`);
    const credentials = page.locator("section", {
      has: page.getByRole("heading", { name: "Credentials", exact: true }),
    });
    await expect(credentials.getByText("Desk key", { exact: true })).toBeVisible();
    await expect(credentials.getByTestId(`webauthn-key-${keyId}`)).toContainText("last used");

    await credentials.getByRole("button", { name: "Reset TOTP" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Reset TOTP" }).click();
    await expect(credentials.getByText("totp", { exact: true })).toHaveCount(0);

    await credentials.getByTestId(`webauthn-key-${keyId}`).getByRole("button", { name: "Remove" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Remove" }).click();
    await expect(credentials.getByTestId(`webauthn-key-${keyId}`)).toHaveCount(0);
    expect(Object.keys((await coreIdentity(id)).credentials ?? {})).toEqual(["password"]);

    await page.goto(`${athenaUrl("iam")}/security?target=${id}&event=admin.*#audit-h`);
    await expect(
      page
        .getByTestId("audit-row")
        .filter({ hasText: "admin.identities.credentials.delete" })
        .filter({ hasText: "/credentials/totp" }),
    ).toHaveCount(1);
    await expect(
      page.getByTestId("audit-row").filter({ hasText: "admin.identity.webauthn.removed" }),
    ).toContainText("Desk key");
  });
});

for (const colorScheme of ["light", "dark"] as const) {
  test.describe(`Athena in the ${colorScheme} scheme`, () => {
    test.use({ colorScheme });
    test(`passes axe on the identities, identity, sessions and security pages (${colorScheme})`, async ({
      page,
    }, info) => {
      await signIn(page, "iam", "admin", info);
      const background = await page.evaluate(
        () => getComputedStyle(document.documentElement).backgroundColor,
      );
      const [r, g, b] = (background.match(/\d+/g) ?? []).map(Number);
      // The page follows the system setting: a dark background in dark mode, a light one otherwise.
      expect((r! + g! + b!) / 3 < 80, `background ${background}`).toBe(colorScheme === "dark");
      for (const path of ["/identities", `/identities/${stack().users.viewer}`, "/sessions", "/security"]) {
        await page.goto(`${athenaUrl("iam")}${path}`);
        await expectNoAxeViolations(page, `${path} (${colorScheme})`);
      }
      // The sessions page names the device of a session from its user agent.
      const email = uniqueEmail(`device-${colorScheme}`);
      await createIamUser(email, "Dev", "Ice");
      await signInWithAgent(email, FIREFOX);
      await page.goto(`${athenaUrl("iam")}/sessions?identity=${encodeURIComponent(email)}`);
      await expect(page.getByTestId("session-device")).toHaveText(["Firefox 128 · Windows 10"]);
    });
  });
}
