import { expect, test } from "@playwright/test";
import { api, athenaUrl, signIn, stack } from "./support.ts";

/** viewer@demo.user reads everything and changes nothing: no controls, and 403 from every write. */
test.describe("viewer@demo.user", () => {
  test("sees no mutating controls", async ({ page }, info) => {
    await signIn(page, "iam", "viewer", info);
    await expect(page.getByText("You are signed in as a viewer")).toBeVisible();
    await page.goto(`${athenaUrl("iam")}/identities`);
    await expect(page.getByRole("link", { name: "admin@demo.user" })).toBeVisible();
    await expect(page.getByRole("link", { name: "Create identity" })).toHaveCount(0);
    await expect(page.getByRole("checkbox")).toHaveCount(0);
    await expect(page.getByRole("toolbar", { name: "Bulk actions" })).toHaveCount(0);
    await page.goto(`${athenaUrl("iam")}/identities/${stack().users.admin}`);
    await expect(page.getByRole("heading", { name: "Traits" })).toBeVisible();
    await expect(page.getByRole("heading", { name: "Actions" })).toHaveCount(0);
    for (const name of [
      "Reset password",
      "Delete identity",
      "Revoke all sessions",
      "Recovery link",
      "Deactivate",
    ]) {
      await expect(page.getByRole("button", { name })).toHaveCount(0);
    }
    await page.goto(`${athenaUrl("iam")}/identities/new`);
    await expect(page.getByText("Viewers cannot create identities.")).toBeVisible();
    await page.goto(`${athenaUrl("iam")}/clients`);
    await expect(page.getByRole("link", { name: "Register client" })).toHaveCount(0);
    await page.goto(`${athenaUrl("iam")}/clients/athena-iam`);
    await expect(page.getByText("athena-iam").first()).toBeVisible();
    await expect(page.getByRole("heading", { name: "Edit" })).toHaveCount(0);
    for (const name of ["Delete client", "Rotate secret", "Save"]) {
      await expect(page.getByRole("button", { name })).toHaveCount(0);
    }
    await page.goto(`${athenaUrl("iam")}/sessions`);
    await expect(page.getByRole("button", { name: "Revoke" })).toHaveCount(0);
    await page.goto(`${athenaUrl("iam")}/security`);
    await expect(page.getByRole("heading", { name: "Audit log" })).toBeVisible();
    await expect(page.getByRole("button", { name: "Unlock" })).toHaveCount(0);
    await page.goto(`${athenaUrl("iam")}/settings`);
    await expect(page.getByRole("heading", { name: "Settings vault" })).toBeVisible();
    await expect(page.getByRole("button", { name: "Save" })).toHaveCount(0);
  });

  test("every write API answers 403, reads answer 200", async ({ page }, info) => {
    await signIn(page, "iam", "viewer", info);
    const { admin } = stack().users;
    const someSession = "00000000-0000-4000-8000-000000000000";
    const writes: [string, string, unknown?][] = [
      [
        "POST",
        "/api/identities",
        { schema_id: "admin", traits: { email: "x@example.com" }, metadata_admin: { role: "admin" } },
      ],
      ["PATCH", `/api/identities/${admin}`, { state: "inactive" }],
      ["DELETE", `/api/identities/${admin}`],
      ["PUT", `/api/identities/${admin}/password`, { password: "a-long-enough-password" }],
      ["POST", `/api/identities/${admin}/recovery`, { kind: "link" }],
      ["DELETE", `/api/identities/${admin}/sessions`],
      ["DELETE", `/api/identities/${admin}/credentials/totp`],
      ["POST", "/api/identities/bulk", { action: "delete", ids: [admin] }],
      ["DELETE", `/api/sessions/${someSession}`],
      ["PATCH", `/api/sessions/${someSession}`],
      [
        "POST",
        "/api/clients",
        {
          client_name: "x",
          client_type: "public",
          grant_types: ["authorization_code"],
          redirect_uris: ["http://localhost/cb"],
        },
      ],
      [
        "PUT",
        "/api/clients/athena-iam",
        {
          client_name: "x",
          client_type: "public",
          grant_types: ["authorization_code"],
          redirect_uris: ["http://localhost/cb"],
        },
      ],
      ["DELETE", "/api/clients/athena-iam"],
      ["POST", "/api/clients/athena-iam/rotate"],
      ["DELETE", "/api/security/lockouts/someone%40example.com?type=identifier"],
      ["PUT", "/api/settings/vault", { key: "captcha.enabled", value: false }],
    ];
    for (const [method, path, body] of writes) {
      const res = await api(page, "iam", method, path, body);
      expect(res.status(), `${method} ${path}`).toBe(403);
      expect((await res.json()).error.id, `${method} ${path}`).toBe("forbidden");
    }
    expect((await api(page, "iam", "GET", "/api/identities")).status()).toBe(200);
    expect((await api(page, "iam", "GET", `/api/identities/${admin}`)).status()).toBe(200);
    expect((await api(page, "iam", "GET", "/api/sessions")).status()).toBe(200);
    for (const path of ["/api/security/lockouts", "/api/security/audit", "/api/settings/vault"])
      expect((await api(page, "iam", "GET", path)).status(), path).toBe(200);
    // Courier bodies carry recovery codes: viewers get the list without them.
    const messages = await api(page, "iam", "GET", "/api/messages");
    expect(messages.status()).toBe(200);
    for (const m of (await messages.json()).rows) expect(m.body).toBeUndefined();
  });
});
