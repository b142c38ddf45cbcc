import { expect, test } from "@playwright/test";
import { api, athenaUrl, nativeLogin, signIn, stack, uniqueEmail } from "./support.ts";
import { ISSUER, kratosPublicUrl } from "./stack.ts";

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
    await page.getByLabel(/^Role/).selectOption("viewer");
    await page.getByLabel(/^Initial password/).fill(firstPassword);
    await page.getByRole("button", { name: "Create identity" }).click();
    await expect(page).toHaveURL(/\/identities\/[0-9a-f-]{36}\?created=1/);
    await expect(page.getByText("Identity created.")).toBeVisible();
    await expect(page.getByTestId("traits")).toContainText(email);
    const id = page.url().match(/identities\/([0-9a-f-]{36})/)![1]!;
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

    // Reset the password: too short is refused, a long one applies at once.
    const newPassword = "Second-password-2026!";
    await page.getByRole("button", { name: "Reset password" }).click();
    const dialog = page.getByRole("dialog");
    await expect(dialog).toContainText(`Set a new password for ${email}?`);
    await dialog.getByLabel(/New password/).fill("too-short");
    await dialog.getByRole("button", { name: "Set password" }).click();
    await expect(dialog.getByRole("alert")).toContainText("12 characters");
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
    await page.getByRole("button", { name: "Register client" }).click();
    const clientId = await page.getByTestId("new-client-id").inputValue();
    const first = await page.getByTestId("client-secret").inputValue();
    expect(first.length).toBeGreaterThan(10);
    await expect(page.getByText("it is shown this once")).toBeVisible();

    expect(await clientCredentials(clientId, first)).toBe(200);

    await page.getByRole("link", { name: "Open the client" }).click();
    await expect(page.getByRole("heading", { name })).toBeVisible();
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
