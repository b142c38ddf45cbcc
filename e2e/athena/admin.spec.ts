import { readFileSync } from "node:fs";
import { expect, type Page, test } from "@playwright/test";
import { api, athenaUrl, nativeLogin, signIn, stack, uniqueEmail } from "./support.ts";
import { ISSUER, kratosAdminUrl, kratosPublicUrl } from "./stack.ts";

/** A dashboard figure (`data-testid="figure-<id>"`) as a number. */
async function figure(page: Page, id: string): Promise<number> {
  const text = ((await page.getByTestId(`figure-${id}`).textContent()) ?? "").trim();
  expect(text, `figure ${id}`).toMatch(/^\d+$/);
  return Number(text);
}

/** The OAuth2 clients the e2e stack seeds into IAM: Athena's own, from seeds/iam/clients.json. */
function seededIamClients() {
  const all = JSON.parse(readFileSync(new URL("../../seeds/iam/clients.json", import.meta.url), "utf8")) as {
    client_id: string;
    token_endpoint_auth_method?: string;
  }[];
  const athena = all.filter((c) => c.client_id.startsWith("athena-"));
  const pub = athena.filter((c) => c.token_endpoint_auth_method === "none").length;
  return { total: athena.length, public: pub, confidential: athena.length - pub };
}

/** An IAM identity with a password (the `admin` schema, role viewer), created through the admin API. */
async function createIamUser(email: string, password: string): Promise<string> {
  const res = await fetch(`${kratosAdminUrl("iam")}/admin/identities`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-olympus-actor": "e2e-setup" },
    body: JSON.stringify({
      schema_id: "admin",
      traits: { email, name: { first: "Bea", last: "Bulk" } },
      metadata_admin: { role: "viewer" },
      credentials: { password: { config: { password } } },
    }),
  });
  expect(res.status, await res.clone().text()).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

async function whoami(token: string): Promise<number> {
  const res = await fetch(`${kratosPublicUrl("iam")}/sessions/whoami`, {
    headers: { "x-session-token": token },
  });
  return res.status;
}

/** A client_credentials token request at the IAM provider; the HTTP status. */
async function clientCredentials(clientId: string, secret: string): Promise<number> {
  const res = await fetch(`${ISSUER}/oauth2/token`, {
    method: "POST",
    headers: {
      authorization: `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`).toString("base64")}`,
      "content-type": "application/x-www-form-urlencoded",
    },
    body: new URLSearchParams({ grant_type: "client_credentials", scope: "identities:read" }),
  });
  return res.status;
}

/** An administrator at work in Athena IAM, against the real IAM identity core. */
test.describe("admin@demo.user in Athena IAM", () => {
  test("creates an identity from a schema, finds it, resets its password, revokes its sessions, deletes it", async ({
    page,
  }, info) => {
    await signIn(page, "iam", "admin", info);
    const email = uniqueEmail("created");
    const firstPassword = "First-password-2026!";

    // Create from the `admin` schema: the form is generated from its traits.
    await page.getByRole("navigation", { name: "Athena" }).getByRole("link", { name: "Identities" }).click();
    await page.getByRole("link", { name: "Create identity" }).click();
    await expect(page.getByLabel("Schema")).toHaveValue("admin");
    await page.getByLabel(/^Email/).fill(email);
    await page.getByLabel(/^First name/).fill("Grace");
    await page.getByLabel(/^Last name/).fill("Created");
    // The Athena role is not a trait (issue 16): the form offers it beside the traits, as admin metadata.
    await page.getByLabel(/^Athena role/).selectOption("viewer");
    await page.getByLabel(/^Initial password/).fill(firstPassword);
    await page.getByRole("button", { name: "Create identity" }).click();
    await expect(page).toHaveURL(/\/identities\/[0-9a-f-]{36}\?created=1/);
    await expect(page.getByText("Identity created.")).toBeVisible();
    await expect(page.getByTestId("traits")).toContainText(email);
    await expect(page.getByTestId("traits")).not.toContainText("viewer");
    await expect(page.getByTestId("athena-role")).toHaveText("viewer");
    const id = page.url().match(/identities\/([0-9a-f-]{36})/)![1]!;

    // Only an administrator changes the role, here, behind a confirmation.
    await page.getByLabel(/^Athena role/).selectOption("admin");
    await page.getByRole("button", { name: "Change role" }).click();
    await expect(page.getByRole("dialog")).toContainText("goes from viewer to admin");
    await page.getByRole("dialog").getByRole("button", { name: "Change role" }).click();
    await expect(page.getByText("Role changed to admin.")).toBeVisible();
    await expect(page.getByTestId("athena-role")).toHaveText("admin");
    expect((await nativeLogin("iam", email, firstPassword)).ok).toBe(true);

    // Find it again: by (similar) identifier, then by id.
    await page.getByRole("navigation", { name: "Athena" }).getByRole("link", { name: "Identities" }).click();
    await page.getByRole("searchbox", { name: "Search" }).fill(email.slice(0, -6));
    await page.getByRole("button", { name: "Search" }).click();
    await expect(page.getByRole("link", { name: email })).toBeVisible();
    await page.getByRole("searchbox", { name: "Search" }).fill(id);
    await page.getByRole("button", { name: "Search" }).click();
    await page.getByRole("link", { name: email }).click();
    await expect(page).toHaveURL(new RegExp(`/identities/${id}$`));

    // Reset the password: a weak one is refused with the core's reason, a strong one applies at once.
    const newPassword = "Second-password-2026!";
    await page.getByRole("button", { name: "Reset password" }).click();
    const dialog = page.getByRole("dialog");
    await expect(dialog).toContainText(`Set a new password for ${email}?`);
    await dialog.getByLabel(/New password/).fill("too-short");
    await dialog.getByRole("button", { name: "Set password" }).click();
    await expect(dialog.getByRole("alert")).toContainText("too easy to guess");
    await dialog.getByLabel(/New password/).fill(newPassword);
    await dialog.getByRole("button", { name: "Set password" }).click();
    await expect(page.getByText("Password changed.")).toBeVisible();
    expect((await nativeLogin("iam", email, firstPassword)).ok).toBe(false);
    const login = await nativeLogin("iam", email, newPassword);
    expect(login.ok).toBe(true);

    // Revoke every session: the identity is signed out everywhere.
    await page.reload();
    await expect(
      page.getByRole("region", { name: "Sessions" }).getByText("active", { exact: true }).first(),
    ).toBeVisible();
    await page.getByRole("button", { name: "Revoke all sessions" }).click();
    await expect(page.getByRole("dialog")).toContainText(`${email} will be signed out on every device`);
    await page.getByRole("dialog").getByRole("button", { name: "Revoke all sessions" }).click();
    await expect(page.getByText("All sessions revoked.")).toBeVisible();
    const whoami = await fetch(`${kratosPublicUrl("iam")}/sessions/whoami`, {
      headers: { "x-session-token": login.token! },
    });
    expect(whoami.status).toBe(401);

    // A recovery code to hand over out of band.
    await page.getByRole("button", { name: "Recovery code" }).click();
    await expect(page.getByTestId("recovery-code")).toHaveValue(/\S+/);
    await expect(page.getByTestId("recovery-link")).toHaveValue(/^https?:\/\//);

    // Bulk delete from the list, behind a confirmation that names it.
    await page.goto(`${athenaUrl("iam")}/identities?q=${encodeURIComponent(email)}`);
    await page.getByRole("checkbox", { name: `Select ${email}` }).check();
    await page.getByRole("toolbar", { name: "Bulk actions" }).getByRole("button", { name: "Delete" }).click();
    await expect(page.getByRole("dialog")).toContainText("Delete 1 identity?");
    await expect(page.getByRole("dialog")).toContainText(email);
    await page.getByRole("dialog").getByRole("button", { name: "Delete 1" }).click();
    await expect(page.getByRole("status").filter({ hasText: "Delete: 1 done" })).toBeVisible();
    expect((await api(page, "iam", "GET", `/api/identities/${id}`)).status()).toBe(404);
  });

  test("demo identities are protected, in the UI and by the API", async ({ page }, info) => {
    await signIn(page, "iam", "admin", info);
    const { viewer } = stack().users;
    await page.goto(`${athenaUrl("iam")}/identities/${viewer}`);
    await expect(page.getByText("This is a demo identity")).toBeVisible();
    for (const name of [
      "Deactivate",
      "Reset password",
      "Delete identity",
      "Recovery link",
      "Recovery code",
    ]) {
      await expect(page.getByRole("button", { name })).toBeDisabled();
    }
    expect((await api(page, "iam", "DELETE", `/api/identities/${viewer}`)).status()).toBe(409);
    expect(
      (
        await api(page, "iam", "PUT", `/api/identities/${viewer}/password`, {
          password: "a-long-enough-password",
        })
      ).status(),
    ).toBe(409);
    expect(
      (await api(page, "iam", "PATCH", `/api/identities/${viewer}`, { state: "inactive" })).status(),
    ).toBe(409);
    const bulk = await api(page, "iam", "POST", "/api/identities/bulk", { action: "delete", ids: [viewer] });
    expect(await bulk.json()).toMatchObject({ done: 0, skipped: 1 });
  });

  test("the dashboard shows the domain's figures", async ({ page }, info) => {
    await signIn(page, "iam", "admin", info);
    await expect(page.getByRole("heading", { name: "Dashboard" })).toBeVisible();
    await expect(page.getByText("Identities", { exact: true }).first()).toBeVisible();
    await expect(page.getByRole("img", { name: /New identities per day/ })).toBeVisible();
    await expect(page.getByRole("heading", { name: "Verified addresses" })).toBeVisible();
    await expect(page.getByRole("img", { name: /^Verification rate: \d+%$/ })).toBeVisible();
    expect(await figure(page, "identities")).toBeGreaterThanOrEqual(2);
    expect(await figure(page, "active-sessions")).toBeGreaterThanOrEqual(1);

    // OAuth2 clients by type: what the stack seeded (no spec before this one registers a client).
    const seeded = seededIamClients();
    expect(await figure(page, "clients")).toBe(seeded.total);
    await expect(page.getByTestId("clients-public")).toHaveText(String(seeded.public));
    await expect(page.getByTestId("clients-confidential")).toHaveText(String(seeded.confidential));

    // Five wrong passwords for an unknown address: five failures, and the identifier is locked
    // (IAM's limit is five).
    const failedBefore = await figure(page, "failed-sign-ins");
    const locksBefore = await figure(page, "lockouts");
    const locked = uniqueEmail("dash-locked");
    for (let i = 0; i < 5; i++)
      expect((await nativeLogin("iam", locked, `Wrong-password-${i}!`)).ok).toBe(false);
    // And a confidential client, registered through Athena.
    const created = await api(page, "iam", "POST", "/api/clients", {
      client_name: "e2e dashboard machine",
      client_type: "confidential",
      grant_types: ["client_credentials"],
    });
    expect(created.status()).toBe(201);
    const { client_id } = (await created.json()) as { client_id: string };

    await page.reload();
    const failed = await figure(page, "failed-sign-ins");
    expect(failed).toBe(failedBefore + 5);
    expect(failed).toBeGreaterThanOrEqual(1);
    expect(await figure(page, "lockouts")).toBe(locksBefore + 1);
    await expect(page.getByTestId("figure-lockouts").locator("..")).toContainText(/[1-9]\d* identifiers?/);
    // Today's bar of the sign-ins chart carries the failures (its data table is for screen readers).
    await expect(page.getByRole("img", { name: "Sign-ins per day, last 30 days" })).toBeVisible();
    const today = new Date().toISOString().slice(0, 10);
    await expect(
      page
        .getByRole("table", { name: "Sign-ins per day, last 30 days" })
        .getByRole("row")
        .filter({ hasText: today }),
    ).toContainText(/\d+ succeeded, [1-9]\d* failed/);
    expect(await figure(page, "clients")).toBe(seeded.total + 1);
    await expect(page.getByTestId("clients-confidential")).toHaveText(String(seeded.confidential + 1));
    await expect(page.getByTestId("clients-public")).toHaveText(String(seeded.public));
    await expect(page.getByRole("heading", { name: "Clients by grant type" })).toBeVisible();
    await expect(page.getByText("client_credentials", { exact: true })).toBeVisible();

    // Lifting the lock and deleting the client show at once.
    const unlock = await api(
      page,
      "iam",
      "DELETE",
      `/api/security/lockouts/${encodeURIComponent(locked)}?type=identifier`,
    );
    expect(unlock.ok(), String(unlock.status())).toBe(true);
    expect((await api(page, "iam", "DELETE", `/api/clients/${encodeURIComponent(client_id)}`)).ok()).toBe(
      true,
    );
    await page.reload();
    expect(await figure(page, "lockouts")).toBe(locksBefore);
    expect(await figure(page, "clients")).toBe(seeded.total);
  });

  test("bulk deactivate, activate and revoke sessions, each behind a confirmation", async ({
    page,
  }, info) => {
    const password = "Bulk-password-2026!";
    const tag = `bulk${Date.now().toString(36)}`;
    const emails = [uniqueEmail(`${tag}-a`), uniqueEmail(`${tag}-b`)];
    const ids = [await createIamUser(emails[0]!, password), await createIamUser(emails[1]!, password)];
    const tokens = [];
    for (const email of emails) {
      const login = await nativeLogin("iam", email, password);
      expect(login.ok).toBe(true);
      tokens.push(login.token!);
    }
    await signIn(page, "iam", "admin", info);
    await page.goto(`${athenaUrl("iam")}/identities?q=${encodeURIComponent(`athena-${tag}-`)}`);
    const toolbar = page.getByRole("toolbar", { name: "Bulk actions" });
    const dialog = page.getByRole("dialog");
    const selectBoth = async () => {
      for (const email of emails) await page.getByRole("checkbox", { name: `Select ${email}` }).check();
      await expect(toolbar).toContainText("2 selected");
    };

    // Deactivate: the confirmation says what happens, Cancel changes nothing.
    await selectBoth();
    await toolbar.getByRole("button", { name: "Deactivate", exact: true }).click();
    await expect(dialog).toContainText("Deactivate 2 identities?");
    await expect(dialog).toContainText("They will not be able to sign in until activated again");
    for (const email of emails) await expect(dialog).toContainText(email);
    await dialog.getByRole("button", { name: "Cancel" }).click();
    await expect(dialog).toHaveCount(0);
    expect((await nativeLogin("iam", emails[0]!, password)).ok).toBe(true);
    await toolbar.getByRole("button", { name: "Deactivate", exact: true }).click();
    await dialog.getByRole("button", { name: "Deactivate 2" }).click();
    await expect(page.getByRole("status").filter({ hasText: "Deactivate: 2 done" })).toBeVisible();
    await expect(page.getByRole("row").filter({ hasText: emails[0]! })).toContainText("inactive");
    await expect(page.getByRole("row").filter({ hasText: emails[1]! })).toContainText("inactive");
    for (const email of emails) expect((await nativeLogin("iam", email, password)).ok).toBe(false);
    for (const token of tokens) expect(await whoami(token)).toBe(401);

    // Activate: both sign in again.
    await selectBoth();
    await toolbar.getByRole("button", { name: "Activate", exact: true }).click();
    await expect(dialog).toContainText("Activate 2 identities?");
    await expect(dialog).toContainText("They will be able to sign in again.");
    await dialog.getByRole("button", { name: "Activate 2" }).click();
    await expect(page.getByRole("status").filter({ hasText: "Activate: 2 done" })).toBeVisible();
    for (const email of emails) {
      await expect(
        page.getByRole("row").filter({ hasText: email }).getByText("active", { exact: true }),
      ).toBeVisible();
    }
    const fresh = [];
    for (const email of emails) {
      const login = await nativeLogin("iam", email, password);
      expect(login.ok).toBe(true);
      fresh.push(login.token!);
    }
    for (const token of fresh) expect(await whoami(token)).toBe(200);

    // Revoke sessions: signed out everywhere, the accounts stay active.
    await selectBoth();
    await toolbar.getByRole("button", { name: "Revoke sessions", exact: true }).click();
    await expect(dialog).toContainText("Revoke sessions 2 identities?");
    await expect(dialog).toContainText("They will be signed out on every device");
    await dialog.getByRole("button", { name: "Revoke sessions 2" }).click();
    await expect(page.getByRole("status").filter({ hasText: "Revoke sessions: 2 done" })).toBeVisible();
    for (const token of fresh) expect(await whoami(token)).toBe(401);
    for (const email of emails) expect((await nativeLogin("iam", email, password)).ok).toBe(true);

    for (const id of ids)
      await fetch(`${kratosAdminUrl("iam")}/admin/identities/${id}`, { method: "DELETE" });
  });

  test("is usable at phone width (390 px)", async ({ page }, info) => {
    await page.setViewportSize({ width: 390, height: 844 });
    await signIn(page, "iam", "admin", info);
    const noSideways = async (what: string) => {
      const { scroll, width } = await page.evaluate(() => ({
        scroll: document.documentElement.scrollWidth,
        width: window.innerWidth,
      }));
      expect(scroll, `${what} scrolls sideways at 390 px`).toBeLessThanOrEqual(width);
    };
    await expect(page.getByRole("heading", { name: "Dashboard" })).toBeVisible();
    await expect(page.getByTestId("figure-lockouts")).toBeVisible();
    await expect(page.getByTestId("figure-clients")).toBeVisible();
    await noSideways("the dashboard");
    // The navigation folds behind a Menu button.
    const nav = page.getByRole("navigation", { name: "Athena" });
    const menu = page.getByRole("button", { name: "Menu" });
    await expect(menu).toBeVisible();
    await expect(menu).toHaveAttribute("aria-expanded", "false");
    await menu.click();
    await expect(menu).toHaveAttribute("aria-expanded", "true");
    await nav.getByRole("link", { name: "Identities" }).click();
    await expect(page).toHaveURL(`${athenaUrl("iam")}/identities`);
    await expect(page.getByRole("link", { name: "admin@demo.user" })).toBeVisible();
    await expect(page.getByRole("searchbox", { name: "Search" })).toBeVisible();
    await noSideways("the identities page");
    await page.goto(`${athenaUrl("iam")}/clients`);
    await expect(page.getByRole("link", { name: "Register client" })).toBeVisible();
    await noSideways("the clients page");
  });

  test("registers a token exchange client with its policy, which the core then enforces", async ({
    page,
  }, info) => {
    const missing = stack().clientsMissing?.iam;
    expect(missing, missing).toBeFalsy();
    await signIn(page, "iam", "admin", info);
    const name = `e2e exchanger ${Date.now().toString(36)}`;
    await page.goto(`${athenaUrl("iam")}/clients/new`);
    await page.getByLabel("Name").fill(name);
    await page.getByLabel(/Confidential/).check();
    await page.getByLabel("Authorization code", { exact: true }).uncheck();
    await page.getByLabel("Refresh token", { exact: true }).uncheck();
    await page.getByLabel(/Client credentials/).check();
    await page.getByLabel(/Token exchange \(RFC 8693/).check();
    await page.getByLabel(/^Scope/).fill("identities:read");
    await page.getByLabel(/Allowed audiences/).fill("https://reports.example/api");
    await page.getByLabel(/May impersonate/).check();
    await page.getByRole("button", { name: "Register client" }).click();
    const clientId = await page.getByTestId("new-client-id").inputValue();
    const secret = await page.getByTestId("client-secret").inputValue();

    // The policy holds at the token endpoint: its own token for the allowed audience, not another.
    const basic = `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`).toString("base64")}`;
    const token = async (form: Record<string, string>) =>
      fetch(`${ISSUER}/oauth2/token`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", authorization: basic },
        body: new URLSearchParams(form),
      });
    const own = (await (
      await token({ grant_type: "client_credentials", scope: "identities:read" })
    ).json()) as {
      access_token: string;
    };
    const exchange = (audience: string) =>
      token({
        grant_type: "urn:ietf:params:oauth:grant-type:token-exchange",
        subject_token: own.access_token,
        subject_token_type: "urn:ietf:params:oauth:token-type:access_token",
        audience,
      });
    const allowed = await exchange("https://reports.example/api");
    expect(allowed.status, await allowed.clone().text()).toBe(200);
    expect(await allowed.json()).toMatchObject({
      issued_token_type: "urn:ietf:params:oauth:token-type:access_token",
      scope: "identities:read",
    });
    const elsewhere = await exchange("https://elsewhere.example");
    expect(elsewhere.status).toBe(400);
    expect(await elsewhere.json()).toMatchObject({ error: "invalid_target" });

    // The edit form shows the policy as stored; taking impersonation away is enforced at once.
    await page.getByRole("link", { name: "Open the client" }).click();
    await expect(page.getByRole("heading", { name })).toBeVisible();
    await expect(page.getByLabel(/Allowed audiences/)).toHaveValue("https://reports.example/api");
    await expect(page.getByLabel(/May impersonate/)).toBeChecked();
    await page.getByLabel(/May impersonate/).uncheck();
    await page.getByRole("button", { name: "Save changes" }).click();
    await expect(page.getByText("Saved.")).toBeVisible();
    const denied = await exchange("https://reports.example/api");
    expect(denied.status).toBe(400);
    expect(await denied.json()).toMatchObject({ error: "unauthorized_client" });
    await page.reload();
    await expect(page.getByLabel(/May impersonate/)).not.toBeChecked();
    await expect(page.getByLabel(/Allowed audiences/)).toHaveValue("https://reports.example/api");

    expect((await api(page, "iam", "DELETE", `/api/clients/${encodeURIComponent(clientId)}`)).ok()).toBe(
      true,
    );
  });

  test("registers an OAuth2 client, rotates its secret (shown once) and deletes it", async ({
    page,
  }, info) => {
    const missing = stack().clientsMissing?.iam;
    expect(missing, missing).toBeFalsy();
    await signIn(page, "iam", "admin", info);
    const name = `e2e machine ${Date.now().toString(36)}`;
    await page.goto(`${athenaUrl("iam")}/clients`);
    await page.getByRole("link", { name: "Register client" }).click();
    await page.getByLabel("Name").fill(name);
    await page.getByLabel(/Confidential/).check();
    await page.getByLabel("Authorization code", { exact: true }).uncheck();
    await page.getByLabel("Refresh token", { exact: true }).uncheck();
    await page.getByLabel(/Client credentials/).check();
    await page.getByLabel(/^Scope/).fill("identities:read");
    // The OAuth2 options beyond the basics: JWT access tokens and a back-channel logout URI.
    await page.getByLabel("Access token format").selectOption("jwt");
    await page.getByLabel(/Back-channel logout URI/).fill("https://machine.example/backchannel");
    await page.getByRole("button", { name: "Register client" }).click();
    const clientId = await page.getByTestId("new-client-id").inputValue();
    const first = await page.getByTestId("client-secret").inputValue();
    expect(first.length).toBeGreaterThan(10);
    await expect(page.getByText("it is shown this once")).toBeVisible();

    expect(await clientCredentials(clientId, first)).toBe(200);
    // The token endpoint now issues this client JWT access tokens.
    const jwt = await fetch(`${ISSUER}/oauth2/token`, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        authorization: `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(first)}`).toString("base64")}`,
      },
      body: new URLSearchParams({ grant_type: "client_credentials", scope: "identities:read" }),
    });
    expect(((await jwt.json()) as { access_token: string }).access_token.split(".")).toHaveLength(3);

    await page.getByRole("link", { name: "Open the client" }).click();
    await expect(page.getByRole("heading", { name })).toBeVisible();
    await expect(page.getByLabel("Access token format")).toHaveValue("jwt");
    await expect(page.getByLabel(/Back-channel logout URI/)).toHaveValue(
      "https://machine.example/backchannel",
    );
    await expect(page.getByText(first)).toHaveCount(0);
    await expect(page.getByRole("textbox", { name: "client_credentials token request" })).toHaveValue(
      /grant_type=client_credentials/,
    );
    await page.getByRole("button", { name: "Rotate secret" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Rotate secret" }).click();
    const second = await page.getByTestId("rotated-secret").inputValue();
    expect(second.length).toBeGreaterThan(10);
    expect(second).not.toBe(first);
    // The rotated secret works at the token endpoint; the old one no longer does.
    expect(await clientCredentials(clientId, second)).toBe(200);
    expect(await clientCredentials(clientId, first)).toBe(401);
    await page.reload();
    await expect(page.getByTestId("rotated-secret")).toHaveCount(0);

    // Requiring DPoP (RFC 9449 §5.2): from then on a token request without a proof is refused.
    await page.getByLabel(/Require DPoP-bound tokens/).check();
    await page.getByRole("button", { name: "Save changes" }).click();
    await expect(page.getByText("Saved.")).toBeVisible();
    expect(await clientCredentials(clientId, second)).toBe(400);
    await page.reload();
    await expect(page.getByLabel(/Require DPoP-bound tokens/)).toBeChecked();

    await page.getByRole("button", { name: "Delete client" }).click();
    await expect(page.getByRole("dialog")).toContainText("This cannot be undone");
    await page.getByRole("dialog").getByRole("button", { name: "Delete permanently" }).click();
    await expect(page).toHaveURL(`${athenaUrl("iam")}/clients`);
    await expect(page.getByText(clientId)).toHaveCount(0);
    expect((await api(page, "iam", "GET", `/api/clients/${encodeURIComponent(clientId)}`)).status()).toBe(
      404,
    );
  });
});
